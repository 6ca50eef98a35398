"""Time as a campaign sees it. The bot keeps one clock (aware datetimes, UTC inside); every date a
clerk reads or a deadline is compared with is taken in the campaign's time zone (Asia/Shanghai by
default), never in the server's."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from core.campaign import DEFAULT_TIMEZONE, Campaign


@lru_cache(maxsize=32)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def default_zone() -> ZoneInfo:
    """The campaigns' default time zone: "today" for someone not yet in a campaign, and the day
    NOMINEE_TODAY names."""
    return zone(DEFAULT_TIMEZONE)


def local_time(at: datetime, campaign: Campaign) -> datetime:
    """An aware datetime in the campaign's time zone (02:54 on the 15th in Zhengzhou, not 18:54 UTC)."""
    return at.astimezone(zone(campaign.timezone))


def local_date(at: datetime, campaign: Campaign) -> date:
    return local_time(at, campaign).date()


__all__ = ["default_zone", "local_date", "local_time", "zone"]
