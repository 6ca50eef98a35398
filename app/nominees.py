"""A clerk's nominees: save (new or edited) and withdraw (the advisory checks behind the chat's
buttons are app.prechecks; the places themselves app.places).

How places stay exact under any concurrency (DESIGN.md, storage/): the clerk's unit row is locked
first, so everything the quota engine reads about the unit cannot change underneath it; the unit's
place is claimed with a conditional increment checked by its row count; the quota engine then
checks that the list can still be completed; the city-wide counters (award totals, divisions,
pools) are claimed last, in key order, just before the one commit. Uniqueness of a person or
organisation is the database's constraint on the identity hash.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any, Literal

from app import access
from app.places import UNIT_CLAIM, Refused, claim_unit, move_limits, release
from app.ports import AuditEntry, IdentityTaken, NomineeRecord, Ports, UnitOfWork, usecase
from app.stored import diff, identity_hash, json_safe
from core.campaign import Campaign
from core.deadlines import closed, closed_for
from core.eligibility import evaluate
from core.errors import Ineligible
from core.form import IntakeForm
from core.identity import identity_key
from core.quota import (
    Limit,
    limits_hit,
    needs_alternate,
    valid_alternate,
)
from core.records import EDITABLE, NomineeInfo, SaveOutcome, UnitState, UserInfo, holds_place
from core.refusals import (
    AlternateInvalid,
    AwardUnknown,
    Change,
    ChangedMeanwhile,
    Duplicate,
    NomineeChanged,
    NomineeIncomplete,
    NomineeLocked,
    NomineeNotFound,
    Problem,
    Rejected,
)

SAVE_ATTEMPTS = 3  # a save that lost the identity race to a nominee withdrawn meanwhile is retried


class LostRace(Exception):
    """The identity constraint fired at the insert: who holds the person is read after rollback."""

    def __init__(self, identity: str) -> None:
        super().__init__("identity taken")
        self.identity = identity


def duplicate_of(actor: UserInfo, holder: tuple[str, str, int]) -> Duplicate:
    """The refusal for an identity held by ``holder`` (unit, award, id): the nominee's number is
    told to the clerk of its own unit only."""
    unit, award, nominee_id = holder
    return Duplicate(unit, award, nominee_id if unit == actor.unit else None)


async def unchanged_since(tx: UnitOfWork, actor: UserInfo, info: NomineeInfo, version: int | None) -> None:
    """Refuses a change asked on ``version`` of a nominee stored since in a later one (None: not
    checked), saying what happened meanwhile: each version after it is one entry of the history."""
    if version is None or version == info.version:
        return
    # a procedure step recorded is no new version of the answers (app.procedure)
    history = [e for e in await tx.audit.history(info.id) if e.action != "procedure"]
    since = history[-(info.version - version) :] if info.version > version else history[-1:]
    who: dict[int | None, Literal["you", "unit", "office", "unknown"]] = {None: "unknown", actor.tg_id: "you"}
    for entry in since:
        if entry.actor not in who:
            other = await tx.users.get(entry.actor) if entry.actor is not None else None
            who[entry.actor] = "unknown" if other is None else ("office" if other.role == "office" else "unit")
    changes = tuple(
        Change(entry.at, who[entry.actor], entry.action, tuple(k for k in entry.changes if k != "status"))
        for entry in since
    )
    raise Rejected(ChangedMeanwhile(info.id, changes))


def own_nominee(record: NomineeRecord | None, actor: UserInfo, nominee_id: int) -> NomineeRecord:
    """Another unit's nominee is "not found" for a clerk: its existence is none of their business."""
    if (
        record is None
        or record.info.campaign_id != actor.campaign_id
        or (actor.role == "clerk" and record.info.unit != actor.unit)
    ):
        raise Rejected(NomineeNotFound(nominee_id))
    return record


# --------------------------------------------------------------------------- saving


@usecase
async def save(
    ports: Ports,
    user: UserInfo,
    award: str,
    answers: Mapping[str, Any],
    *,
    nominee_id: int | None = None,
    alternate_for: int | None = None,
    version: int | None = None,
    from_draft: bool = False,
) -> SaveOutcome:
    """Saves a complete nominee (new, or an edit of ``nominee_id`` begun on its ``version``) with
    its places, or refuses. ``from_draft``: the clerk's draft is removed in the same transaction,
    so a crash leaves either the draft or the nominee, never both.

    Refusals (quota, eligibility, a duplicate) come back in the outcome; a closed list, a missing
    answer, a bad alternate, a nominee not of the clerk's unit, or one changed since ``version``
    (:class:`ChangedMeanwhile`) raise :class:`Rejected`."""
    clean = json_safe(answers)
    for _attempt in range(SAVE_ATTEMPTS):
        try:
            async with ports.db.write() as tx:
                info = await save_in(ports, tx, user, award, clean, nominee_id, alternate_for, version)
                if from_draft:
                    await tx.drafts.drop(user.tg_id)
                await tx.commit()
            return SaveOutcome(info)
        except Refused as refused:
            return SaveOutcome(None, refused.refusals)
        except LostRace as race:
            async with ports.db.read() as tx:
                holder = await tx.nominees.holder(user.campaign_id, race.identity, nominee_id)
            if holder is not None:
                return SaveOutcome(None, (duplicate_of(user, holder),))
            # The holder was withdrawn in the meantime: try again.
    raise Rejected(NomineeChanged(nominee_id))  # pragma: no cover - three lost races in a row


async def save_in(
    ports: Ports,
    tx: UnitOfWork,
    user: UserInfo,
    award_key: str,
    answers: dict[str, Any],
    nominee_id: int | None,
    alternate_for: int | None,
    version: int | None = None,
    *,
    later: frozenset[str] = frozenset(),
    city_wide: bool = True,
) -> NomineeInfo:
    """``later``: answers that may still be missing (a template's rows are saved without their
    photo, which is added in the chat by /edit; /status and /submit name it until then).
    ``city_wide=False`` (a new nominee only): the city-wide counters are left to the caller, who
    claims those of several nominees together, last and in key order (app.imports)."""
    campaign, actor, unit_state = await access.enter(tx, user)
    assert actor.unit is not None
    try:
        award = campaign.award(award_key)
    except KeyError:
        raise Rejected(AwardUnknown(award_key)) from None
    unit = access.unit_of(campaign, actor.unit)
    now = ports.clock()

    current: NomineeRecord | None = None
    if nominee_id is not None:
        current = own_nominee(await tx.nominees.get(nominee_id, lock=True), actor, nominee_id)
        if current.info.status not in EDITABLE:
            raise Rejected(NomineeLocked(current.info.status))
        await unchanged_since(tx, actor, current.info, version)
        if current.info.award != award_key:
            raise Rejected(NomineeChanged(nominee_id))
        alternate_for = current.info.alternate_for
    gate = closed_for(campaign, unit_state, current.info.status if current else None, now)
    if gate is not None:
        raise Rejected(gate)

    form = IntakeForm(campaign, award_key, alternate=alternate_for is not None)
    missing = [key for key in form.missing(answers) if key not in later]
    if missing:
        raise Rejected(NomineeIncomplete(tuple(missing)))
    hard = evaluate(campaign, award_key, answers).hard
    if hard:
        raise Refused([Ineligible(r.key, r.message, r.message_en) for r in hard])
    key = identity_key(award, answers)
    if key is None:
        raise Rejected(NomineeIncomplete(("id_number" if award.kind == "individual" else "org_name",)))
    identity = identity_hash(key)
    holder = await tx.nominees.holder(campaign.id, identity, nominee_id)
    if holder is not None:
        raise Refused([duplicate_of(actor, holder)])

    wanted: dict[str, Limit] = {}  # the city-wide counters the nominee will hold
    claims: list[str] = []
    if alternate_for is not None:  # an alternate holds no place
        await _check_alternate(tx, campaign, actor, award_key, answers, alternate_for, nominee_id)
    else:
        claims = await claim_unit(tx, campaign, unit, award_key, answers, current)
        wanted = {lim.key: lim for lim in limits_hit(campaign, award_key, answers)}
        claims += sorted(wanted)

    try:
        info, changes, action, held = await _write(
            tx, actor, campaign, award_key, answers, identity, claims, current, alternate_for, now
        )
    except IdentityTaken:
        raise LostRace(identity) from None
    await tx.audit.add(AuditEntry(now, actor.tg_id, campaign.id, action, info.id, changes))
    if alternate_for is None and city_wide:
        # City-wide counters last: the rows every unit contends for are held only until commit.
        await move_limits(tx, campaign.id, award_key, wanted, held)
    return info


async def _write(
    tx: UnitOfWork,
    actor: UserInfo,
    campaign: Campaign,
    award_key: str,
    answers: dict[str, Any],
    identity: str,
    claims: list[str],
    current: NomineeRecord | None,
    alternate_for: int | None,
    now: datetime,
) -> tuple[NomineeInfo, dict[str, list[Any]], str, set[str]]:
    """Inserts or updates the nominee: (its info, the audit changes, the action, the city-wide
    counters it held before)."""
    if current is None:
        assert actor.unit is not None
        info = NomineeInfo(
            id=0,
            campaign_id=campaign.id,
            unit=actor.unit,
            award=award_key,
            status="saved",
            answers=answers,
            alternate_for=alternate_for,
            created_by=actor.tg_id,
            created_at=now,
            updated_at=now,
        )
        info = replace(info, id=await tx.nominees.add(info, identity, claims))
        return info, diff({}, answers, campaign), "created", set()
    version = current.info.version + 1
    await tx.nominees.update(
        current.info.id, answers=answers, identity=identity, claims=claims, updated_at=now, version=version
    )
    held = {k for k in current.claims if k != UNIT_CLAIM}
    info = replace(current.info, answers=answers, updated_at=now, version=version)
    return info, diff(current.info.answers, answers, campaign), "edited", held


@usecase
async def editable(ports: Ports, user: UserInfo, nominee_id: int) -> NomineeInfo:
    """The clerk's nominee if it may still be changed or withdrawn (saved, or returned by the
    office): asked before an edit or a withdrawal starts, so the clerk is told at once."""
    async with ports.db.read() as tx:
        actor, campaign, unit_state = await access.reading(tx, user, "clerk")
        found = own_nominee(await tx.nominees.get(nominee_id), actor, nominee_id).info
        gate = change_gate(campaign, unit_state, found, ports.clock())
        if gate is not None:
            raise Rejected(gate)
        return found


def change_gate(campaign: Campaign, unit: UnitState, info: NomineeInfo, now: datetime) -> Problem | None:
    """Why a clerk may not change or withdraw ``info`` now, None while they may: a closed list
    (said with whom to ask), else a status past 已保存/退回修改. A nominee the office returned may
    be corrected after the deadline."""
    if info.status in ("saved", "submitted"):
        gate = closed(campaign, unit, now)
        if gate is not None:
            return gate
    return NomineeLocked(info.status) if info.status not in EDITABLE else None


@usecase
async def entry_open(ports: Ports, user: UserInfo) -> None:
    """Asked before ``/new`` shows anything: refused (:class:`Rejected` with the
    :data:`~core.refusals.Closed` reason) once the clerk's list is submitted or its deadline passed."""
    async with ports.db.read() as tx:
        _actor, campaign, unit_state = await access.reading(tx, user, "clerk")
        gate = closed(campaign, unit_state, ports.clock())
        if gate is not None:
            raise Rejected(gate)


async def duplicate(
    ports: Ports, user: UserInfo, award_key: str, answers: Mapping[str, Any], *, exclude: int | None = None
) -> Duplicate | None:
    """Is the person (ID number) or organisation these answers name already nominated in the
    campaign (by any unit, ``exclude`` — the nominee being edited — left out)? Asked as soon as
    the identifying answer is typed, so the clerk is not told only at the save (which still checks)."""
    async with ports.db.read() as tx:
        actor = await access.actor(tx, user, "clerk")
        campaign = await access.campaign_in(tx, actor.campaign_id)
        try:
            award = campaign.award(award_key)
        except KeyError:
            raise Rejected(AwardUnknown(award_key)) from None
        key = identity_key(award, answers)
        if key is None:
            return None
        holder = await tx.nominees.holder(campaign.id, identity_hash(key), exclude)
        return None if holder is None else duplicate_of(actor, holder)


@usecase
async def alternate_principal(ports: Ports, user: UserInfo, nominee_id: int) -> NomineeInfo:
    """The nominee an alternate (备选) is about to be entered for, if it may have one now: still in
    the clerk's list and changeable, of a kind that needs one (郑工办〔2024〕6号), and without one
    yet — so the clerk is told before the questions, not at the save."""
    async with ports.db.read() as tx:
        actor = await access.actor(tx, user, "clerk")
        campaign = await access.campaign_in(tx, actor.campaign_id)
        principal = own_nominee(await tx.nominees.get(nominee_id), actor, nominee_id).info
        if principal.status not in EDITABLE:
            raise Rejected(NomineeLocked(principal.status))
        if principal.alternate_for is not None or not needs_alternate(campaign, principal.award, principal.answers):
            raise Rejected(AlternateInvalid(nominee_id, "not_needed"))
        if await tx.nominees.alternates_of(nominee_id):
            raise Rejected(AlternateInvalid(nominee_id, "exists"))
        return principal


async def _check_alternate(
    tx: UnitOfWork,
    campaign: Campaign,
    actor: UserInfo,
    award_key: str,
    answers: Mapping[str, Any],
    principal_id: int,
    nominee_id: int | None,
) -> None:
    """郑工办〔2024〕6号: an enterprise head or 科级 cadre needs one alternate (备选) of the named
    frontline kind, linked to it and holding no place of its own."""
    principal = await tx.nominees.get(principal_id)
    if (
        principal is None
        or principal.info.campaign_id != campaign.id
        or principal.info.unit != actor.unit
        or principal.info.award != award_key
        or not holds_place(principal.info.status, principal.info.alternate_for)
    ):
        raise Rejected(AlternateInvalid(principal_id, "principal_gone"))
    if not needs_alternate(campaign, award_key, principal.info.answers):
        raise Rejected(AlternateInvalid(principal_id, "not_needed"))
    if not valid_alternate(campaign, award_key, answers):
        raise Rejected(AlternateInvalid(principal_id, "category"))
    if await tx.nominees.alternates_of(principal_id, exclude=nominee_id):
        raise Rejected(AlternateInvalid(principal_id, "exists"))


# --------------------------------------------------------------------------- withdrawing


@usecase
async def withdraw(ports: Ports, user: UserInfo, nominee_id: int) -> NomineeInfo:
    """Frees every place the nominee took, and withdraws its alternate with it. Not checked against
    the version the clerk was shown: a withdrawal writes no answers, so it undoes no one's edit
    (the reply names the nominee as it was withdrawn; one withdrawn meanwhile is NomineeLocked)."""
    async with ports.db.write() as tx:
        campaign, actor, unit_state = await access.enter(tx, user)
        record = own_nominee(await tx.nominees.get(nominee_id, lock=True), actor, nominee_id)
        if record.info.status not in EDITABLE:
            raise Rejected(NomineeLocked(record.info.status))
        now = ports.clock()
        gate = closed_for(campaign, unit_state, record.info.status, now)
        if gate is not None:
            raise Rejected(gate)
        alternates = await tx.nominees.alternates_of(record.info.id, lock=True)
        for target in [record, *alternates]:
            await release(tx, target)
            version = target.info.version + 1
            await tx.nominees.update(
                target.info.id, status="withdrawn", identity=None, claims=[], updated_at=now, version=version
            )
            change = {"status": [target.info.status, "withdrawn"]}
            await tx.audit.add(AuditEntry(now, actor.tg_id, campaign.id, "withdrawn", target.info.id, change))
        await tx.commit()
    return replace(record.info, status="withdrawn", updated_at=now, version=record.info.version + 1)


# --------------------------------------------------------------------------- prechecks


__all__ = [
    "LostRace",
    "alternate_principal",
    "change_gate",
    "duplicate",
    "duplicate_of",
    "editable",
    "entry_open",
    "own_nominee",
    "save",
    "save_in",
    "unchanged_since",
    "withdraw",
]
