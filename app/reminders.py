"""Reminders and date notices, each going out at most once per chat: a (campaign, unit, stage,
kind, chat) is claimed in the database before it is sent, so two schedulers, a restart between
claim and send or a clock jump find the claim and send nothing (DOMAIN.md "Deadlines and
reminders"). What a clerk is told comes from the same queries as /quota: the places still open per
reserved sub-quota, the unit's drafts not completed, and that the list is not submitted.

The use cases here decide and record; sending (paced, in the event loop) is bot/scheduler.py's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from app import access
from app.places import holding_answers
from app.ports import AuditEntry, Delivery, Ports, UnitOfWork, usecase
from app.procedure import due_steps
from core.campaign import Campaign
from core.checklist import StepState, due_stage
from core.clock import local_date
from core.deadlines import StageDate, closes_at, unfinished, with_dates
from core.quota import UnitAwardStatus, unit_status
from core.records import PLACE_HOLDING, Draft, NomineeInfo, UserInfo
from core.refusals import DatePassed, Rejected, StageUnknown
from core.workdays import known_working_day

SUMMARY = "summary"  # the unit name under which the office's summary of a round is claimed

Audience = str  # "unfinished": clerks of open, unsubmitted units; "all": every clerk of the campaign


@dataclass(frozen=True)
class Missing:
    """What a unit still has to do: per award its places (reserved sub-quotas with what they still
    need), the unfinished drafts of its clerks, and whether the list is submitted."""

    unit: str
    awards: tuple[UnitAwardStatus, ...]
    drafts: tuple[Draft, ...]
    submitted: bool
    # per nominee the procedure steps still open that the stage requires (core.checklist.due_by)
    steps: tuple[tuple[NomineeInfo, tuple[StepState, ...]], ...] = ()


@dataclass(frozen=True)
class Notice:
    """One message to one chat: the clerk, and what their unit still lacks."""

    user: UserInfo
    missing: Missing


@dataclass(frozen=True)
class Pending:
    """The chats a reminder (or date notice) has not reached yet, with the definition in force."""

    campaign: Campaign
    notices: tuple[Notice, ...]


@usecase
async def pending(
    ports: Ports, campaign_id: str, stage: str, kind: str, audience: Audience = "unfinished", unit: str | None = None
) -> Pending:
    """The clerks not yet claimed for ``(stage, kind)``: of units whose list is open and not
    submitted ("unfinished"; a unit that is done gets nothing), or of every active unit ("all"),
    optionally of one ``unit``. One reading; nothing claimed yet."""
    now = ports.clock()
    async with ports.db.read() as tx:
        campaign = await access.campaign_in(tx, campaign_id)
        done = await tx.reminders.claimed(campaign_id, stage, kind)
        clerks = [u for u in await tx.users.of_campaign(campaign_id, unit, "clerk") if u.tg_id not in done]
        if not clerks:
            return Pending(campaign, ())
        states = {s.name: s for s in await tx.units.all(campaign_id)}
        by_unit: dict[str, list[UserInfo]] = {}
        for clerk in clerks:
            state = states.get(clerk.unit or "")
            if state is None or not state.active:
                continue
            if audience == "unfinished" and not unfinished(campaign, state, now):
                continue
            by_unit.setdefault(state.name, []).append(clerk)
        notices: list[Notice] = []
        for name, members in sorted(by_unit.items()):
            missing = await _missing(tx, campaign, name, states[name].submitted_at is not None, stage, now)
            notices.extend(Notice(m, missing) for m in members)
        return Pending(campaign, tuple(notices))


async def _missing(
    uow: UnitOfWork, campaign: Campaign, unit: str, submitted: bool, stage: str, now: datetime
) -> Missing:
    try:
        unit_def = campaign.unit(unit)
    except KeyError:
        unit_def = None
    awards: tuple[UnitAwardStatus, ...] = ()
    if unit_def is not None:
        holding = await holding_answers(uow, campaign, unit, None)
        awards = tuple(
            unit_status(campaign, unit_def, a.key, [answers for award, answers in holding if award == a.key])
            for a in campaign.awards
        )
    drafts = tuple(await uow.drafts.of_unit(campaign.id, unit))
    steps = []
    if campaign.steps:
        today = local_date(now, campaign)
        due = stage if any(s.key == stage for s in campaign.stages) else due_stage(campaign, today)
        records = await uow.nominees.of_unit(campaign.id, unit, PLACE_HOLDING)
        principals = [r.info for r in records if r.info.alternate_for is None]
        steps = [(info, tuple(open_)) for info, open_ in due_steps(campaign, principals, due, today)]
    return Missing(unit, awards, drafts, submitted, tuple(steps))


@usecase
async def claim_many(
    ports: Ports, campaign_id: str, stage: str, kind: str, chats: Sequence[tuple[str, int]]
) -> list[int]:
    """Claims (unit, chat) pairs in one transaction; returns the chats claimed now (a chat another
    scheduler claimed first is left out: it gets nothing from this one)."""
    now = ports.clock()
    async with ports.db.write() as tx:
        won = [tg for unit, tg in chats if await tx.reminders.claim(campaign_id, unit, stage, kind, tg, now)]
        await tx.commit()
        return won


@usecase
async def claim(ports: Ports, campaign_id: str, unit: str, stage: str, kind: str, tg_id: int) -> bool:
    """True the first time only."""
    return bool(await claim_many(ports, campaign_id, stage, kind, [(unit, tg_id)]))


@usecase
async def settle(ports: Ports, campaign_id: str, stage: str, kind: str, outcomes: Sequence[tuple[int, str]]) -> None:
    """Records what became of claimed chats: "sent", "blocked" (403) or "failed"."""
    async with ports.db.write() as tx:
        for tg_id, outcome in outcomes:
            await tx.reminders.settle(campaign_id, stage, kind, tg_id, outcome)
        await tx.commit()


@usecase
async def deliveries(ports: Ports, campaign_id: str, stage: str, kind: str) -> list[Delivery]:
    """Every chat of a reminder with its outcome, the office's summary excluded."""
    async with ports.db.read() as tx:
        return [d for d in await tx.reminders.deliveries(campaign_id, stage, kind) if d.unit != SUMMARY]


# --------------------------------------------------------------------------- stage dates


@dataclass(frozen=True)
class DateSet:
    """A stage's date set or moved: the old one (None: to be announced), the new one, and whether
    the new day is an official working day."""

    campaign: Campaign
    stage: str
    old: date | None
    new: StageDate
    working_day: bool


def check_date(campaign: Campaign, stage: str, day: date, today: date) -> bool:
    """Refuses an unknown stage, a day already passed, or a year no calendar knows; returns
    whether ``day`` is an official working day."""
    if not any(s.key == stage for s in campaign.stages):
        raise Rejected(StageUnknown(stage))
    if day < today:
        raise Rejected(DatePassed(day))
    return known_working_day(day, campaign.calendar)


@usecase
async def set_date(
    ports: Ports, user: UserInfo | None, campaign_id: str, stage: str, day: date, at: time | None = None
) -> DateSet:
    """Sets or moves a stage's date (office staff from the chat; ``user`` None: the operator at the
    command line). Stored beside the definition, laid over it from now on; the clerks are told by
    the scheduler (a date notice, once per chat)."""
    now = ports.clock()
    async with ports.db.write() as tx:
        if user is not None:
            await access.actor(tx, user, "office")
        stored = await tx.campaigns.stored(campaign_id, lock=True)
        campaign = await access.campaign_in(tx, campaign_id)
        assert stored is not None
        working = check_date(campaign, stage, day, local_date(now, campaign))
        old = next(s for s in campaign.stages if s.key == stage)
        new = StageDate(stage, day, at)
        moment = closes_at(campaign, old.model_copy(update={"deadline": day, "time": at}))
        if moment is not None and moment <= now:
            raise Rejected(DatePassed(day))
        await tx.campaigns.set_date(campaign_id, new, None if user is None else user.tg_id, now)
        note = f"{stage}: {old.deadline} → {day}{'' if at is None else f' {at:%H:%M}'}"
        await tx.audit.add(AuditEntry(now, None if user is None else user.tg_id, campaign_id, "stage_date", note=note))
        await tx.commit()
    return DateSet(with_dates(campaign, [new]), stage, old.deadline, new, working)


@usecase
async def stage_dates(ports: Ports, campaign_id: str) -> list[StageDate]:
    """The dates the office set or moved (each gets a notice to every clerk, once per chat)."""
    async with ports.db.read() as tx:
        return await tx.campaigns.dates(campaign_id)


def date_kind(d: StageDate) -> str:
    """The claim kind of a date notice: one per date (and hour) a stage is given."""
    return f"date/{d.deadline.isoformat()}" + ("" if d.time is None else f"T{d.time:%H%M}")


__all__ = [
    "SUMMARY",
    "DateSet",
    "Missing",
    "Notice",
    "Pending",
    "check_date",
    "claim",
    "claim_many",
    "date_kind",
    "deliveries",
    "pending",
    "set_date",
    "settle",
    "stage_dates",
]
