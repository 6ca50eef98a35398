"""Invitations and joining: the office invites a clerk of a unit (or an office colleague) with a
single-use code; ``/start <code>`` registers the Telegram user."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import timedelta

from app import access
from app.ports import AuditEntry, Invite, Ports, usecase
from app.stored import identity_hash
from core.records import Role, UserInfo
from core.refusals import InviteInvalid, InviteRole, Rejected, UnitUnknown

INVITE_BYTES = 18  # token_urlsafe(18) is 24 characters: fits a /start deep link (64 at most)


@usecase
async def create_invite(
    ports: Ports,
    campaign_id: str,
    unit: str | None,
    role: Role,
    ttl_days: int = 14,
    *,
    created_by: int | None = None,
) -> str:
    """A single-use code for ``/start <code>``; only its SHA-256 is stored. A clerk's invitation
    names a unit of the campaign; an office invitation names none."""
    if role not in ("clerk", "office") or (role == "clerk") != (unit is not None):
        raise Rejected(InviteRole(role, unit))
    code = secrets.token_urlsafe(INVITE_BYTES)
    now = ports.clock()
    async with ports.db.write() as tx:
        await access.campaign_in(tx, campaign_id)
        if unit is not None:
            state = await tx.units.get(campaign_id, unit)
            if state is None or not state.active:
                raise Rejected(UnitUnknown(unit))
        invite = Invite(identity_hash(code), campaign_id, unit, role, now + timedelta(days=ttl_days), None)
        await tx.invites.add(invite, created_by, now)
        await tx.commit()
    return code


@usecase
async def join(ports: Ports, code: str, tg_id: int, language: str) -> UserInfo:
    """Registers ``tg_id`` with the invitation's campaign, unit and role; the code is then used up."""
    now = ports.clock()
    async with ports.db.write() as tx:
        invite = await tx.invites.get(identity_hash(code.strip()), lock=True)
        if invite is None:
            raise Rejected(InviteInvalid("unknown"))
        if invite.used_at is not None:
            raise Rejected(InviteInvalid("used"))
        if invite.expires_at <= now:
            raise Rejected(InviteInvalid("expired"))
        await access.campaign_in(tx, invite.campaign_id)
        if invite.unit is not None:
            state = await tx.units.get(invite.campaign_id, invite.unit)
            if state is None or not state.active:
                raise Rejected(UnitUnknown(invite.unit))
        await tx.invites.use(invite.code_hash, now, tg_id)
        user = UserInfo(tg_id, invite.role, invite.campaign_id, invite.unit, language)
        await tx.users.put(user, now)
        change: dict[str, list[str | None]] = {"role": [None, invite.role], "unit": [None, invite.unit]}
        await tx.audit.add(AuditEntry(now, tg_id, invite.campaign_id, "joined", changes=change))
        await tx.commit()
        return user


@usecase
async def seat_office(ports: Ports, campaign_id: str, tg_ids: Sequence[int]) -> list[int]:
    """``NOMINEE_OFFICE_IDS``: the listed Telegram users are office staff of the campaign, with no
    invitation. One not yet registered is registered (language: Chinese until /lang); a clerk or an
    office member of another campaign becomes office staff of this one (audit ``office_seated``,
    the old role and unit in its changes). Returns the ids whose role changed."""
    now = ports.clock()
    seated: list[int] = []
    async with ports.db.write() as tx:
        await access.campaign_in(tx, campaign_id)
        for tg_id in dict.fromkeys(tg_ids):
            old = await tx.users.get(tg_id, lock=True)
            if old is not None and old.role == "office" and old.campaign_id == campaign_id:
                continue
            language = old.language if old is not None else "zh"
            await tx.users.put(UserInfo(tg_id, "office", campaign_id, None, language), now)
            change: dict[str, list[str | None]] = {
                "role": [old.role if old else None, "office"],
                "unit": [old.unit if old else None, None],
            }
            await tx.audit.add(AuditEntry(now, None, campaign_id, "office_seated", changes=change, note=str(tg_id)))
            seated.append(tg_id)
        await tx.commit()
    return seated


@usecase
async def set_language(ports: Ports, tg_id: int, language: str) -> None:
    """Remembers the language of a registered user; for anyone else there is nothing to keep."""
    async with ports.db.write() as tx:
        await tx.users.set_language(tg_id, language, ports.clock())
        await tx.commit()


__all__ = ["INVITE_BYTES", "create_invite", "join", "seat_office", "set_language"]
