"""The procedure checklist as use cases (app.procedure): a step recorded with its date by the clerk
of the nominee's unit or by the office, refused for a day to come, a year no calendar knows, a step
the nominee does not go through, another unit's nominee; what /submit warns about, the dashboard's
open steps per unit and a reminder's open steps."""

from __future__ import annotations

from datetime import date

from aiogram.utils.i18n import I18n

from app import dashboard, nominees, procedure, queries, reminders, submission
from core.refusals import CalendarBeyond, NomineeLocked, NomineeNotFound, StepDateFuture, StepUnknown
from handlers.reminder_texts import reminder_text
from tests.nominees import person

from .story import CHALCO, JINSHUI, ZZ, World


async def test_a_clerk_records_steps_and_the_history_keeps_them(zz: World) -> None:
    clerk = await zz.clerk(JINSHUI, 4001)
    head = await zz.saved(clerk, "medal", person(4001, "企业负责人"))  # 国有 enterprise (tests.nominees)
    today = date(2024, 3, 1)  # the fakes' clock: 10:00 on 1 March 2024 in Zhengzhou

    before = await zz.nothing_written(procedure.procedure(zz.ports, clerk, head.id))
    assert before.today == today
    assert {s.step.key for s in before.steps} >= {"approval", "police", "personnel", "discipline", "audit", "ndrc"}
    assert all(s.status == "open" for s in before.steps)

    done = await zz.once(procedure.record_step(zz.ports, clerk, head.id, "approval", date(2024, 2, 27)))
    assert {s.step.key: s.status for s in done.steps}["approval"] == "done"
    begun = await zz.once(procedure.record_step(zz.ports, clerk, head.id, "notice_unit", today))
    notice = next(s for s in begun.steps if s.step.key == "notice_unit")
    assert (notice.status, notice.ends) == ("running", date(2024, 3, 7))  # 1, 4, 5, 6, 7 March

    office = await zz.office(4002)  # the office may record too, and correct a date
    await zz.once(procedure.record_step(zz.ports, office, head.id, "approval", date(2024, 2, 26)))
    info, history = await queries.nominee(zz.ports, clerk, head.id)
    assert info.procedure == {"approval": "2024-02-26", "notice_unit": "2024-03-01"}
    assert info.version == head.version  # no new version of the answers: an edit begun before is not refused
    assert [(h.action, dict(h.changes)) for h in history if h.action == "procedure"] == [
        ("procedure", {"approval": (None, "2024-02-27")}),
        ("procedure", {"notice_unit": (None, "2024-03-01")}),
        ("procedure", {"approval": ("2024-02-27", "2024-02-26")}),
    ]


async def test_refused_a_day_to_come_a_year_unknown_a_step_not_needed_another_units_nominee(zz: World) -> None:
    clerk = await zz.clerk(JINSHUI, 4101)
    worker = await zz.saved(clerk, "medal", person(4101, "一线产业工人"))
    other = await zz.clerk(CHALCO, 4102)
    record = procedure.record_step
    assert await zz.rejected(record(zz.ports, clerk, worker.id, "police", date(2024, 3, 2))) == StepDateFuture(
        date(2024, 3, 2)
    )
    assert await zz.rejected(record(zz.ports, clerk, worker.id, "police", date(1999, 3, 2))) == CalendarBeyond(1999)
    assert await zz.rejected(record(zz.ports, clerk, worker.id, "audit", date(2024, 3, 1))) == StepUnknown("audit")
    assert await zz.rejected(record(zz.ports, other, worker.id, "police", date(2024, 3, 1))) == NomineeNotFound(
        worker.id
    )
    await zz.once(nominees.withdraw(zz.ports, clerk, worker.id))
    assert await zz.rejected(record(zz.ports, clerk, worker.id, "police", date(2024, 3, 1))) == NomineeLocked(
        "withdrawn"
    )


async def test_submit_the_dashboard_and_a_reminder_name_the_open_steps(zz: World, catalogues: I18n) -> None:
    clerk = await zz.clerk(JINSHUI, 4201)
    ready = await zz.saved(clerk, "medal", person(4201, "一线产业工人"))
    late = await zz.saved(clerk, "medal", person(4202, "一线产业工人"))
    await zz.once(procedure.record_step(zz.ports, clerk, ready.id, "approval", date(2024, 2, 20)))
    await zz.once(procedure.record_step(zz.ports, clerk, ready.id, "notice_unit", date(2024, 2, 21)))  # ended 2-27

    # /submit (for the initial review, due 20 March) warns about the approval and unit notice only
    warned = await zz.nothing_written(submission.open_steps(zz.ports, clerk))
    assert [(info.id, [s.step.key for s in steps]) for info, steps in warned] == [
        (late.id, ["approval", "notice_unit"])
    ]

    board = await zz.nothing_written(dashboard.board(zz.ports, await zz.office(4203)))
    row = next(r for r in board.units if r.name == JINSHUI)
    assert dict(row.open_steps) == {"approval": 1, "notice_unit": 1, "police": 2, "notice_county": 2, "notice_city": 2}
    assert all(r.open_steps == () for r in board.units if r.name != JINSHUI)

    found = await reminders.pending(zz.ports, ZZ, "initial", "2024-03-20/d7")
    [notice] = [n for n in found.notices if n.user.tg_id == 4201]
    assert [(info.id, [s.step.key for s in steps]) for info, steps in notice.missing.steps] == [
        (late.id, ["approval", "notice_unit"])
    ]
    stage = next(s for s in found.campaign.stages if s.key == "initial")
    with catalogues.use_locale("zh"):
        text = reminder_text(found.campaign, stage, notice.missing, zz.clock())
    assert f"• #{late.id} 张4202 · 郑州市五一劳动奖章：尚未完成的程序步骤：职代会（职工大会）审议通过、单位公示" in text
    assert f"#{ready.id} " not in text
