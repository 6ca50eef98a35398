"""Nominees (:class:`app.ports.Nominees`): the saved records with their identity hash and claims.

Uniqueness of a person or organisation is the ``UNIQUE(campaign_id, identity)`` constraint; when
it fires, :class:`app.ports.IdentityTaken` says so (the transaction is lost).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Select, bindparam, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.ports import IdentityTaken, NomineeRecord
from core.records import PLACE_HOLDING, NomineeInfo, Status, is_id
from storage.db import Conn, unique_violation
from storage.models import NomineeRow

_INFO = (
    NomineeRow.id,
    NomineeRow.campaign_id,
    NomineeRow.unit,
    NomineeRow.award,
    NomineeRow.status,
    NomineeRow.answers,
    NomineeRow.alternate_for,
    NomineeRow.created_by,
    NomineeRow.created_at,
    NomineeRow.updated_at,
    NomineeRow.note,
    NomineeRow.version,
    NomineeRow.procedure,
)
_RECORD = (*_INFO, NomineeRow.identity, NomineeRow.claims)
_GET = select(*_RECORD).where(NomineeRow.id == bindparam("id"))
_GET_LOCKED = _GET.with_for_update()
_HOLDER = select(NomineeRow.unit, NomineeRow.award, NomineeRow.id).where(
    NomineeRow.campaign_id == bindparam("campaign_id"), NomineeRow.identity == bindparam("identity")
)
_HOLDER_EXCEPT = _HOLDER.where(NomineeRow.id != bindparam("exclude"))
_HOLDING = or_(*(NomineeRow.status == status for status in sorted(PLACE_HOLDING)))  # constants: no IN list to expand
_LIVE = (
    select(*_RECORD)
    .where(NomineeRow.campaign_id == bindparam("campaign_id"), NomineeRow.status != "withdrawn")
    .order_by(NomineeRow.id)
)
_UNIT_OF = select(NomineeRow.unit).where(NomineeRow.id == bindparam("id"))
_INSERT = insert(NomineeRow).returning(NomineeRow.id)
_UPDATE = update(NomineeRow).where(NomineeRow.id == bindparam("b_id"))  # sets the columns its parameters name
UPDATABLE = frozenset(
    {"status", "answers", "identity", "claims", "note", "updated_at", "version", "alternate_for", "procedure"}
)


def info(row: Any) -> NomineeInfo:
    return NomineeInfo(
        id=row.id,
        campaign_id=row.campaign_id,
        unit=row.unit,
        award=row.award,
        status=cast(Status, row.status),
        answers=dict(row.answers),
        alternate_for=row.alternate_for,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        note=row.note,
        version=row.version,
        procedure=dict(row.procedure or {}),
    )


def record(row: Any) -> NomineeRecord:
    return NomineeRecord(info(row), row.identity, tuple(row.claims))


@functools.lru_cache(maxsize=256)
def _holding_query(keys: tuple[str, ...], one_award: bool, exclude: bool) -> Select[Any]:
    """The unit's place-holding principals: their award and the answers to ``keys`` only,
    extracted by the database — decoding whole answers (the deeds, …) of a full unit was most of
    a precheck. One statement per set of keys (a definition has a handful)."""
    query = select(NomineeRow.award, *(NomineeRow.answers[k].label(f"a{i}") for i, k in enumerate(keys))).where(
        NomineeRow.campaign_id == bindparam("campaign_id"),
        NomineeRow.unit == bindparam("unit"),
        _HOLDING,
        NomineeRow.alternate_for.is_(None),
    )
    if one_award:
        query = query.where(NomineeRow.award == bindparam("award"))
    if exclude:
        query = query.where(NomineeRow.id != bindparam("exclude"))
    return query


class SqlNominees:
    __slots__ = ("_conn",)

    def __init__(self, conn: Conn) -> None:
        self._conn = conn

    async def get(self, nominee_id: int, *, lock: bool = False) -> NomineeRecord | None:
        if not is_id(nominee_id):  # names no row, and the drivers fail on it (SQLite ≥ 2⁶³, PostgreSQL ≥ 2³¹)
            return None
        row = (await self._conn.execute(_GET_LOCKED if lock else _GET, {"id": nominee_id})).first()
        return None if row is None else record(row)

    async def holder(self, campaign_id: str, identity: str, exclude: int | None) -> tuple[str, str, int] | None:
        params = {"campaign_id": campaign_id, "identity": identity, "exclude": exclude}
        row = (await self._conn.execute(_HOLDER if exclude is None else _HOLDER_EXCEPT, params)).first()
        return None if row is None else (row.unit, row.award, row.id)

    async def holding_answers(
        self, campaign_id: str, unit: str, award: str | None, keys: Sequence[str], exclude: int | None
    ) -> list[tuple[str, dict[str, Any]]]:
        names = tuple(keys)
        query = _holding_query(names, award is not None, exclude is not None)
        params = {"campaign_id": campaign_id, "unit": unit, "award": award, "exclude": exclude}
        return [(row[0], dict(zip(names, row[1:], strict=True))) for row in await self._conn.execute(query, params)]

    async def add(self, info: NomineeInfo, identity: str, claims: Sequence[str]) -> int:
        values = {
            "campaign_id": info.campaign_id,
            "unit": info.unit,
            "award": info.award,
            "status": info.status,
            "answers": dict(info.answers),
            "identity": identity,
            "claims": list(claims),
            "alternate_for": info.alternate_for,
            "created_by": info.created_by,
            "created_at": info.created_at,
            "updated_at": info.updated_at,
            "note": info.note,
            "version": info.version,
        }
        try:
            return int((await self._conn.execute(_INSERT, values)).scalar_one())
        except IntegrityError as exc:
            if unique_violation(exc, "identity"):
                raise IdentityTaken() from None
            raise

    async def update(self, nominee_id: int, **values: Any) -> None:
        unknown = values.keys() - UPDATABLE
        if unknown:
            raise TypeError(f"not a column to update: {sorted(unknown)}")
        if "claims" in values:
            values["claims"] = list(values["claims"])
        try:
            await self._conn.execute(_UPDATE, {"b_id": nominee_id, **values})
        except IntegrityError as exc:
            if unique_violation(exc, "identity"):
                raise IdentityTaken() from None
            raise

    async def of_unit(
        self, campaign_id: str, unit: str, statuses: frozenset[str], *, lock: bool = False
    ) -> list[NomineeRecord]:
        query = (
            select(*_RECORD)
            .where(
                NomineeRow.campaign_id == campaign_id, NomineeRow.unit == unit, NomineeRow.status.in_(sorted(statuses))
            )
            .order_by(NomineeRow.id)
        )
        if lock:
            query = query.with_for_update()
        return [record(r) for r in await self._conn.execute(query)]

    async def alternates_of(
        self, principal_id: int, *, exclude: int | None = None, lock: bool = False
    ) -> list[NomineeRecord]:
        if not is_id(principal_id):
            return []
        query = select(*_RECORD).where(NomineeRow.alternate_for == principal_id, NomineeRow.status != "withdrawn")
        if exclude is not None:
            query = query.where(NomineeRow.id != exclude)
        if lock:
            query = query.with_for_update()
        return [record(r) for r in await self._conn.execute(query.order_by(NomineeRow.id))]

    async def page(
        self, campaign_id: str, unit: str | None, offset: int, limit: int, *, include_withdrawn: bool
    ) -> tuple[list[NomineeInfo], int]:
        where = [NomineeRow.campaign_id == campaign_id]
        if unit is not None:
            where.append(NomineeRow.unit == unit)
        if not include_withdrawn:
            where.append(NomineeRow.status != "withdrawn")
        total = (await self._conn.execute(select(func.count()).select_from(NomineeRow).where(*where))).scalar_one()
        rows = await self._conn.execute(
            select(*_INFO).where(*where).order_by(NomineeRow.id).offset(offset).limit(limit)
        )
        return [info(r) for r in rows], int(total)

    async def live(self, campaign_id: str) -> list[NomineeRecord]:
        return [record(r) for r in await self._conn.execute(_LIVE, {"campaign_id": campaign_id})]

    async def unit_of(self, nominee_id: int) -> str | None:
        if not is_id(nominee_id):
            return None
        return (await self._conn.execute(_UNIT_OF, {"id": nominee_id})).scalar_one_or_none()


__all__ = ["UPDATABLE", "SqlNominees", "info", "record"]
