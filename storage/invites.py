"""Invitations (:class:`app.ports.Invites`): only the SHA-256 of a code is stored, so a leaked
database lets nobody join."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import bindparam, insert, select, update

from app.ports import Invite
from core.records import Role
from storage.db import Conn
from storage.models import InviteRow

_INSERT = insert(InviteRow)
_GET = select(
    InviteRow.code_hash, InviteRow.campaign_id, InviteRow.unit, InviteRow.role, InviteRow.expires_at, InviteRow.used_at
).where(InviteRow.code_hash == bindparam("code_hash"))
_GET_LOCKED = _GET.with_for_update()  # two people joining with one code: the second sees it used
_USE = update(InviteRow).where(InviteRow.code_hash == bindparam("b_code_hash"))  # sets the columns its parameters name


class SqlInvites:
    __slots__ = ("_conn",)

    def __init__(self, conn: Conn) -> None:
        self._conn = conn

    async def add(self, invite: Invite, created_by: int | None, created_at: datetime) -> None:
        values = {
            "code_hash": invite.code_hash,
            "campaign_id": invite.campaign_id,
            "unit": invite.unit,
            "role": invite.role,
            "created_by": created_by,
            "created_at": created_at,
            "expires_at": invite.expires_at,
            "used_at": invite.used_at,
        }
        await self._conn.execute(_INSERT, values)

    async def get(self, code_hash: str, *, lock: bool = False) -> Invite | None:
        row = (await self._conn.execute(_GET_LOCKED if lock else _GET, {"code_hash": code_hash})).first()
        if row is None:
            return None
        return Invite(row.code_hash, row.campaign_id, row.unit, cast(Role, row.role), row.expires_at, row.used_at)

    async def use(self, code_hash: str, at: datetime, by: int) -> None:
        await self._conn.execute(_USE, {"b_code_hash": code_hash, "used_at": at, "used_by": by})


__all__ = ["SqlInvites"]
