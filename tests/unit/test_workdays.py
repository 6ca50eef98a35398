from datetime import date

import chinese_calendar
import pytest

from core.errors import CalendarUnknown, InvalidAnswer
from core.workdays import add_working_days, days_left, is_working_day, working_days_between


def test_the_labour_day_2024_make_up_sunday_and_saturday_are_working_days():
    assert is_working_day(date(2024, 4, 28))  # Sunday, worked in lieu
    assert not is_working_day(date(2024, 5, 1))
    assert not is_working_day(date(2024, 5, 4))
    assert is_working_day(date(2024, 5, 11))  # Saturday, worked in lieu


def test_a_notice_starting_on_the_make_up_sunday_before_labour_day_ends_on_7_may():
    # 4-28 (Sun, worked), 4-29, 4-30, holiday 5-1..5-5, then 5-6 and 5-7.
    assert add_working_days(date(2024, 4, 28), 5) == date(2024, 5, 7)


def test_a_notice_across_national_day_2024_skips_the_golden_week():
    # 9-30, holiday 10-1..10-7, then 10-8, 10-9, 10-10, 10-11.
    assert add_working_days(date(2024, 9, 30), 5) == date(2024, 10, 11)


def test_a_notice_published_on_national_day_ends_on_the_make_up_saturday():
    # Starts on the first working day 10-8; 10-12 is a Saturday worked in lieu.
    assert add_working_days(date(2024, 10, 1), 5) == date(2024, 10, 12)


def test_a_notice_published_on_a_saturday_holiday_starts_after_the_holiday():
    assert not is_working_day(date(2024, 10, 5))  # Saturday within the golden week
    assert add_working_days(date(2024, 10, 5), 3) == date(2024, 10, 10)


def test_a_notice_published_on_an_ordinary_saturday_starts_on_monday():
    assert add_working_days(date(2024, 6, 15), 1) == date(2024, 6, 17)


def test_a_one_day_period_on_a_working_day_is_that_day():
    assert add_working_days(date(2024, 6, 12), 1) == date(2024, 6, 12)


def test_a_period_needs_at_least_one_day():
    with pytest.raises(ValueError):
        add_working_days(date(2024, 6, 12), 0)


def test_working_days_are_counted_inclusively_around_national_day():
    # 9-29 and 9-30 worked, 10-1..10-7 off, 10-8..10-12 worked, 9-28 and 10-13 off.
    assert working_days_between(date(2024, 9, 28), date(2024, 10, 13)) == 7
    assert working_days_between(date(2024, 10, 8), date(2024, 10, 8)) == 1
    assert working_days_between(date(2024, 10, 9), date(2024, 10, 8)) == 0


def test_counting_agrees_with_adding():
    start = date(2024, 4, 28)
    assert working_days_between(start, add_working_days(start, 10)) == 10


def test_years_the_calendar_does_not_know_are_refused():
    with pytest.raises(InvalidAnswer) as caught:
        is_working_day(date(1999, 10, 1))
    assert caught.value.problem == CalendarUnknown(year=1999)


def test_a_period_running_past_the_last_published_year_is_refused():
    last_year = max(day.year for day in chinese_calendar.holidays)
    with pytest.raises(InvalidAnswer) as caught:
        add_working_days(date(last_year, 12, 31), 10)
    assert caught.value.problem == CalendarUnknown(year=last_year + 1)


def test_days_left_counts_calendar_days_and_goes_negative_after_the_deadline():
    today = date(2024, 9, 30)
    assert days_left(date(2024, 10, 8), today) == 8
    assert days_left(today, today) == 0
    assert days_left(date(2024, 9, 29), today) == -1
