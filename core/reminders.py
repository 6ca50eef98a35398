"""When clerks are reminded of a deadline — pure: the campaign's stages and settings and "now" in,
the reminders due out (DOMAIN.md "Deadlines and reminders").

Each dated stage that closes entry gets a reminder ``days_before`` its deadline day (by default 7,
3, 1, and 0 = the morning of the day) at ``hour`` o'clock in the campaign's time zone (09:00 by
default). A reminder is due from its moment until the stage closes, and only by day (07:00–21:00
local): one missed while the bot was down is sent when it comes back if the stage is still open,
and one falling in the night waits for the morning. Of a stage's reminders only the latest whose
moment has come is due: after a long outage the clerk gets "1 day left", not also "3" and "7";
the earlier ones are dropped (and logged by the scheduler). Whether a chat already had a reminder
is the database's business (each is claimed once, app.reminders).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from core.campaign import Campaign
from core.clock import local_time, zone
from core.deadlines import closes_at

DAY_STARTS, NIGHT_STARTS = 7, 21  # no reminder between 21:00 and 07:00 local time


@dataclass(frozen=True, order=True)
class Reminder:
    """One planned reminder of a stage: ``at`` its moment, ``closes`` when the stage closes (both
    aware). ``kind`` names it for the once-only claim, with the deadline day in it: a date the
    office moves gets reminders of its own."""

    at: datetime
    stage: str
    days_before: int
    deadline: date
    closes: datetime

    @property
    def kind(self) -> str:
        return f"{self.deadline.isoformat()}/d{self.days_before}"


def planned(campaign: Campaign) -> list[Reminder]:
    """Every reminder of the campaign's dated stages that close entry, in time order; one whose
    moment is not before its stage closes (a stage closing at 09:00 has no morning reminder at
    09:00) is left out."""
    tz = zone(campaign.timezone)
    hour = time(campaign.reminders.hour)
    found = []
    for stage in campaign.stages:
        closes = closes_at(campaign, stage)
        if closes is None or stage.deadline is None or not stage.closes_entry:
            continue
        for days in campaign.reminders.days_before:
            at = datetime.combine(stage.deadline - timedelta(days=days), hour, tz)
            if at < closes:
                found.append(Reminder(at, stage.key, days, stage.deadline, closes))
    return sorted(found)


def daytime(campaign: Campaign, now: datetime) -> bool:
    return DAY_STARTS <= local_time(now, campaign).hour < NIGHT_STARTS


def due(campaign: Campaign, now: datetime, since: datetime | None = None) -> tuple[list[Reminder], list[Reminder]]:
    """(due now, dropped). Due: per stage still open, the latest reminder whose moment has come —
    none at night. Dropped: the reminders whose moment came after ``since`` (the previous tick;
    None: every one) that will never be due — superseded by a later one, or their stage closed."""
    due_now: list[Reminder] = []
    dropped: list[Reminder] = []
    latest: dict[str, Reminder] = {}
    past = [r for r in planned(campaign) if r.at <= now]
    for r in past:
        latest[r.stage] = r  # planned() is in time order: the last one seen is the latest
    for r in past:
        useful = r == latest[r.stage] and now < r.closes
        if useful:
            if daytime(campaign, now):
                due_now.append(r)
        elif since is None or r.at > since:
            dropped.append(r)
    return due_now, dropped


__all__ = ["DAY_STARTS", "NIGHT_STARTS", "Reminder", "daytime", "due", "planned"]
