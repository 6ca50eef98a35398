"""Conversation state that survives a restart: an aiogram FSM storage in the database.

The embedded default (no Redis) keeps every user's FSM state and data in the ``fsm`` table, one
small transaction per call, so a bot restarted after a crash resumes each conversation where it
was. With ``NOMINEE_REDIS_URL`` set, aiogram's own RedisStorage is used instead. Both store
JSON: data that is not JSON-safe fails here at once rather than later in production on Redis.

This is the only storage module that imports aiogram.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType, StorageKey
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from storage.db import Database
from storage.memo import MISSING, WriteThrough
from storage.models import FsmRow

if TYPE_CHECKING:
    from bot.settings import Settings


def default_key_builder() -> KeyBuilder:
    # Destiny in the key: aiogram scenes and dialogs keep several FSM contexts per user.
    return DefaultKeyBuilder(with_destiny=True)


def _json_safe(data: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return cast(dict[str, Any], json.loads(json.dumps(dict(data), ensure_ascii=False)))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"FSM data must be JSON-safe (str, int, float, bool, None, list, dict): {exc}") from None


class DbStorage(BaseStorage):
    """aiogram FSM storage backed by the ``fsm`` table (state and data of one key in one row).

    aiogram asks for the state of every update. The rows a process has read or written are kept
    in memory (write-through, the most recently used ``cache_size`` keys), so that question costs
    no database round trip. Sound because this storage serves one bot process — several instances
    need NOMINEE_REDIS_URL, and then aiogram's RedisStorage is used instead; a restarted process
    starts with an empty cache and reads what the previous one wrote."""

    def __init__(
        self, db: Database | AsyncEngine, key_builder: KeyBuilder | None = None, *, cache_size: int = 10_000
    ) -> None:
        self.db = db if isinstance(db, Database) else Database(db)
        self.key_builder = key_builder or default_key_builder()
        self._cache: WriteThrough[str, tuple[str | None, dict[str, Any]]] = WriteThrough(cache_size)

    def _key(self, key: StorageKey) -> str:
        return self.key_builder.build(key)

    async def _row(self, k: str) -> tuple[str | None, dict[str, Any]]:
        """(state, data) of a key: from memory, or read once and remembered."""
        found = self._cache.get(k)
        if found is not MISSING:
            return found
        writes = self._cache.writes
        async with self.db.read() as s:
            row = (await s.execute(select(FsmRow.state, FsmRow.data).where(FsmRow.key == k))).first()
        value = (None, {}) if row is None else (row.state, dict(row.data or {}))
        self._cache.remember_read(writes, k, value)
        return value

    @asynccontextmanager
    async def _writing(self, k: str) -> AsyncIterator[AsyncSession]:
        """A write transaction for one key (see storage.memo.WriteThrough.writing)."""
        with self._cache.writing(k):
            async with self.db.write() as s:
                yield s

    async def _write(
        self, s: AsyncSession, key: str, *, state: Any = ..., data: Any = ...
    ) -> tuple[str | None, dict[str, Any]]:
        """Sets ``state`` and/or ``data`` of a row (``...`` keeps the stored value); a row left
        with neither is deleted so the table only holds live conversations. Returns what is stored."""
        row = await s.get(FsmRow, key, with_for_update=True)
        new_state = (row.state if row else None) if state is ... else state
        new_data = (dict(row.data) if row else {}) if data is ... else data
        if new_state is None and not new_data:
            if row is not None:
                await s.execute(delete(FsmRow).where(FsmRow.key == key))
            return None, {}
        values = {"key": key, "state": new_state, "data": new_data, "updated_at": datetime.now(UTC)}
        upsert = sqlite_insert if self.db.sqlite else pg_insert
        stmt = upsert(FsmRow).values(**values)
        # An upsert, so two first writes for one key cannot collide on the primary key.
        await s.execute(stmt.on_conflict_do_update(index_elements=["key"], set_=values))
        return new_state, dict(new_data)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        k = self._key(key)
        async with self._writing(k) as s:
            stored = await self._write(s, k, state=value)
        self._cache.remember(k, stored)

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._row(self._key(key)))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, dict):
            raise DataNotDictLikeError(f"Data must be a dict or dict-like object, got {type(data).__name__}")
        clean = _json_safe(data)
        k = self._key(key)
        async with self._writing(k) as s:
            stored = await self._write(s, k, data=clean)
        self._cache.remember(k, stored)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return _json_safe((await self._row(self._key(key)))[1])  # a copy: the caller may change it

    async def update_data(self, key: StorageKey, data: Mapping[str, Any]) -> dict[str, Any]:
        """Read and write in one transaction: two quick taps cannot lose each other's update."""
        clean = _json_safe(data)
        k = self._key(key)
        async with self._writing(k) as s:
            row = await s.get(FsmRow, k, with_for_update=True)
            merged = {**(dict(row.data) if row else {}), **clean}
            stored = await self._write(s, k, data=merged)
        self._cache.remember(k, stored)
        return dict(merged)

    async def close(self) -> None:
        """The engine belongs to the application, which disposes of it."""


def make_fsm_storage(settings: Settings, engine: Database | AsyncEngine) -> BaseStorage:
    """RedisStorage when NOMINEE_REDIS_URL is set (several bot processes), else the database."""
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        return RedisStorage.from_url(settings.redis_url, key_builder=default_key_builder())
    return DbStorage(engine)


__all__ = ["DbStorage", "default_key_builder", "make_fsm_storage"]
