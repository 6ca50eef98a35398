"""The procedure checklist of a nominee (core.checklist): its steps with their state, and a step
recorded with its date by the clerk of the nominee's unit or by the office. Every record is an
audit entry ("procedure", the step's old and new date), so the history keeps what was recorded."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from app import access
from app.nominees import own_nominee
from app.ports import AuditEntry, Ports, usecase
from core.campaign import Campaign
from core.checklist import StepState, checklist, due_by
from core.clock import local_date
from core.records import NomineeInfo, UserInfo
from core.refusals import NomineeLocked, Rejected, StepDateFuture, StepUnknown
from core.workdays import known_working_day


@dataclass(frozen=True)
class Procedure:
    """A nominee's checklist as of ``today`` (the campaign's zone)."""

    campaign: Campaign
    info: NomineeInfo
    steps: list[StepState]
    today: date


def procedure_of(campaign: Campaign, info: NomineeInfo, today: date) -> list[StepState]:
    return checklist(campaign, info.award, info.answers, info.procedure, today)


def due_steps(
    campaign: Campaign, nominees: Iterable[NomineeInfo], stage: str | None, today: date
) -> list[tuple[NomineeInfo, list[StepState]]]:
    """Each of ``nominees`` with the steps still open that ``stage`` requires (core.checklist.due_by);
    only those with any: what /submit warns about and a reminder lists."""
    out = []
    for info in nominees:
        steps = due_by(campaign, procedure_of(campaign, info, today), stage)
        if steps:
            out.append((info, steps))
    return out


@usecase
async def procedure(ports: Ports, user: UserInfo, nominee_id: int) -> Procedure:
    """The checklist of a nominee of the clerk's unit (the office: of any unit)."""
    async with ports.db.read() as tx:
        actor = await access.actor(tx, user)
        found = own_nominee(await tx.nominees.get(nominee_id), actor, nominee_id)
        campaign = await access.campaign_in(tx, actor.campaign_id)
        today = local_date(ports.clock(), campaign)
        return Procedure(campaign, found.info, procedure_of(campaign, found.info, today), today)


def check_step_date(campaign: Campaign, day: date, today: date) -> None:
    """Refuses a day after ``today`` or in a year no working-day calendar knows."""
    if day > today:
        raise Rejected(StepDateFuture(day))
    known_working_day(day, campaign.calendar)


@usecase
async def record_step(ports: Ports, user: UserInfo, nominee_id: int, step: str, day: date) -> Procedure:
    """Records that ``step`` was done (a notice: began) on ``day``; recording it again corrects the
    date. Allowed after submission (consultations come back later), not for a withdrawn nominee.
    Refusals: NomineeNotFound, NomineeLocked (withdrawn), StepUnknown, StepDateFuture, CalendarBeyond."""
    now = ports.clock()
    async with ports.db.write() as tx:
        actor = await access.actor(tx, user)
        found = own_nominee(await tx.nominees.get(nominee_id, lock=True), actor, nominee_id)
        info = found.info
        if info.status == "withdrawn":
            raise Rejected(NomineeLocked(info.status))
        campaign = await access.campaign_in(tx, actor.campaign_id)
        today = local_date(now, campaign)
        if not any(s.step.key == step for s in procedure_of(campaign, info, today)):
            raise Rejected(StepUnknown(step))
        check_step_date(campaign, day, today)
        old = info.procedure.get(step)
        recorded = {**info.procedure, step: day.isoformat()}
        await tx.nominees.update(info.id, procedure=recorded, updated_at=now)
        change = {step: [old, day.isoformat()]}
        await tx.audit.add(AuditEntry(now, actor.tg_id, campaign.id, "procedure", info.id, change))
        await tx.commit()
    new = replace(info, procedure=recorded, updated_at=now)
    return Procedure(campaign, new, procedure_of(campaign, new, today), today)


__all__ = ["Procedure", "check_step_date", "procedure", "procedure_of", "record_step"]
