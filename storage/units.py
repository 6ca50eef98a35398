"""Units (:class:`app.ports.Units`): the recommending units of a campaign and their list's state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from core.records import UnitState
from core.refusals import ReservedOpen
from storage.db import Conn
from storage.models import UnitRow

# A unit's state as its columns read (labelled so a join with a user's columns keeps both).
UNIT_STATE = (
    UnitRow.campaign_id.label("unit_campaign_id"),
    UnitRow.name,
    UnitRow.active,
    UnitRow.submitted_at,
    UnitRow.reopened_at,
    UnitRow.given_up,
    UnitRow.open_until,
)
_GET = select(*UNIT_STATE).where(UnitRow.campaign_id == bindparam("campaign_id"), UnitRow.name == bindparam("name"))
# One unit's row locked serialises the use cases changing that unit (FOR NO KEY UPDATE: the
# nominees' foreign keys to it stay free).
_GET_LOCKED = _GET.with_for_update(key_share=True)
_ALL = select(*UNIT_STATE).where(UnitRow.campaign_id == bindparam("campaign_id")).order_by(UnitRow.name)
# A reload locks every unit of the campaign (FOR UPDATE): it waits for the use cases in flight,
# and the next ones wait for it.
_ALL_LOCKED = _ALL.with_for_update()
_WHERE = (UnitRow.campaign_id == bindparam("b_campaign_id"), UnitRow.name == bindparam("b_name"))
_SET = update(UnitRow).where(*_WHERE)  # sets the columns its parameters name


def unit_state(row: Any) -> UnitState:
    given_up = tuple(ReservedOpen(**place) for place in row.given_up or ())
    return UnitState(
        row.unit_campaign_id, row.name, row.active, row.submitted_at, row.reopened_at, given_up, row.open_until
    )


class SqlUnits:
    __slots__ = ("_conn",)

    def __init__(self, conn: Conn) -> None:
        self._conn = conn

    async def get(self, campaign_id: str, name: str, *, lock: bool = False) -> UnitState | None:
        row = (
            await self._conn.execute(_GET_LOCKED if lock else _GET, {"campaign_id": campaign_id, "name": name})
        ).first()
        return None if row is None else unit_state(row)

    async def all(self, campaign_id: str, *, lock: bool = False) -> list[UnitState]:
        rows = await self._conn.execute(_ALL_LOCKED if lock else _ALL, {"campaign_id": campaign_id})
        return [unit_state(r) for r in rows]

    async def activate(self, campaign_id: str, names: Sequence[str]) -> None:
        wanted = set(names)
        existing = {u.name: u.active for u in await self.all(campaign_id)}
        changed = [
            {"b_campaign_id": campaign_id, "b_name": name, "active": name in wanted}
            for name, active in existing.items()
            if active != (name in wanted)
        ]
        if changed:
            await self._conn.execute(_SET, changed)
        added = [{"campaign_id": campaign_id, "name": n, "active": True} for n in names if n not in existing]
        if added:
            await self._conn.execute(insert(UnitRow), added)

    async def set_submitted(
        self,
        campaign_id: str,
        name: str,
        at: datetime | None,
        by: int | None,
        given_up: Sequence[ReservedOpen] = (),
    ) -> None:
        params = {
            "b_campaign_id": campaign_id,
            "b_name": name,
            "submitted_at": at,
            "submitted_by": by,
            "given_up": [asdict(place) for place in given_up] if at is not None else None,
        }
        await self._conn.execute(_SET, params)

    async def set_reopened(self, campaign_id: str, name: str, at: datetime, until: date | None = None) -> None:
        params = {"b_campaign_id": campaign_id, "b_name": name, "reopened_at": at, "open_until": until}
        await self._conn.execute(_SET, params)


__all__ = ["UNIT_STATE", "SqlUnits", "unit_state"]
