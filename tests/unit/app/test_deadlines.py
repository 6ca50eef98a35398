"""Deadlines in the campaign's time zone: Zhengzhou's initial material is due on 20 March 2024
(郑工办〔2024〕6号), a day that ends at 16:00 UTC. After it the list is closed for clerks until the
office reopens the unit."""

from __future__ import annotations

from datetime import UTC, date, datetime

from app import nominees, prechecks, review, submission
from core.refusals import Decision, UnitClosed
from tests.nominees import person

from .story import JINSHUI, World

CLOSED = UnitClosed(JINSHUI, "initial", date(2024, 3, 20))


async def test_a_zhengzhou_clerk_saves_until_midnight_in_zhengzhou_not_in_utc(zz: World) -> None:
    me = await zz.clerk(JINSHUI, 2001)
    office = await zz.office(2002)
    early = await zz.saved(me, "medal", person(60, "一线产业工人"))

    zz.clock.now = datetime(2024, 3, 20, 15, 30, tzinfo=UTC)  # 23:30 on the 20th in Zhengzhou
    await zz.saved(me, "medal", person(61, "一线科教人员"))

    zz.clock.now = datetime(2024, 3, 20, 16, 10, tzinfo=UTC)  # 00:10 on the 21st there, still the 20th in UTC
    assert await zz.rejected(nominees.save(zz.ports, me, "medal", person(62, "一线科教人员"))) == CLOSED
    edit = nominees.save(zz.ports, me, "medal", person(60, "一线产业工人", phone="13800000000"), nominee_id=early.id)
    assert await zz.rejected(edit) == CLOSED
    assert await zz.rejected(nominees.withdraw(zz.ports, me, early.id)) == CLOSED
    assert await zz.rejected(submission.submit(zz.ports, me)) == CLOSED
    assert await zz.nothing_written(prechecks.precheck(zz.ports, me, "medal", {})) == Decision((CLOSED,))

    # The office reopens the unit (after the deadline day): the clerk may save again.
    zz.clock.now = datetime(2024, 3, 21, 1, 0, tzinfo=UTC)  # 09:00 on the 21st in Zhengzhou
    assert await zz.once(review.reopen(zz.ports, office, JINSHUI)) == 0
    await zz.saved(me, "medal", person(62, "一线科教人员"))
    assert (await zz.nothing_written(prechecks.precheck(zz.ports, me, "medal", {}))).ok


async def test_a_reopening_on_the_deadline_day_does_not_extend_the_deadline(zz: World) -> None:
    me = await zz.clerk(JINSHUI, 2101)
    office = await zz.office(2102)
    zz.clock.now = datetime(2024, 3, 20, 15, 0, tzinfo=UTC)  # 23:00 on the 20th in Zhengzhou
    await zz.once(review.reopen(zz.ports, office, JINSHUI))

    zz.clock.now = datetime(2024, 3, 20, 16, 30, tzinfo=UTC)  # 00:30 on the 21st
    assert await zz.rejected(nominees.save(zz.ports, me, "medal", person(63, "一线产业工人"))) == CLOSED
