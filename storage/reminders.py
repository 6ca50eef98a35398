"""Reminder deliveries (:class:`app.ports.Reminders`): inserted before a reminder is sent; the
UNIQUE(campaign, unit, stage, kind, chat) refuses a repeat, so each goes out once."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult

from storage.db import Conn
from storage.models import ReminderDeliveryRow

_CLAIM = {
    "sqlite": sqlite.insert(ReminderDeliveryRow).on_conflict_do_nothing(),
    "postgresql": postgresql.insert(ReminderDeliveryRow).on_conflict_do_nothing(),
}


class SqlReminders:
    __slots__ = ("_conn",)

    def __init__(self, conn: Conn) -> None:
        self._conn = conn

    async def claim(self, campaign_id: str, unit: str, stage: str, kind: str, tg_id: int, at: datetime) -> bool:
        values = {"campaign_id": campaign_id, "unit": unit, "stage": stage, "kind": kind, "tg_id": tg_id, "sent_at": at}
        result = await self._conn.execute(_CLAIM[self._conn.dialect.name], values)
        return cast(CursorResult[Any], result).rowcount == 1


__all__ = ["SqlReminders"]
