"""When a unit's list is open for its clerks (DOMAIN.md "Deadlines and reminders").

Clerks may change a list until it is submitted, or until the first dated stage that closes entry
has passed (that day still counts, in the campaign's time zone) — unless the office reopened the
unit after that day. Zhangjiakou: formal list by 2 April 2024; Zhengzhou: initial material by
20 March 2024 (郑工办〔2024〕6号), the second review's date announced later.
"""

from __future__ import annotations

from datetime import date, datetime

from core.campaign import Campaign
from core.clock import local_date
from core.records import UnitState
from core.refusals import Closed, UnitClosed, UnitSubmitted


def entry_deadline(campaign: Campaign) -> tuple[str, date] | None:
    """(stage key, last day) of the first dated stage that closes entry; None when none is dated."""
    dated = [(s.deadline, s.key) for s in campaign.stages if s.closes_entry and s.deadline is not None]
    if not dated:
        return None
    deadline, key = min(dated)
    assert deadline is not None
    return key, deadline


def closed(campaign: Campaign, unit: UnitState, now: datetime) -> Closed | None:
    """Why clerks may not change the unit's list now, or None while it is open."""
    if unit.submitted_at is not None:
        return UnitSubmitted(unit.name)
    closing = entry_deadline(campaign)
    if closing is None:
        return None
    stage, deadline = closing
    reopened_after = unit.reopened_at is not None and local_date(unit.reopened_at, campaign) > deadline
    if local_date(now, campaign) > deadline and not reopened_after:
        return UnitClosed(unit.name, stage, deadline)
    return None


__all__ = ["closed", "entry_deadline"]
