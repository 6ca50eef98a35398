"""``/submit``: a unit hands its list to the office (DOMAIN.md "Status of a nominee", "Submitting
with places unfilled")."""

from __future__ import annotations

from datetime import datetime

from app import access
from app.ports import AuditEntry, NomineeRecord, Ports, UnitOfWork, usecase
from app.procedure import due_steps
from core.campaign import Campaign
from core.checklist import StepState, due_stage
from core.clock import local_date
from core.deadlines import closed
from core.form import IntakeForm
from core.quota import ListedNominee, unit_gaps
from core.records import EDITABLE, PLACE_HOLDING, NomineeInfo, UnitState, UserInfo
from core.refusals import Gap, Rejected, blocking, given_up, places_digest


def missing(campaign: Campaign, info: NomineeInfo) -> tuple[str, ...]:
    """Required answers still empty (the definition may have changed since the nominee was saved)."""
    form = IntakeForm(campaign, info.award, alternate=info.alternate_for is not None)
    return tuple(form.missing(info.answers))


async def _list_gaps(
    tx: UnitOfWork, campaign: Campaign, unit_state: UnitState, now: datetime, *, lock: bool
) -> tuple[list[NomineeRecord], list[Gap]]:
    """The unit's nominees still to be handed in and what keeps its list from being complete.
    Refused (:class:`Rejected`) when the list is closed — unless the office returned nominees to
    correct after a submission: handing those back is what the office asked for, deadline or not."""
    records = await tx.nominees.of_unit(campaign.id, unit_state.name, PLACE_HOLDING, lock=lock)
    pending = [r for r in records if r.info.status in EDITABLE]
    returned_only = (
        unit_state.submitted_at is not None and bool(pending) and all(r.info.status == "returned" for r in pending)
    )
    gate = None if returned_only else closed(campaign, unit_state, now)
    if gate is not None:
        raise Rejected(gate)
    unit = access.unit_of(campaign, unit_state.name)
    listed = [
        ListedNominee(r.info.id, r.info.award, r.info.answers, r.info.alternate_for, missing(campaign, r.info))
        for r in records
    ]
    return pending, unit_gaps(campaign, unit, listed)


@usecase
async def check(ports: Ports, user: UserInfo) -> list[Gap]:
    """What ``/submit`` shows before it asks to confirm: the gaps of the unit's list (none: complete).
    :func:`core.refusals.blocking` ones must be mended first; the rest are reserved places a
    submission would give up. Refused (:class:`Rejected`) at once when the list is closed."""
    async with ports.db.read() as tx:
        _actor, campaign, unit_state = await access.reading(tx, user, "clerk")
        _pending, gaps = await _list_gaps(tx, campaign, unit_state, ports.clock(), lock=False)
        return gaps


@usecase
async def open_steps(ports: Ports, user: UserInfo) -> list[tuple[NomineeInfo, list[StepState]]]:
    """The nominees a submission would hand in (saved or returned) with the procedure steps still
    open that the stage it is for requires (core.checklist.due_by); only those with any. /submit
    warns about them; it does not refuse."""
    async with ports.db.read() as tx:
        _actor, campaign, unit_state = await access.reading(tx, user, "clerk")
        today = local_date(ports.clock(), campaign)
        stage = due_stage(campaign, today)
        records = await tx.nominees.of_unit(campaign.id, unit_state.name, PLACE_HOLDING)
        return due_steps(campaign, [r.info for r in records if r.info.status in EDITABLE], stage, today)


@usecase
async def submit(ports: Ports, user: UserInfo, give_up: str | None = None) -> list[Gap]:
    """Every saved (or returned and corrected) nominee becomes ``submitted`` and the unit's list is
    locked — when nothing :func:`~core.refusals.blocking` is left and the reserved places still
    open are exactly those the clerk agreed to give up (``give_up``: their
    :func:`~core.refusals.places_digest`; None: none). They are stored with the unit for the
    office. Otherwise nothing changes and the gaps are returned (none means submitted)."""
    async with ports.db.write() as tx:
        campaign, actor, unit_state = await access.enter(tx, user)
        now = ports.clock()
        pending, gaps = await _list_gaps(tx, campaign, unit_state, now, lock=True)
        places = given_up(gaps)
        agreed = places_digest(places) == give_up if places else True
        if blocking(gaps) or not agreed:
            return gaps
        for r in pending:
            change = {"status": [r.info.status, "submitted"]}
            await tx.audit.add(AuditEntry(now, actor.tg_id, campaign.id, "submitted", r.info.id, change))
            await tx.nominees.update(
                r.info.id, status="submitted", note=None, updated_at=now, version=r.info.version + 1
            )
        await tx.units.set_submitted(campaign.id, unit_state.name, now, actor.tg_id, places)
        await tx.commit()
        return []


__all__ = ["check", "submit"]
