"""The office's dashboard (core.dashboard), read in one transaction."""

from __future__ import annotations

from app import access
from app.ports import Ports, usecase
from core.clock import local_date
from core.dashboard import Dashboard, Placed, UnitProgress, dashboard
from core.records import UserInfo, holds_place


@usecase
async def board(ports: Ports, user: UserInfo) -> Dashboard:
    """Where the campaign stands (office only: a clerk is refused with OfficeOnly): the active
    units in the definition's order (any others after, by name), their states and every
    place-holding nominee, read on one snapshot."""
    async with ports.db.read() as tx:
        actor = await access.actor(tx, user, "office")
        campaign = await access.campaign_in(tx, actor.campaign_id)
        states = [s for s in await tx.units.all(campaign.id) if s.active]
        live = await tx.nominees.live(campaign.id)
    order = {u.name: i for i, u in enumerate(campaign.units)}
    states.sort(key=lambda s: (order.get(s.name, len(order)), s.name))
    units = [UnitProgress(s.name, s.submitted_at is not None, s.given_up) for s in states]
    placed = [
        Placed(r.info.unit, r.info.award, r.info.status, r.info.answers, r.info.procedure)
        for r in live
        if holds_place(r.info.status, r.info.alternate_for)
    ]
    return dashboard(campaign, units, placed, today=local_date(ports.clock(), campaign))


__all__ = ["board"]
