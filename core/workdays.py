"""Official Chinese working days: public holidays and the weekend days worked in lieu.

Notice periods (公示期) are counted in working days, which differ from Monday-Friday
around every public holiday. The data comes from ``chinese_calendar``, which only knows
the years the State Council has published; a campaign definition may add a later year's
official days (``[[calendar]]``, :class:`core.campaign.CalendarYear`), and outside every known year
we refuse rather than guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import chinese_calendar

from core.campaign import CalendarYear
from core.errors import CalendarUnknown, InvalidAnswer
from core.refusals import CalendarBeyond, Rejected

_ONE_DAY = timedelta(days=1)


def is_working_day(d: date, extra: Sequence[CalendarYear] = ()) -> bool:
    """Whether ``d`` is an official working day; :class:`InvalidAnswer` with CalendarUnknown for a
    year the State Council has not published (or ``chinese_calendar`` does not know yet).

    ``extra``: years a campaign definition states itself; they win over the library (the office
    copied them from the notice), every other day of such a year is a working day from Monday to
    Friday."""
    for year in extra:
        if year.year == d.year:
            if d in year.workdays:
                return True
            return d.weekday() < 5 and d not in year.holidays
    try:
        return bool(chinese_calendar.is_workday(d))
    except NotImplementedError:
        raise InvalidAnswer(CalendarUnknown(year=d.year)) from None


def known_working_day(d: date, extra: Sequence[CalendarYear] = ()) -> bool:
    """:func:`is_working_day` for a date someone gives (a stage's date, a reopening's last day, the
    day a step was done): a year no calendar knows is refused as :class:`CalendarBeyond` — more
    likely a typing slip than an intended date, and never guessed."""
    try:
        return is_working_day(d, extra)
    except InvalidAnswer:
        raise Rejected(CalendarBeyond(d.year)) from None


def add_working_days(start: date, days: int, extra: Sequence[CalendarYear] = ()) -> date:
    """Last day of a period of ``days`` working days beginning on ``start``.

    If ``start`` is not a working day the period begins on the next working day, so
    ``add_working_days(d, 1)`` is the first working day on or after ``d``."""
    if days < 1:
        raise ValueError("a period has at least one working day")
    current = start
    remaining = days
    while True:
        if is_working_day(current, extra):
            remaining -= 1
            if remaining == 0:
                return current
        current += _ONE_DAY


def working_days_between(start: date, end: date, extra: Sequence[CalendarYear] = ()) -> int:
    """Working days from ``start`` to ``end``, both included; 0 if ``end`` is earlier."""
    count = 0
    current = start
    while current <= end:
        count += is_working_day(current, extra)
        current += _ONE_DAY
    return count


def days_left(deadline: date, today: date) -> int:
    """Calendar days until ``deadline``: 0 on the day itself, negative once it has passed."""
    return (deadline - today).days
