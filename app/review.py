"""The office's decisions: a nominee accepted (初审通过), returned with a reason, approved or not
(final), reopened; a whole unit's list reopened (DOMAIN.md "Status of a nominee")."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from app import access
from app.nominees import own_nominee
from app.places import UNIT_CLAIM, Refused, move_limits, reclaim, release, take_unit_place
from app.ports import AuditEntry, NomineeRecord, Ports, UnitOfWork, usecase
from core.campaign import Campaign
from core.clock import local_date
from core.quota import limits_hit
from core.records import HistoryEntry, NomineeInfo, ReviewAction, Status, UnitState, UserInfo, holds_place
from core.refusals import (
    DatePassed,
    NomineeChanged,
    PromoteInvalid,
    Rejected,
    ReviewNoPlace,
    ReviewNoteRequired,
    ReviewTransition,
    UnitUnknown,
)
from core.workdays import known_working_day

# action → (the statuses it applies to, the status it leads to, the audit log's word for it)
TRANSITIONS: dict[ReviewAction, tuple[frozenset[str], Status, str]] = {
    "accept": (frozenset({"submitted"}), "accepted", "accepted"),
    "return": (frozenset({"submitted", "accepted"}), "returned", "returned"),
    "approve": (frozenset({"accepted"}), "approved", "approved"),
    "not_approve": (frozenset({"submitted", "accepted"}), "not_approved", "not_approved"),
    "reopen": (frozenset({"accepted", "approved", "not_approved", "returned"}), "submitted", "reopened"),
}


def transition(status: str, action: ReviewAction, note: str | None) -> Status:
    """The status ``action`` leads to from ``status``; refused when it does not apply, or when a
    return has no reason for the clerk."""
    sources, target, _word = TRANSITIONS[action]
    if action == "return" and not (note and note.strip()):
        raise Rejected(ReviewNoteRequired())
    if status not in sources:
        raise Rejected(ReviewTransition(status, action))
    return target


@usecase
async def review(
    ports: Ports,
    user: UserInfo,
    nominee_id: int,
    action: ReviewAction,
    note: str | None = None,
    *,
    version: int | None = None,
) -> NomineeInfo:
    """The office's decision on one nominee; one leaving the place-holding statuses gives its places
    back, one coming back takes them again (refused when a cap is reached meanwhile).

    ``version``: the nominee's version the office was shown; when it changed since (a colleague
    decided first, the clerk edited it) the decision is refused with :class:`NomineeChanged`, so
    two office members pressing at once never both apply."""
    async with ports.db.write() as tx:
        actor = await access.actor(tx, user, "office")
        unit = await tx.nominees.unit_of(nominee_id)
        if unit is not None:  # the unit's row first, as in every use case that moves counters
            await tx.units.get(actor.campaign_id, unit, lock=True)
        campaign = await access.campaign_in(tx, actor.campaign_id)
        record = own_nominee(await tx.nominees.get(nominee_id, lock=True), actor, nominee_id)
        if version is not None and record.info.version != version:
            raise Rejected(NomineeChanged(nominee_id))
        old = record.info.status
        target = transition(old, action, note)
        was = holds_place(old, record.info.alternate_for)
        will = holds_place(target, record.info.alternate_for)
        claims = list(record.claims)
        try:
            if was and not will:
                await release(tx, record)
                claims = []
            elif will and not was:
                claims = await reclaim(tx, campaign, record)
        except Refused as refused:
            raise Rejected(ReviewNoPlace(refused.refusals)) from None
        now = ports.clock()
        clean = note.strip() if note else None
        version = record.info.version + 1
        await tx.nominees.update(nominee_id, status=target, note=clean, claims=claims, updated_at=now, version=version)
        word = TRANSITIONS[action][2]
        change = {"status": [old, target]}
        await tx.audit.add(AuditEntry(now, actor.tg_id, campaign.id, word, nominee_id, change, clean))
        await tx.commit()
    return replace(record.info, status=target, note=clean, updated_at=now, version=version)


def check_until(campaign: Campaign, until: date, today: date) -> None:
    """Refuses a reopening's last day that has passed (``today``: the campaign's zone), or one in a
    year no working-day calendar knows (as a stage's date is refused: an unknown year is more
    likely a typing slip than an intended date)."""
    if until < today:
        raise Rejected(DatePassed(until))
    known_working_day(until, campaign.calendar)


@usecase
async def reopen(ports: Ports, user: UserInfo, unit: str, until: date | None = None) -> int:
    """Opens a unit's list again (after a submit or a passed deadline); its submitted nominees
    become editable. ``until``: the last day it stays open after the deadline (the campaign's
    zone; refused by :func:`check_until`); None: until the office or a submission closes it.
    Returns how many nominees were reopened."""
    async with ports.db.write() as tx:
        actor = await access.actor(tx, user, "office")
        state = await tx.units.get(actor.campaign_id, unit, lock=True)
        if state is None or not state.active:
            raise Rejected(UnitUnknown(unit))
        campaign = await access.campaign_in(tx, actor.campaign_id)
        now = ports.clock()
        if until is not None:
            check_until(campaign, until, local_date(now, campaign))
        records = await tx.nominees.of_unit(campaign.id, unit, frozenset({"submitted"}), lock=True)
        for r in records:
            await tx.nominees.update(r.info.id, status="saved", updated_at=now, version=r.info.version + 1)
            change = {"status": ["submitted", "saved"]}
            await tx.audit.add(AuditEntry(now, actor.tg_id, campaign.id, "reopened", r.info.id, change))
        await tx.units.set_submitted(campaign.id, unit, None, None)
        await tx.units.set_reopened(campaign.id, unit, now, until)
        note = unit if until is None else f"{unit} → {until.isoformat()}"
        await tx.audit.add(AuditEntry(now, actor.tg_id, campaign.id, "unit_reopened", note=note))
        await tx.commit()
        return len(records)


# the statuses in which an alternate may take its principal's place, and the principal's
PROMOTABLE: frozenset[str] = frozenset({"submitted", "accepted"})
REPLACEABLE: frozenset[str] = frozenset({"submitted", "accepted", "not_approved"})


@dataclass(frozen=True)
class Promotion:
    """An alternate that took its principal's place: both as they are now."""

    alternate: NomineeInfo
    principal: NomineeInfo


@usecase
async def promote(ports: Ports, user: UserInfo, alternate_id: int, *, version: int | None = None) -> Promotion:
    """The alternate (备选) takes the place of its enterprise head or 科级 cadre, who is not approved
    (郑工办〔2024〕6号: the alternate "stands in only if the head or cadre is not approved").

    In one transaction: a principal still submitted or accepted becomes ``not_approved``; the
    places it held move to the alternate — the unit's (unit, award) place stays taken, the
    city-wide counters move from the principal's keys to the alternate's, in key order (the pool
    of enterprise heads is given back, the award's total stays) — or, for a principal already not
    approved (its places given back then), the alternate takes them again (refused with
    :class:`ReviewNoPlace` when a cap was reached meanwhile). The alternate is no longer an
    alternate afterwards (``alternate_for`` None: it holds the place); both histories say so.

    Refused with :class:`PromoteInvalid` when the nominee is no alternate, its principal is not
    submitted, accepted or not approved, or the alternate itself is not submitted or accepted;
    with :class:`NomineeChanged` when ``version`` (the alternate's, as shown) is out of date."""
    async with ports.db.write() as tx:
        actor = await access.actor(tx, user, "office")
        unit = await tx.nominees.unit_of(alternate_id)
        if unit is not None:  # the unit's row first: both nominees are of it
            await tx.units.get(actor.campaign_id, unit, lock=True)
        campaign = await access.campaign_in(tx, actor.campaign_id)
        alternate = own_nominee(await tx.nominees.get(alternate_id, lock=True), actor, alternate_id)
        info = alternate.info
        if version is not None and info.version != version:
            raise Rejected(NomineeChanged(alternate_id))
        if info.alternate_for is None:
            raise Rejected(PromoteInvalid(alternate_id, "not_alternate"))
        found = await tx.nominees.get(info.alternate_for, lock=True)
        if found is None or found.info.status not in REPLACEABLE:
            status = found.info.status if found is not None else "withdrawn"
            raise Rejected(PromoteInvalid(info.alternate_for, "principal", status))
        if info.status not in PROMOTABLE:
            raise Rejected(PromoteInvalid(alternate_id, "alternate", info.status))
        principal: NomineeRecord = found
        now = ports.clock()
        try:
            claims = await _take_over(tx, campaign, principal, alternate)
        except Refused as refused:
            raise Rejected(ReviewNoPlace(refused.refusals)) from None
        old = principal.info.status
        p_version = principal.info.version + 1
        note = f"#{alternate_id}"
        await tx.nominees.update(principal.info.id, status="not_approved", claims=[], updated_at=now, version=p_version)
        changes: dict[str, list[object]] = {"status": [old, "not_approved"]} if old != "not_approved" else {}
        await tx.audit.add(AuditEntry(now, actor.tg_id, campaign.id, "replaced", principal.info.id, changes, note))
        a_version = info.version + 1
        await tx.nominees.update(alternate_id, alternate_for=None, claims=claims, updated_at=now, version=a_version)
        change = {"alternate_for": [principal.info.id, None]}
        await tx.audit.add(
            AuditEntry(now, actor.tg_id, campaign.id, "promoted", alternate_id, change, f"#{principal.info.id}")
        )
        await tx.commit()
    return Promotion(
        replace(info, alternate_for=None, updated_at=now, version=a_version),
        replace(principal.info, status="not_approved", updated_at=now, version=p_version),
    )


async def _take_over(
    tx: UnitOfWork, campaign: Campaign, principal: NomineeRecord, alternate: NomineeRecord
) -> list[str]:
    """The counters move from the principal to the alternate: the claims the alternate holds."""
    info = alternate.info
    held = set(principal.claims) if holds_place(principal.info.status, None) else set()
    claims: list[str] = []
    if UNIT_CLAIM in held and principal.info.award == info.award:
        claims.append(UNIT_CLAIM)  # the same (unit, award) place: it stays taken
    else:
        if UNIT_CLAIM in held:
            await tx.counters.release_unit(campaign.id, principal.info.unit, principal.info.award)
        claims += await take_unit_place(tx, campaign, info)
    wanted = {lim.key: lim for lim in limits_hit(campaign, info.award, info.answers)}
    if principal.info.award == info.award:
        await move_limits(tx, campaign.id, info.award, wanted, held - {UNIT_CLAIM})
    else:  # never with the definitions' alternate rule (same award); kept exact all the same
        await move_limits(tx, campaign.id, principal.info.award, {}, held - {UNIT_CLAIM})
        await move_limits(tx, campaign.id, info.award, wanted, set())
    return claims + sorted(wanted)


# --------------------------------------------------------------------------- what the office reads

LISTED: frozenset[str] = frozenset(
    {"saved", "submitted", "returned", "accepted", "approved", "not_approved"}
)  # a unit's list as the office reviews it: everything but withdrawn


@dataclass(frozen=True)
class UnitOverview:
    """One unit in /review's chooser: its nominees (not withdrawn), those awaiting a decision
    (submitted), when the unit handed its list in (None: not yet, or reopened) and the last day
    the office reopened it until (None: no such limit)."""

    name: str
    total: int
    waiting: int
    submitted_at: datetime | None
    open_until: date | None = None


@usecase
async def units(ports: Ports, user: UserInfo) -> list[UnitOverview]:
    """Every active unit of the office's campaign: those with the most nominees awaiting a decision
    first, then those with nominees, then the rest, each in the definition's order."""
    async with ports.db.read() as tx:
        actor = await access.actor(tx, user, "office")
        campaign = await access.campaign_in(tx, actor.campaign_id)
        states = {s.name: s for s in await tx.units.all(campaign.id) if s.active}
        live = await tx.nominees.live(campaign.id)
    out = []
    for unit in campaign.units:
        state = states.get(unit.name)
        if state is None:
            continue
        mine = [r.info for r in live if r.info.unit == unit.name and r.info.status in LISTED]
        waiting = sum(1 for n in mine if n.status == "submitted")
        out.append(UnitOverview(unit.name, len(mine), waiting, state.submitted_at, state.open_until))
    return sorted(out, key=lambda o: (-o.waiting, o.total == 0))  # a stable sort keeps the definition's order


@dataclass(frozen=True)
class UnitList:
    """A unit's list as the office reviews it: its state (places given up at /submit included)
    and its nominees but the withdrawn, by award in the definition's order, then by number."""

    state: UnitState
    nominees: list[NomineeInfo]


@usecase
async def unit_list(ports: Ports, user: UserInfo, unit: str) -> UnitList:
    async with ports.db.read() as tx:
        actor = await access.actor(tx, user, "office")
        campaign = await access.campaign_in(tx, actor.campaign_id)
        state = await tx.units.get(campaign.id, unit)
        if state is None or not state.active:
            raise Rejected(UnitUnknown(unit))
        records = await tx.nominees.of_unit(campaign.id, unit, LISTED)
    order = {a.key: i for i, a in enumerate(campaign.awards)}
    listed = sorted((r.info for r in records), key=lambda n: (order.get(n.award, len(order)), n.id))
    return UnitList(state, listed)


@dataclass(frozen=True)
class OfficeRecord:
    """One nominee as the office reviews it: the nominee, the counters it holds (``"unit"`` and
    city-wide limit keys), its alternates that are not withdrawn, its whole history (oldest
    first) and who acted in it (Telegram id → "office", a unit's name for its clerk)."""

    info: NomineeInfo
    claims: tuple[str, ...]
    alternates: list[NomineeInfo]
    history: list[HistoryEntry]
    actors: dict[int, str]


@usecase
async def record(ports: Ports, user: UserInfo, nominee_id: int) -> OfficeRecord:
    async with ports.db.read() as tx:
        actor = await access.actor(tx, user, "office")
        found = own_nominee(await tx.nominees.get(nominee_id), actor, nominee_id)
        alternates = [a.info for a in await tx.nominees.alternates_of(nominee_id)]
        history = await tx.audit.history(nominee_id)
        people = await tx.users.of_campaign(actor.campaign_id, None, None)
    actors = {u.tg_id: "office" if u.role == "office" else (u.unit or "") for u in people}
    return OfficeRecord(found.info, found.claims, alternates, history, actors)


__all__ = [
    "LISTED",
    "PROMOTABLE",
    "REPLACEABLE",
    "TRANSITIONS",
    "OfficeRecord",
    "Promotion",
    "UnitList",
    "UnitOverview",
    "check_until",
    "promote",
    "record",
    "reopen",
    "review",
    "transition",
    "unit_list",
    "units",
]
