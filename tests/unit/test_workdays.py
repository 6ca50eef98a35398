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


# ------------------------------------------------------------------------------ 2025, and a year from the definition


def test_the_2025_labour_day_holiday_and_its_make_up_sunday() -> None:
    # 国办发明电〔2024〕12号: 5月1日至5日放假调休，共5天；4月27日（周日）上班
    assert is_working_day(date(2025, 4, 27))  # Sunday, worked in lieu
    assert [is_working_day(date(2025, 5, d)) for d in range(1, 7)] == [False] * 5 + [True]
    # a five-day notice from 29 April: 4-29, 4-30, holiday, then 5-6, 5-7, 5-8
    assert add_working_days(date(2025, 4, 29), 5) == date(2025, 5, 8)


def test_the_2025_national_day_golden_week_of_eight_days() -> None:
    # 10月1日至8日放假调休，共8天；9月28日（周日）、10月11日（周六）上班
    assert is_working_day(date(2025, 9, 28)) and is_working_day(date(2025, 10, 11))
    assert not any(is_working_day(date(2025, 10, d)) for d in range(1, 9))
    assert working_days_between(date(2025, 9, 27), date(2025, 10, 12)) == 2 + 3 + 1


CALENDAR_2027 = """
[[calendar]]                 # copied from the State Council's notice by the office (illustrative days)
year = 2027
holidays = [2027-05-01, 2027-05-02, 2027-05-03, 2027-05-04, 2027-05-05]
workdays = [2027-04-25, 2027-05-08]
"""


def test_a_year_the_library_does_not_know_comes_from_the_definition_file() -> None:
    from core.loader import builtin_text, parse

    campaign = parse(builtin_text("zhangjiakou-2024") + CALENDAR_2027)
    with pytest.raises(InvalidAnswer):  # without a definition, a year no calendar knows: refused, not guessed
        is_working_day(date(max(chinese_calendar.holidays).year + 1, 5, 6))
    extra = campaign.calendar
    assert is_working_day(date(2027, 4, 25), extra)  # a Sunday worked in lieu
    assert not is_working_day(date(2027, 5, 3), extra)  # a Monday of the holiday
    assert is_working_day(date(2027, 5, 8), extra)  # a Saturday worked in lieu
    assert not is_working_day(date(2027, 5, 9), extra)  # an ordinary Sunday
    assert add_working_days(date(2027, 4, 29), 3, extra) == date(2027, 5, 6)  # 4-29, 4-30, holiday, 5-6
    assert is_working_day(date(2025, 4, 27), extra)  # the library's years stay as they are
    with pytest.raises(InvalidAnswer) as caught:
        is_working_day(date(2028, 1, 3), extra)
    assert caught.value.problem == CalendarUnknown(year=2028)


def test_a_definition_calendar_with_a_day_of_another_year_is_refused_with_its_place() -> None:
    from core.loader import DefinitionError, builtin_text, parse

    wrong = CALENDAR_2027.replace("2027-05-08]", "2028-05-08]")
    with pytest.raises(DefinitionError) as caught:
        parse(builtin_text("zhangjiakou-2024") + wrong)
    problems = [str(p) for p in caught.value.problems]
    assert any("calendar[0].workdays[1]" in p and "2028-05-08 不在 2027 年" in p for p in problems), problems
