"""Reminders and stage dates as use cases (app.reminders) over the fakes: who is reminded with
what, a unit that finishes gets nothing, every chat is claimed once, and the office's dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from app import drafts, nominees, reminders, submission
from core.records import Draft
from core.refusals import CalendarBeyond, DatePassed, OfficeOnly, StageUnknown, UnitClosed, given_up, places_digest
from tests.nominees import person

from .story import AIRPORT, CHALCO, JINSHUI, ZZ, World

KIND = "2024-03-20/d7"


async def test_the_clerks_of_unfinished_units_are_told_exactly_what_is_missing(zz: World) -> None:
    a, b = await zz.clerk(JINSHUI, 3001), await zz.clerk(JINSHUI, 3002)
    await zz.clerk(AIRPORT, 3003)
    await zz.saved(a, "medal", person(70, "一线产业工人"))
    await drafts.save(zz.ports, Draft(3002, ZZ, award="medal", answers={"name": "李四"}, step="id_number"))

    found = await zz.nothing_written(reminders.pending(zz.ports, ZZ, "initial", KIND))
    by_chat = {n.user.tg_id: n.missing for n in found.notices}
    assert set(by_chat) == {3001, 3002, 3003}
    jinshui = by_chat[3001]
    assert by_chat[3002] == jinshui and not jinshui.submitted
    medal = next(s for s in jinshui.awards if s.award == "medal")
    assert (medal.cap, medal.used, medal.left) == (6, 1, 5)
    # 一线产业工人 1 (filled by 张70), 一线科教 2, 非公新业态农民工 2 still to give
    needed = {(r.name, r.needed) for r in medal.reserved}
    assert needed == {("一线产业工人", 0), ("一线科教", 2), ("非公新业态农民工", 2)}
    assert [d.answers.get("name") for d in jinshui.drafts] == ["李四"]
    assert b.unit == JINSHUI


async def test_a_unit_that_has_finished_gets_nothing_and_each_chat_is_claimed_once(zz: World) -> None:
    me = await zz.clerk(CHALCO, 3101)
    await zz.clerk(JINSHUI, 3102)
    await zz.saved(me, "medal", person(71, "一线产业工人"))
    before = await reminders.pending(zz.ports, ZZ, "initial", KIND)
    assert {n.user.tg_id for n in before.notices} == {3101, 3102}

    gaps = await submission.submit(zz.ports, me)  # 先锋号's 企业班组 place is left: given up, confirmed
    assert await submission.submit(zz.ports, me, places_digest(given_up(gaps))) == []
    after = await reminders.pending(zz.ports, ZZ, "initial", KIND)
    assert {n.user.tg_id for n in after.notices} == {3102}  # Chalco finished in between: nothing

    assert await zz.once(reminders.claim_many(zz.ports, ZZ, "initial", KIND, [(JINSHUI, 3102)])) == [3102]
    assert await reminders.claim_many(zz.ports, ZZ, "initial", KIND, [(JINSHUI, 3102)]) == []
    assert (await reminders.pending(zz.ports, ZZ, "initial", KIND)).notices == ()
    await reminders.settle(zz.ports, ZZ, "initial", KIND, [(3102, "blocked")])
    assert [(d.unit, d.tg_id, d.outcome) for d in await reminders.deliveries(zz.ports, ZZ, "initial", KIND)] == [
        (JINSHUI, 3102, "blocked")
    ]


async def test_the_office_sets_the_second_review_the_notice_left_to_be_announced(zz: World) -> None:
    office = await zz.office(3201)
    clerk = await zz.clerk(JINSHUI, 3202)
    done = await zz.once(reminders.set_date(zz.ports, office, ZZ, "second_review", date(2024, 5, 20), time(17, 0)))
    assert (done.old, done.new.deadline, done.new.time, done.working_day) == (None, date(2024, 5, 20), time(17), True)
    stages = {s.key: (s.deadline, s.time) for s in (await reminders.pending(zz.ports, ZZ, "x", "y")).campaign.stages}
    assert stages == {"initial": (date(2024, 3, 20), None), "second_review": (date(2024, 5, 20), time(17, 0))}
    assert await reminders.stage_dates(zz.ports, ZZ) == [done.new]
    assert reminders.date_kind(done.new) == "date/2024-05-20T1700"

    # moving the first deadline moves when entry closes
    await zz.once(reminders.set_date(zz.ports, office, ZZ, "initial", date(2024, 3, 27)))
    zz.clock.now = datetime(2024, 3, 25, 2, 0, tzinfo=UTC)
    assert (await zz.saved(clerk, "medal", person(72, "一线产业工人"))).id

    # refused: a clerk; an unknown stage; a day passed; a year no calendar knows
    assert await zz.rejected(reminders.set_date(zz.ports, clerk, ZZ, "initial", date(2024, 4, 1))) == OfficeOnly()
    assert await zz.rejected(reminders.set_date(zz.ports, office, ZZ, "final", date(2024, 4, 1))) == StageUnknown(
        "final"
    )
    assert await zz.rejected(reminders.set_date(zz.ports, office, ZZ, "initial", date(2024, 3, 24))) == DatePassed(
        date(2024, 3, 24)
    )
    assert await zz.rejected(
        reminders.set_date(zz.ports, office, ZZ, "second_review", date(2099, 5, 6))
    ) == CalendarBeyond(2099)


async def test_a_unit_reopened_until_a_day_closes_again_after_it(zz: World) -> None:
    from app import review

    office = await zz.office(3301)
    me = await zz.clerk(JINSHUI, 3302)
    zz.clock.now = datetime(2024, 3, 21, 2, 0, tzinfo=UTC)  # 10:00 on the 21st: entry closed on the 20th
    unit = (await reminders.pending(zz.ports, ZZ, "x", "y", "all")).notices[0]
    assert unit.user.tg_id == 3302
    assert await zz.rejected(review.reopen(zz.ports, office, JINSHUI, date(2024, 3, 20))) == DatePassed(
        date(2024, 3, 20)
    )
    await zz.once(review.reopen(zz.ports, office, JINSHUI, date(2024, 3, 25)))
    await zz.saved(me, "medal", person(73, "一线产业工人"))
    zz.clock.now = datetime(2024, 3, 25, 15, 59, tzinfo=UTC)  # 23:59 on the 25th
    await zz.saved(me, "medal", person(74, "一线科教人员"))
    zz.clock.now = datetime(2024, 3, 25, 16, 0, tzinfo=UTC)  # the 26th has begun in Zhengzhou
    refused = await zz.rejected(nominees.save(zz.ports, me, "medal", person(75, "一线科教人员")))
    assert refused == UnitClosed(JINSHUI, "initial", date(2024, 3, 25))


async def test_a_unit_reopened_until_a_day_before_the_deadline_closes_on_the_deadline(zz: World) -> None:
    from app import review

    office = await zz.office(3401)
    me = await zz.clerk(JINSHUI, 3402)
    zz.clock.now = datetime(2024, 3, 10, 2, 0, tzinfo=UTC)
    assert await zz.rejected(review.reopen(zz.ports, office, JINSHUI, date(2099, 5, 6))) == CalendarBeyond(2099)
    await zz.once(review.reopen(zz.ports, office, JINSHUI, date(2024, 3, 15)))
    zz.clock.now = datetime(2024, 3, 18, 2, 0, tzinfo=UTC)  # after the 15th, before the deadline: open
    await zz.saved(me, "medal", person(76, "一线产业工人"))
    zz.clock.now = datetime(2024, 3, 21, 2, 0, tzinfo=UTC)
    refused = await zz.rejected(nominees.save(zz.ports, me, "medal", person(77, "一线科教人员")))
    assert refused == UnitClosed(JINSHUI, "initial", date(2024, 3, 20))
