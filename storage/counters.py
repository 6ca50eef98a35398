"""Counters (:class:`app.ports.Counters`): the places of each unit per award and the city-wide
limits (award totals, divisions, pools).

A place is taken with one conditional ``UPDATE … SET used = used + 1 WHERE … AND used < cap``
checked by its row count. On PostgreSQL the updated row stays locked until commit, so a second
writer of the same counter waits and then re-evaluates ``used < cap`` against the committed value;
on SQLite every write transaction holds the database's write lock from ``BEGIN IMMEDIATE``.
The ``CHECK (used >= 0 AND used <= cap)`` of the table is the last guard.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.engine import CursorResult

from app.ports import Counter
from storage.db import Conn
from storage.models import LimitCounterRow, UnitQuotaRow

# b_…: an UPDATE keeps the columns' own names for its SET clause.
_UNIT_WHERE = (
    UnitQuotaRow.campaign_id == bindparam("b_campaign_id"),
    UnitQuotaRow.unit == bindparam("b_unit"),
    UnitQuotaRow.award == bindparam("b_award"),
)
_LIMIT_WHERE = (LimitCounterRow.campaign_id == bindparam("b_campaign_id"), LimitCounterRow.key == bindparam("b_key"))


def _step(counter: type[UnitQuotaRow] | type[LimitCounterRow], by: int, *where: Any) -> Any:
    """``used + 1`` while ``used < cap`` (a place is taken only if one is left), or ``used - 1``
    while ``used > 0``: the row count says whether it happened."""
    guard = counter.used < counter.cap if by > 0 else counter.used > 0
    return update(counter).where(*where, guard).values(used=counter.used + by)


_TAKE_UNIT = _step(UnitQuotaRow, 1, *_UNIT_WHERE)
_RELEASE_UNIT = _step(UnitQuotaRow, -1, *_UNIT_WHERE)
_UNIT = select(UnitQuotaRow.cap, UnitQuotaRow.used).where(*_UNIT_WHERE)
_TAKE_LIMIT = _step(LimitCounterRow, 1, *_LIMIT_WHERE)
_RELEASE_LIMIT = _step(LimitCounterRow, -1, *_LIMIT_WHERE)
_LIMIT = select(LimitCounterRow.cap, LimitCounterRow.used).where(*_LIMIT_WHERE)
_LIMIT_COUNTS = select(LimitCounterRow.key, LimitCounterRow.used).where(
    LimitCounterRow.campaign_id == bindparam("campaign_id")
)
_ALL_UNITS = (
    select(UnitQuotaRow.award, UnitQuotaRow.cap, UnitQuotaRow.used, UnitQuotaRow.unit)
    .where(UnitQuotaRow.campaign_id == bindparam("campaign_id"))
    .order_by(UnitQuotaRow.unit, UnitQuotaRow.award)
)
_ALL_LIMITS = (
    select(LimitCounterRow.key, LimitCounterRow.cap, LimitCounterRow.used)
    .where(LimitCounterRow.campaign_id == bindparam("campaign_id"))
    .order_by(LimitCounterRow.key)
)
_DROP_UNITS = delete(UnitQuotaRow).where(UnitQuotaRow.campaign_id == bindparam("campaign_id"))
_DROP_LIMITS = delete(LimitCounterRow).where(LimitCounterRow.campaign_id == bindparam("campaign_id"))


class SqlCounters:
    __slots__ = ("_conn",)

    def __init__(self, conn: Conn) -> None:
        self._conn = conn

    async def _changed(self, statement: Any, params: dict[str, Any]) -> bool:
        return cast(CursorResult[Any], await self._conn.execute(statement, params)).rowcount == 1

    async def take_unit(self, campaign_id: str, unit: str, award: str) -> bool:
        return await self._changed(_TAKE_UNIT, {"b_campaign_id": campaign_id, "b_unit": unit, "b_award": award})

    async def unit(self, campaign_id: str, unit: str, award: str) -> Counter | None:
        params = {"b_campaign_id": campaign_id, "b_unit": unit, "b_award": award}
        row = (await self._conn.execute(_UNIT, params)).first()
        return None if row is None else Counter(award, row.cap, row.used, unit)

    async def release_unit(self, campaign_id: str, unit: str, award: str) -> None:
        params = {"b_campaign_id": campaign_id, "b_unit": unit, "b_award": award}
        if not await self._changed(_RELEASE_UNIT, params):
            raise RuntimeError(f"unit counter {unit}/{award} would go below zero")

    async def take_limit(self, campaign_id: str, key: str) -> bool:
        return await self._changed(_TAKE_LIMIT, {"b_campaign_id": campaign_id, "b_key": key})

    async def limit(self, campaign_id: str, key: str) -> Counter | None:
        row = (await self._conn.execute(_LIMIT, {"b_campaign_id": campaign_id, "b_key": key})).first()
        return None if row is None else Counter(key, row.cap, row.used)

    async def release_limit(self, campaign_id: str, key: str) -> None:
        if not await self._changed(_RELEASE_LIMIT, {"b_campaign_id": campaign_id, "b_key": key}):
            raise RuntimeError(f"counter {key} would go below zero")

    async def limit_counts(self, campaign_id: str) -> dict[str, int]:
        return {row.key: row.used for row in await self._conn.execute(_LIMIT_COUNTS, {"campaign_id": campaign_id})}

    async def all(self, campaign_id: str) -> tuple[list[Counter], list[Counter]]:
        params = {"campaign_id": campaign_id}
        units = [Counter(r.award, r.cap, r.used, r.unit) for r in await self._conn.execute(_ALL_UNITS, params)]
        limits = [Counter(r.key, r.cap, r.used) for r in await self._conn.execute(_ALL_LIMITS, params)]
        return units, limits

    async def replace(self, campaign_id: str, units: Sequence[Counter], limits: Sequence[Counter]) -> None:
        await self._conn.execute(_DROP_UNITS, {"campaign_id": campaign_id})
        await self._conn.execute(_DROP_LIMITS, {"campaign_id": campaign_id})
        if units:
            rows = [
                {"campaign_id": campaign_id, "unit": c.unit, "award": c.key, "cap": c.cap, "used": c.used}
                for c in units
            ]
            await self._conn.execute(insert(UnitQuotaRow), rows)
        if limits:
            rows = [{"campaign_id": campaign_id, "key": c.key, "cap": c.cap, "used": c.used} for c in limits]
            await self._conn.execute(insert(LimitCounterRow), rows)


__all__ = ["SqlCounters"]
