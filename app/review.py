"""The office's decisions: a nominee accepted (初审通过), returned with a reason, approved or not
(final), reopened; a whole unit's list reopened (DOMAIN.md "Status of a nominee")."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from app import access
from app.nominees import own_nominee
from app.places import Refused, reclaim, release
from app.ports import AuditEntry, Ports, usecase
from core.clock import local_date
from core.records import NomineeInfo, ReviewAction, Status, UserInfo, holds_place
from core.refusals import DatePassed, Rejected, ReviewNoPlace, ReviewNoteRequired, ReviewTransition, UnitUnknown

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
    ports: Ports, user: UserInfo, nominee_id: int, action: ReviewAction, note: str | None = None
) -> NomineeInfo:
    """The office's decision on one nominee; one leaving the place-holding statuses gives its places
    back, one coming back takes them again (refused when a cap is reached meanwhile)."""
    async with ports.db.write() as tx:
        actor = await access.actor(tx, user, "office")
        unit = await tx.nominees.unit_of(nominee_id)
        if unit is not None:  # the unit's row first, as in every use case that moves counters
            await tx.units.get(actor.campaign_id, unit, lock=True)
        campaign = await access.campaign_in(tx, actor.campaign_id)
        record = own_nominee(await tx.nominees.get(nominee_id, lock=True), actor, nominee_id)
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
async def reopen(ports: Ports, user: UserInfo, unit: str, until: date | None = None) -> int:
    """Opens a unit's list again (after a submit or a passed deadline); its submitted nominees
    become editable. ``until``: the last day it stays open after the deadline (the campaign's
    zone; refused when already passed); None: until the office or a submission closes it.
    Returns how many nominees were reopened."""
    async with ports.db.write() as tx:
        actor = await access.actor(tx, user, "office")
        state = await tx.units.get(actor.campaign_id, unit, lock=True)
        if state is None or not state.active:
            raise Rejected(UnitUnknown(unit))
        campaign = await access.campaign_in(tx, actor.campaign_id)
        now = ports.clock()
        if until is not None and until < local_date(now, campaign):
            raise Rejected(DatePassed(until))
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


__all__ = ["TRANSITIONS", "reopen", "review", "transition"]
