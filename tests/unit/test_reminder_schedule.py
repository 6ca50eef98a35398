"""When reminders are due (core.reminders), with a controlled clock: Zhangjiakou's formal list is
due on 2 April 2024 (Asia/Shanghai); reminders 7, 3 and 1 days before and on the morning of the
day, at 09:00 local time — never at night; one missed while the bot was down is sent when it comes
back if the stage is still open, the ones it supersedes are dropped."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from core.deadlines import StageDate, with_dates
from core.loader import load_builtin
from core.reminders import due, planned

ZJK = load_builtin("zhangjiakou-2024")
ZZ = load_builtin("zhengzhou-2024")


def utc(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


def kinds(reminders: list) -> list[str]:  # type: ignore[type-arg]
    return [f"{r.stage}:{r.kind}" for r in reminders]


def test_zhangjiakou_reminders_are_at_nine_in_the_morning_shanghai_time() -> None:
    moments = [(r.kind, r.at.astimezone(UTC)) for r in planned(ZJK)]
    assert moments == [
        ("2024-04-02/d7", utc(2024, 3, 26, 1)),  # 09:00 in Zhangjiakou is 01:00 UTC
        ("2024-04-02/d3", utc(2024, 3, 30, 1)),
        ("2024-04-02/d1", utc(2024, 4, 1, 1)),
        ("2024-04-02/d0", utc(2024, 4, 2, 1)),
    ]


def test_a_reminder_is_due_from_its_moment_and_only_the_latest() -> None:
    assert due(ZJK, utc(2024, 3, 26, 0, 59))[0] == []
    assert kinds(due(ZJK, utc(2024, 3, 26, 1, 0))[0]) == ["formal:2024-04-02/d7"]
    assert kinds(due(ZJK, utc(2024, 3, 29, 5))[0]) == ["formal:2024-04-02/d7"]  # still the latest: claims stop repeats
    assert kinds(due(ZJK, utc(2024, 3, 30, 2))[0]) == ["formal:2024-04-02/d3"]


def test_nothing_at_night_and_a_night_reminder_waits_for_the_morning() -> None:
    night = utc(2024, 3, 31, 15)  # 23:00 in Zhangjiakou
    assert due(ZJK, night)[0] == []
    assert kinds(due(ZJK, utc(2024, 3, 31, 23))[0]) == ["formal:2024-04-02/d3"]  # 07:00 the next morning


def test_a_bot_down_for_days_sends_the_latest_when_back_and_drops_the_rest() -> None:
    # down from 25 March to 1 April 10:00 local: the 7- and 3-day reminders were missed
    back = utc(2024, 4, 1, 2)
    send, dropped = due(ZJK, back, since=utc(2024, 3, 25, 0))
    assert kinds(send) == ["formal:2024-04-02/d1"]
    assert kinds(dropped) == ["formal:2024-04-02/d7", "formal:2024-04-02/d3"]
    # a tick later nothing new is dropped
    assert due(ZJK, utc(2024, 4, 1, 2, 1), since=back)[1] == []


def test_after_the_deadline_nothing_is_due_and_the_missed_one_is_dropped() -> None:
    after = utc(2024, 4, 2, 16, 30)  # 00:30 on 3 April local
    send, dropped = due(ZJK, after, since=utc(2024, 4, 2, 0))
    assert send == []
    assert kinds(dropped) == ["formal:2024-04-02/d0"]


def test_a_stage_closing_at_nine_has_no_morning_reminder_on_its_day() -> None:
    moved = with_dates(ZJK, [StageDate("formal", date(2024, 4, 2), time(9, 0))])
    assert [r.kind for r in planned(moved)] == ["2024-04-02/d7", "2024-04-02/d3", "2024-04-02/d1"]


def test_a_stage_to_be_announced_has_no_reminders_until_the_office_dates_it() -> None:
    assert {r.stage for r in planned(ZZ)} == {"initial"}
    dated = with_dates(ZZ, [StageDate("second_review", date(2024, 5, 20), time(17, 0))])
    assert [r.kind for r in planned(dated) if r.stage == "second_review"] == [
        "2024-05-20/d7",
        "2024-05-20/d3",
        "2024-05-20/d1",
        "2024-05-20/d0",
    ]


def test_the_definition_chooses_the_days_and_the_hour() -> None:
    custom = ZJK.model_copy(update={"reminders": ZJK.reminders.model_copy(update={"days_before": [2], "hour": 14})})
    assert [(r.kind, r.at.astimezone(UTC)) for r in planned(custom)] == [("2024-04-02/d2", utc(2024, 3, 31, 6))]


def test_the_new_keys_change_a_definitions_digest_only_when_used() -> None:
    from core.loader import builtin_text, parse

    text = builtin_text("zhangjiakou-2024")
    assert parse(text + "\n[reminders]\ndays_before = [7, 3, 1, 0]\nhour = 9\n").digest == ZJK.digest
    assert parse(text + "\n[reminders]\nhour = 10\n").digest != ZJK.digest
    assert parse(text + "\n[[calendar]]\nyear = 2027\nholidays = [2027-10-01]\n").digest != ZJK.digest
