"""Reminders go out exactly once: each (reminder, chat) is claimed in the database before it is sent."""

from __future__ import annotations

from app.ports import Ports, usecase


@usecase
async def claim(ports: Ports, campaign_id: str, unit: str, stage: str, kind: str, tg_id: int) -> bool:
    """True the first time only: a second scheduler, a restart between claim and send or a clock
    jump find the claim and send nothing."""
    async with ports.db.write() as tx:
        claimed = await tx.reminders.claim(campaign_id, unit, stage, kind, tg_id, ports.clock())
        await tx.commit()
        return claimed


__all__ = ["claim"]
