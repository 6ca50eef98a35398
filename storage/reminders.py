"""Reminder deliveries (:class:`app.ports.Reminders`): inserted before a reminder is sent; the
UNIQUE(campaign, unit, stage, kind, chat) refuses a repeat, so each goes out at most once. The
outcome is written after the send (NULL: claimed, not known to be delivered)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult

from app.ports import Delivery
from storage.db import Conn
from storage.models import ReminderDeliveryRow as R

_CLAIM = {
    "sqlite": sqlite.insert(R).on_conflict_do_nothing(),
    "postgresql": postgresql.insert(R).on_conflict_do_nothing(),
}
_OF = (R.campaign_id == bindparam("campaign_id"), R.stage == bindparam("stage"), R.kind == bindparam("kind"))
_CLAIMED = select(R.tg_id).where(*_OF)
_DELIVERIES = select(R.unit, R.tg_id, R.outcome).where(*_OF).order_by(R.unit, R.tg_id)
_SETTLE = (
    update(R)
    .where(
        R.campaign_id == bindparam("b_campaign_id"),
        R.stage == bindparam("b_stage"),
        R.kind == bindparam("b_kind"),
        R.tg_id == bindparam("b_tg_id"),
    )
    .values(outcome=bindparam("b_outcome"))
)


class SqlReminders:
    __slots__ = ("_conn",)

    def __init__(self, conn: Conn) -> None:
        self._conn = conn

    async def claim(self, campaign_id: str, unit: str, stage: str, kind: str, tg_id: int, at: datetime) -> bool:
        values = {"campaign_id": campaign_id, "unit": unit, "stage": stage, "kind": kind, "tg_id": tg_id, "sent_at": at}
        result = await self._conn.execute(_CLAIM[self._conn.dialect.name], values)
        return cast(CursorResult[Any], result).rowcount == 1

    async def claimed(self, campaign_id: str, stage: str, kind: str) -> set[int]:
        rows = await self._conn.execute(_CLAIMED, {"campaign_id": campaign_id, "stage": stage, "kind": kind})
        return set(rows.scalars())

    async def settle(self, campaign_id: str, stage: str, kind: str, tg_id: int, outcome: str) -> None:
        params = {
            "b_campaign_id": campaign_id,
            "b_stage": stage,
            "b_kind": kind,
            "b_tg_id": tg_id,
            "b_outcome": outcome,
        }
        await self._conn.execute(_SETTLE, params)

    async def deliveries(self, campaign_id: str, stage: str, kind: str) -> list[Delivery]:
        rows = await self._conn.execute(_DELIVERIES, {"campaign_id": campaign_id, "stage": stage, "kind": kind})
        return [Delivery(r.unit, r.tg_id, r.outcome) for r in rows]


__all__ = ["SqlReminders"]
