"""Conversation state that survives a restart: an aiogram FSM storage in the database.

The embedded default (no Redis) keeps every user's FSM state and data in the ``fsm`` table, one
small transaction per call, so a bot restarted after a crash resumes each conversation where it
was. With a Redis URL, aiogram's own RedisStorage is used instead. Both store JSON: data that is
not JSON-safe fails here at once rather than later in production on Redis.

This is the only storage module that imports aiogram.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, cast

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType, StorageKey
from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from storage.db import Conn, Database
from storage.memo import MISSING, WriteThrough
from storage.models import FsmRow

_READ = select(FsmRow.state, FsmRow.data).where(FsmRow.key == bindparam("key"))
_READ_LOCKED = _READ.with_for_update()
_DELETE = delete(FsmRow).where(FsmRow.key == bindparam("key"))


def _upsert(insert: Any) -> Any:
    """An upsert, so two first writes for one key cannot collide on the primary key."""
    stmt = insert(FsmRow)
    return stmt.on_conflict_do_update(
        index_elements=["key"], set_={c: stmt.excluded[c] for c in ("state", "data", "updated_at")}
    )


_WRITE = {"sqlite": _upsert(sqlite.insert), "postgresql": _upsert(postgresql.insert)}


def default_key_builder() -> KeyBuilder:
    # Destiny in the key: aiogram scenes and dialogs keep several FSM contexts per user.
    return DefaultKeyBuilder(with_destiny=True)


def _json_safe(data: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return cast(dict[str, Any], json.loads(json.dumps(dict(data), ensure_ascii=False)))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"FSM data must be JSON-safe (str, int, float, bool, None, list, dict): {exc}") from None


Row = tuple[str | None, dict[str, Any]]  # (state, data) of one key


class DbStorage(BaseStorage):
    """aiogram FSM storage backed by the ``fsm`` table (state and data of one key in one row),
    on the application's one :class:`Database`.

    aiogram asks for the state of every update. The rows a process has read or written are kept
    in memory (write-through, the most recently used ``cache_size`` keys), so that question costs
    no database round trip. Sound because this storage serves one bot process — several instances
    use Redis instead; a restarted process starts with an empty cache and reads what the previous
    one wrote."""

    def __init__(self, db: Database, key_builder: KeyBuilder | None = None, *, cache_size: int = 10_000) -> None:
        self.db = db
        self.key_builder = key_builder or default_key_builder()
        self._cache: WriteThrough[str, Row] = WriteThrough(cache_size)

    def _key(self, key: StorageKey) -> str:
        return self.key_builder.build(key)

    async def _row(self, k: str) -> Row:
        """(state, data) of a key: from memory, or read once and remembered."""
        found = self._cache.get(k)
        if found is not MISSING:
            return found
        writes = self._cache.writes
        value = await self.db.run(self._read, k)
        self._cache.remember_read(writes, k, value)
        return value

    async def _read(self, k: str) -> Row:
        async with self.db.single(write=False) as conn:
            row = (await conn.execute(_READ, {"key": k})).first()
        return (None, {}) if row is None else (row.state, dict(row.data or {}))

    async def _change(self, k: str, *, state: Any = ..., data: Any = ..., merge: bool = False) -> Row:
        """Sets ``state`` and/or ``data`` of a row (``...`` keeps the stored value; ``merge`` adds
        ``data`` to the stored data) in one write transaction, the row locked while it is read. A
        row left with neither is deleted, so the table only holds live conversations. The memory
        is kept by the event loop's thread; the database's work runs where the Database runs it."""
        with self._cache.writing(k):
            value = await self.db.run(self._write, k, state, data, merge)
        self._cache.remember(k, value)
        return value

    async def _write(self, k: str, state: Any, data: Any, merge: bool) -> Row:
        async with self.db.write() as conn:
            stored = await self._locked(conn, k)
            new_state = stored[0] if state is ... else state
            new_data = stored[1] if data is ... else ({**stored[1], **data} if merge else data)
            if new_state is None and not new_data:
                await conn.execute(_DELETE, {"key": k})
                new_data = {}
            else:
                values = {"key": k, "state": new_state, "data": new_data, "updated_at": datetime.now(UTC)}
                await conn.execute(_WRITE[conn.dialect.name], values)
            await conn.commit()
        return new_state, dict(new_data)

    @staticmethod
    async def _locked(conn: Conn, k: str) -> Row:
        row = (await conn.execute(_READ_LOCKED, {"key": k})).first()
        return (None, {}) if row is None else (row.state, dict(row.data or {}))

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self._change(self._key(key), state=state.state if isinstance(state, State) else state)

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._row(self._key(key)))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, dict):
            raise DataNotDictLikeError(f"Data must be a dict or dict-like object, got {type(data).__name__}")
        await self._change(self._key(key), data=_json_safe(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return _json_safe((await self._row(self._key(key)))[1])  # a copy: the caller may change it

    async def update_data(self, key: StorageKey, data: Mapping[str, Any]) -> dict[str, Any]:
        """Read and write in one transaction: two quick taps cannot lose each other's update."""
        return dict((await self._change(self._key(key), data=_json_safe(data), merge=True))[1])

    async def close(self) -> None:
        """The Database belongs to the application, which disposes of it."""


def make_fsm_storage(redis_url: str | None, db: Database) -> BaseStorage:
    """aiogram's RedisStorage with a Redis URL (several bot processes), else :class:`DbStorage`."""
    if redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        return RedisStorage.from_url(redis_url, key_builder=default_key_builder())
    return DbStorage(db)


__all__ = ["DbStorage", "default_key_builder", "make_fsm_storage"]
