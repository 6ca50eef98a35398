"""The audit log (:class:`app.ports.Audit`): append-only (a trigger of the migration refuses an
UPDATE), who did what to which nominee, old → new."""

from __future__ import annotations

from sqlalchemy import bindparam, insert, select

from app.ports import AuditEntry
from core.records import HistoryEntry, is_id
from storage.db import Conn
from storage.models import AuditRow

_INSERT = insert(AuditRow)
_HISTORY = (
    select(AuditRow.at, AuditRow.actor, AuditRow.action, AuditRow.changes, AuditRow.note)
    .where(AuditRow.nominee_id == bindparam("nominee_id"))
    .order_by(AuditRow.id)
)


class SqlAudit:
    __slots__ = ("_conn",)

    def __init__(self, conn: Conn) -> None:
        self._conn = conn

    async def add(self, entry: AuditEntry) -> None:
        values = {
            "at": entry.at,
            "actor": entry.actor,
            "campaign_id": entry.campaign_id,
            "nominee_id": entry.nominee_id,
            "action": entry.action,
            "changes": {key: list(change) for key, change in entry.changes.items()},
            "note": entry.note,
        }
        await self._conn.execute(_INSERT, values)

    async def history(self, nominee_id: int) -> list[HistoryEntry]:
        """Oldest first; each change as (old, new)."""
        if not is_id(nominee_id):
            return []
        rows = await self._conn.execute(_HISTORY, {"nominee_id": nominee_id})
        return [
            HistoryEntry(r.at, r.actor, r.action, {k: (v[0], v[1]) for k, v in r.changes.items()}, r.note) for r in rows
        ]


__all__ = ["SqlAudit"]
