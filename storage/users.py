"""Users (:class:`app.ports.Users`): who is writing, with their unit's row for a clerk's change."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import String, bindparam, case, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.ports import Reading
from core.records import Role, UnitState, UserInfo
from storage.db import Conn
from storage.models import CampaignRow, UnitRow, UserRow
from storage.units import UNIT_STATE, unit_state

_USER = (UserRow.tg_id, UserRow.role, UserRow.campaign_id, UserRow.unit, UserRow.language)
_BY_ID = UserRow.tg_id == bindparam("tg_id")

_GET = select(*_USER).where(_BY_ID)
_GET_LOCKED = _GET.with_for_update()
# Asked on every chat update: the user, the campaign's version and the unit's state in one
# statement (a clerk's own unit; the one the office names).
_READING = (
    select(*_USER, CampaignRow.version, *UNIT_STATE)
    .outerjoin(CampaignRow, CampaignRow.id == UserRow.campaign_id)
    .outerjoin(
        UnitRow,
        (UnitRow.campaign_id == UserRow.campaign_id)
        & (UnitRow.name == case((UserRow.role == "clerk", UserRow.unit), else_=bindparam("office_unit", type_=String))),
    )
    .where(_BY_ID)
)
# The first step of every clerk's change: the unit's row locked (FOR NO KEY UPDATE on PostgreSQL;
# SQLite's BEGIN IMMEDIATE already holds the whole database).
_ENTER = (
    select(*_USER, *UNIT_STATE)
    .join(UnitRow, (UnitRow.campaign_id == UserRow.campaign_id) & (UnitRow.name == UserRow.unit))
    .where(_BY_ID)
    .with_for_update(of=UnitRow, key_share=True)
)
# b_…: an UPDATE without values() sets the columns its parameters name; the WHERE needs others.
_SET_LANGUAGE = update(UserRow).where(UserRow.tg_id == bindparam("b_tg_id"))


def _upsert(insert: Any) -> Any:
    """Joining again (another invitation) moves the user: role, campaign, unit and language."""
    stmt = insert(UserRow)
    kept = ("role", "campaign_id", "unit", "language", "updated_at")
    return stmt.on_conflict_do_update(index_elements=["tg_id"], set_={c: stmt.excluded[c] for c in kept})


_PUT = {"sqlite": _upsert(sqlite.insert), "postgresql": _upsert(postgresql.insert)}


def user_info(row: Any) -> UserInfo:
    return UserInfo(row.tg_id, cast(Role, row.role), row.campaign_id, row.unit, row.language)


class SqlUsers:
    __slots__ = ("_conn",)

    def __init__(self, conn: Conn) -> None:
        self._conn = conn

    async def get(self, tg_id: int, *, lock: bool = False) -> UserInfo | None:
        row = (await self._conn.execute(_GET_LOCKED if lock else _GET, {"tg_id": tg_id})).first()
        return None if row is None else user_info(row)

    async def reading(self, tg_id: int, office_unit: str | None = None) -> Reading | None:
        row = (await self._conn.execute(_READING, {"tg_id": tg_id, "office_unit": office_unit})).first()
        if row is None:
            return None
        return Reading(user_info(row), row.version, None if row.name is None else unit_state(row))

    async def enter(self, tg_id: int) -> tuple[UserInfo, UnitState] | None:
        row = (await self._conn.execute(_ENTER, {"tg_id": tg_id})).first()
        return None if row is None else (user_info(row), unit_state(row))

    async def put(self, user: UserInfo, now: datetime) -> None:
        values = {
            "tg_id": user.tg_id,
            "role": user.role,
            "campaign_id": user.campaign_id,
            "unit": user.unit,
            "language": user.language,
            "created_at": now,
            "updated_at": now,
        }
        await self._conn.execute(_PUT[self._conn.dialect.name], values)

    async def set_language(self, tg_id: int, language: str, now: datetime) -> None:
        await self._conn.execute(_SET_LANGUAGE, {"b_tg_id": tg_id, "language": language, "updated_at": now})

    async def of_campaign(self, campaign_id: str, unit: str | None, role: Role | None) -> list[UserInfo]:
        query = select(*_USER).where(UserRow.campaign_id == campaign_id)
        if unit is not None:
            query = query.where(UserRow.unit == unit)
        if role is not None:
            query = query.where(UserRow.role == role)
        return [user_info(r) for r in await self._conn.execute(query.order_by(UserRow.tg_id))]


__all__ = ["SqlUsers", "user_info"]
