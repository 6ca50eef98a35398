"""Drafts (:class:`app.ports.Drafts`): the half-typed nominee, one row per Telegram user, read and
written at every step of the chat — one statement each, a transaction of its own.

With ``cache_size`` > 0 the drafts last written or read stay in memory (storage/memo.py), so a
step costs one write and no read. Sound only while this process is the only writer of its users'
drafts (one bot process); with several instances (Redis) ``cache_size`` is 0.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from core.records import Draft, Replies
from storage.db import Conn, Database
from storage.memo import MISSING, WriteThrough
from storage.models import DraftRow, UserRow

DRAFT_CACHE_SIZE = 10_000  # drafts kept in memory by one bot process (the most recently used)
_COLUMNS = (
    "tg_id",
    "campaign_id",
    "award",
    "answers",
    "step",
    "editing",
    "alternate_for",
    "in_summary",
    "updated_at",
    "replies",
    "version",
)
_TABLE = DraftRow.__table__
_LOAD = select(*(_TABLE.c[c] for c in _COLUMNS)).where(DraftRow.tg_id == bindparam("tg_id"))
_DROP = delete(DraftRow).where(DraftRow.tg_id == bindparam("tg_id"))
_OF_UNIT = (
    select(*(_TABLE.c[c] for c in _COLUMNS))
    .join(UserRow, UserRow.tg_id == DraftRow.tg_id)
    .where(
        UserRow.campaign_id == bindparam("campaign_id"),
        UserRow.unit == bindparam("unit"),
        DraftRow.campaign_id == bindparam("campaign_id"),
        DraftRow.award.is_not(None),
    )
    .order_by(DraftRow.updated_at, DraftRow.tg_id)
)


def replies_json(replies: Replies) -> dict[str, Any] | None:
    """The ``replies`` column: JSON has string keys only (message ids become strings)."""
    if not replies.steps and replies.last is None:
        return None
    return {"steps": {str(m): s for m, s in replies.steps.items()}, "last": replies.last, "shown": replies.shown}


def replies_of(stored: Any) -> Replies:
    """:class:`Replies` from the column; NULL (a draft stored before the column) or anything
    unreadable is "no replies known"."""
    if not isinstance(stored, dict):
        return Replies()
    steps = stored.get("steps")
    last, shown = stored.get("last"), stored.get("shown")
    return Replies(
        {int(m): str(s) for m, s in steps.items() if str(m).isdigit()} if isinstance(steps, dict) else {},
        last if isinstance(last, int) else None,
        shown if isinstance(shown, str) else None,
    )


def _upsert(insert: Any) -> Any:
    stmt = insert(DraftRow)
    return stmt.on_conflict_do_update(index_elements=["tg_id"], set_={c: stmt.excluded[c] for c in _COLUMNS[1:]})


_SAVE = {"sqlite": _upsert(sqlite.insert), "postgresql": _upsert(postgresql.insert)}


def _draft(row: Any) -> Draft:
    values = dict(zip(_COLUMNS, row, strict=True))
    values["replies"] = replies_of(values["replies"])
    return Draft(**values)


class SqlDrafts:
    def __init__(self, db: Database, *, cache_size: int = 0) -> None:
        self._db = db
        self._save = _SAVE[db.engine.dialect.name]
        self._memo: WriteThrough[int, Draft | None] = WriteThrough(cache_size)

    async def load(self, tg_id: int) -> Draft | None:
        found = self._memo.get(tg_id)
        if found is MISSING:
            writes = self._memo.writes
            async with self._db.single(write=False) as conn:
                row = (await conn.execute(_LOAD, {"tg_id": tg_id})).first()
            found = None if row is None else _draft(row)
            self._memo.remember_read(writes, tg_id, found)
        return None if found is None else replace(found, answers=dict(found.answers))  # the caller's own copy

    async def save(self, draft: Draft) -> None:
        """The whole draft in one upsert: a crash loses nothing typed before it."""
        with self._memo.writing(draft.tg_id):
            async with self._db.single(write=True) as conn:
                values = {c: getattr(draft, c) for c in _COLUMNS}
                values["replies"] = replies_json(draft.replies)
                await conn.execute(self._save, values)
        self._memo.remember(draft.tg_id, replace(draft, answers=dict(draft.answers)))

    async def drop(self, tg_id: int) -> None:
        with self._memo.writing(tg_id):
            async with self._db.single(write=True) as conn:
                await conn.execute(_DROP, {"tg_id": tg_id})
        self._memo.remember(tg_id, None)

    def within(self, conn: Conn) -> SqlDraftRows:
        """The drafts as a repository of one write transaction (``app.ports.DraftRows``)."""
        return SqlDraftRows(conn, self._memo)


class SqlDraftRows:
    """Drafts removed inside a use case's transaction (a saved nominee's draft goes with the
    insert, or neither does). Memory forgets such a draft when it is removed and again when the
    transaction ends (:meth:`settle`): the next read fetches what was committed, whichever way."""

    __slots__ = ("_conn", "_dropped", "_memo")

    def __init__(self, conn: Conn, memo: WriteThrough[int, Draft | None]) -> None:
        self._conn = conn
        self._memo = memo
        self._dropped: list[int] = []

    async def drop(self, tg_id: int) -> None:
        self._memo.begin(tg_id)
        self._dropped.append(tg_id)
        await self._conn.execute(_DROP, {"tg_id": tg_id})

    async def of_unit(self, campaign_id: str, unit: str) -> list[Draft]:
        """Read from the table: every draft is written through at once (the memory only spares
        reads), so what is committed is every clerk's draft as it stands."""
        rows = await self._conn.execute(_OF_UNIT, {"campaign_id": campaign_id, "unit": unit})
        return [_draft(row) for row in rows]

    def settle(self) -> None:
        """After the transaction (committed or not): the drafts it removed are read again."""
        for tg_id in self._dropped:
            self._memo.end(tg_id)
        self._dropped.clear()


__all__ = ["DRAFT_CACHE_SIZE", "SqlDraftRows", "SqlDrafts"]
