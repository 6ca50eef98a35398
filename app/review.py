"""The office's decisions: a nominee accepted (初审通过), returned with a reason, approved or not
(final), reopened; a whole unit's list reopened (DOMAIN.md "Status of a nominee")."""

from __future__ import annotations

from dataclasses import dataclass, replace

from app import access
from app.nominees import own_nominee
from app.places import UNIT_CLAIM, Refused, move_limits, reclaim, release
from app.ports import AuditEntry, NomineeRecord, Ports, UnitOfWork, usecase
from core.campaign import Campaign
from core.quota import limits_hit, unit_refusal
from core.records import NomineeInfo, ReviewAction, Status, UserInfo, holds_place
from core.refusals import (
    NomineeChanged,
    PromoteInvalid,
    Rejected,
    ReviewNoPlace,
    ReviewNoteRequired,
    ReviewTransition,
    UnitUnknown,
)

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


@usecase
async def reopen(ports: Ports, user: UserInfo, unit: str) -> int:
    """Opens a unit's list again (after a submit or a passed deadline); its submitted nominees
    become editable. Returns how many nominees were reopened."""
    async with ports.db.write() as tx:
        actor = await access.actor(tx, user, "office")
        state = await tx.units.get(actor.campaign_id, unit, lock=True)
        if state is None or not state.active:
            raise Rejected(UnitUnknown(unit))
        campaign = await access.campaign_in(tx, actor.campaign_id)
        records = await tx.nominees.of_unit(campaign.id, unit, frozenset({"submitted"}), lock=True)
        now = ports.clock()
        for r in records:
            await tx.nominees.update(r.info.id, status="saved", updated_at=now, version=r.info.version + 1)
            change = {"status": ["submitted", "saved"]}
            await tx.audit.add(AuditEntry(now, actor.tg_id, campaign.id, "reopened", r.info.id, change))
        await tx.units.set_submitted(campaign.id, unit, None, None)
        await tx.units.set_reopened(campaign.id, unit, now)
        await tx.audit.add(AuditEntry(now, actor.tg_id, campaign.id, "unit_reopened", note=unit))
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
        counter = await tx.counters.unit(campaign.id, info.unit, info.award)
        if counter is not None:
            if not await tx.counters.take_unit(campaign.id, info.unit, info.award):
                raise Refused([unit_refusal(campaign, info.award, counter.cap, counter.used)])
            claims.append(UNIT_CLAIM)
    wanted = {lim.key: lim for lim in limits_hit(campaign, info.award, info.answers)}
    if principal.info.award == info.award:
        await move_limits(tx, campaign.id, info.award, wanted, held - {UNIT_CLAIM})
    else:  # never with the definitions' alternate rule (same award); kept exact all the same
        await move_limits(tx, campaign.id, principal.info.award, {}, held - {UNIT_CLAIM})
        await move_limits(tx, campaign.id, info.award, wanted, set())
    return claims + sorted(wanted)


__all__ = ["PROMOTABLE", "REPLACEABLE", "TRANSITIONS", "Promotion", "promote", "reopen", "review", "transition"]
