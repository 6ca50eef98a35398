"""``/submit``: a unit hands its list to the office (DOMAIN.md "Status of a nominee")."""

from __future__ import annotations

from app import access
from app.ports import AuditEntry, Ports, usecase
from core.campaign import Campaign
from core.deadlines import closed
from core.form import IntakeForm
from core.quota import ListedNominee, unit_gaps
from core.records import EDITABLE, PLACE_HOLDING, NomineeInfo, UserInfo
from core.refusals import Gap, Rejected


def missing(campaign: Campaign, info: NomineeInfo) -> tuple[str, ...]:
    """Required answers still empty (the definition may have changed since the nominee was saved)."""
    form = IntakeForm(campaign, info.award, alternate=info.alternate_for is not None)
    return tuple(form.missing(info.answers))


@usecase
async def submit(ports: Ports, user: UserInfo) -> list[Gap]:
    """Refused with the gaps while the list is incomplete (an open reserved sub-quota, an
    enterprise head or 科级 cadre without its alternate, …); otherwise every saved (or returned
    and corrected) nominee becomes ``submitted`` and the unit's list is locked. Returns the gaps:
    none means submitted."""
    async with ports.db.write() as tx:
        campaign, actor, unit_state = await access.enter(tx, user)
        assert actor.unit is not None
        unit = access.unit_of(campaign, actor.unit)
        records = await tx.nominees.of_unit(campaign.id, actor.unit, PLACE_HOLDING, lock=True)
        pending = [r for r in records if r.info.status in EDITABLE]
        now = ports.clock()
        # A resubmission of returned nominees is what the office asked for, deadline or not.
        returned_only = (
            unit_state.submitted_at is not None and bool(pending) and all(r.info.status == "returned" for r in pending)
        )
        gate = None if returned_only else closed(campaign, unit_state, now)
        if gate is not None:
            raise Rejected(gate)
        listed = [
            ListedNominee(
                r.info.id,
                r.info.award,
                r.info.answers,
                r.info.alternate_for,
                tuple(
                    IntakeForm(campaign, r.info.award, alternate=r.info.alternate_for is not None).missing(
                        r.info.answers
                    )
                ),
            )
            for r in records
        ]
        gaps = unit_gaps(campaign, unit, listed)
        if gaps:
            return gaps
        for r in pending:
            change = {"status": [r.info.status, "submitted"]}
            await tx.audit.add(AuditEntry(now, actor.tg_id, campaign.id, "submitted", r.info.id, change))
            await tx.nominees.update(
                r.info.id, status="submitted", note=None, updated_at=now, version=r.info.version + 1
            )
        await tx.units.set_submitted(campaign.id, actor.unit, now, actor.tg_id)
        await tx.commit()
        return []


__all__ = ["submit"]
