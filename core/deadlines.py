"""When a unit's list is open for its clerks (DOMAIN.md "Deadlines and reminders").

Clerks may change a list until it is submitted, or until the first dated stage that closes entry
has passed (that day still counts, in the campaign's time zone; a stage with a ``time`` closes at
that hour) — unless the office reopened the unit after that moment, or reopened it until a later
date (``open_until``, that day included). Zhangjiakou: formal list by 2 April 2024; Zhengzhou:
initial material by 20 March 2024 (郑工办〔2024〕6号), the second review's date announced later.

The dates the office sets or moves (``/deadline``, ``nominee-bot deadline set``) are stored apart
from the definition and laid over its stages by :func:`with_dates` — the one place the two meet;
storage applies it whenever it hands out a definition, so every rule below sees the dates in force.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from core.campaign import Campaign, Stage
from core.clock import local_date, zone
from core.records import UnitState
from core.refusals import Closed, UnitClosed, UnitSubmitted


@dataclass(frozen=True)
class StageDate:
    """A stage's date as the office set it: the day, and the hour it closes (None: the day's end)."""

    stage: str
    deadline: date
    time: time | None = None


def with_dates(campaign: Campaign, dates: Sequence[StageDate]) -> Campaign:
    """The definition with the office's dates laid over its stages (a stage the definition no
    longer has is ignored). The same object when there is nothing to lay over."""
    by_stage = {d.stage: d for d in dates}
    if not any(s.key in by_stage for s in campaign.stages):
        return campaign
    stages = [
        s.model_copy(update={"deadline": by_stage[s.key].deadline, "time": by_stage[s.key].time})
        if s.key in by_stage
        else s
        for s in campaign.stages
    ]
    return campaign.model_copy(update={"stages": stages})


def closes_at(campaign: Campaign, stage: Stage) -> datetime | None:
    """The moment a dated stage closes (aware, in the campaign's zone): its ``time`` on the
    deadline day, or the end of that day; None while its date is to be announced."""
    if stage.deadline is None:
        return None
    tz = zone(campaign.timezone)
    if stage.time is None:
        return datetime.combine(stage.deadline + timedelta(days=1), time(0), tz)
    return datetime.combine(stage.deadline, stage.time, tz)


def entry_stage(campaign: Campaign) -> Stage | None:
    """The first dated stage that closes entry; None when none is dated."""
    dated = [s for s in campaign.stages if s.closes_entry and s.deadline is not None]
    if not dated:
        return None
    return min(dated, key=lambda s: (closes_at(campaign, s), s.key))


def entry_deadline(campaign: Campaign) -> tuple[str, date] | None:
    """(stage key, last day) of the first dated stage that closes entry; None when none is dated."""
    stage = entry_stage(campaign)
    if stage is None or stage.deadline is None:
        return None
    return stage.key, stage.deadline


def closed(campaign: Campaign, unit: UnitState, now: datetime) -> Closed | None:
    """Why clerks may not change the unit's list now, or None while it is open."""
    if unit.submitted_at is not None:
        return UnitSubmitted(unit.name)
    stage = entry_stage(campaign)
    if stage is None:
        return None
    at = closes_at(campaign, stage)
    assert at is not None and stage.deadline is not None
    if now < at:
        return None
    if unit.open_until is not None:
        if local_date(now, campaign) <= unit.open_until:
            return None
        # closed on the later of the two days: a unit reopened until a day before the deadline
        # still had the deadline
        return UnitClosed(unit.name, stage.key, max(unit.open_until, stage.deadline))
    if unit.reopened_at is not None and unit.reopened_at >= at:
        return None
    return UnitClosed(unit.name, stage.key, stage.deadline)


def unfinished(campaign: Campaign, unit: UnitState, now: datetime) -> bool:
    """A unit reminders are for: in the allocation, its list neither handed in nor closed (a
    reminder could not be acted on otherwise)."""
    return unit.active and closed(campaign, unit, now) is None


def closed_for(campaign: Campaign, unit: UnitState, status: str | None, now: datetime) -> Closed | None:
    """:func:`closed` for a change to a nominee in ``status`` (None: a new one): a nominee the
    office returned is corrected at its request, deadline or not."""
    return None if status == "returned" else closed(campaign, unit, now)


__all__ = [
    "StageDate",
    "closed",
    "closed_for",
    "closes_at",
    "entry_deadline",
    "entry_stage",
    "unfinished",
    "with_dates",
]
