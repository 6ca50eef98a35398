"""Who may do what, checked inside the use case's own transaction: the user as stored now (a role
or unit may have changed since the chat looked them up), their unit, and the definition in force.

A clerk sees and changes only their own unit's records; the office sees the whole campaign.
"""

from __future__ import annotations

from app.ports import UnitOfWork
from core.campaign import Campaign, Unit
from core.records import Role, UnitState, UserInfo
from core.refusals import CampaignUnknown, ClerkOnly, OfficeOnly, Rejected, UnitUnknown, UserUnknown


async def campaign_in(tx: UnitOfWork, campaign_id: str) -> Campaign:
    """The definition in force. Read after locking a unit's row: then a reload cannot change it
    before the transaction ends (a reload locks every unit of the campaign)."""
    version = await tx.campaigns.version(campaign_id)
    campaign = None if version is None else await tx.campaigns.definition(campaign_id, version)
    if campaign is None:
        raise Rejected(CampaignUnknown(campaign_id))
    return campaign


async def actor(tx: UnitOfWork, user: UserInfo, role: Role | None = None) -> UserInfo:
    """The user as stored now, of the same campaign, in ``role`` when one is required."""
    fresh = await tx.users.get(user.tg_id)
    if fresh is None or fresh.campaign_id != user.campaign_id:
        raise Rejected(UserUnknown())
    if role == "office" and fresh.role != "office":
        raise Rejected(OfficeOnly())
    if role == "clerk" and (fresh.role != "clerk" or fresh.unit is None):
        raise Rejected(ClerkOnly())
    return fresh


async def enter(tx: UnitOfWork, user: UserInfo) -> tuple[Campaign, UserInfo, UnitState]:
    """The first step of a clerk's change: the clerk as stored now with their unit's row locked
    (every later reading of the unit's nominees stays true until commit), then the definition."""
    found = await tx.users.enter(user.tg_id)
    if found is None:
        await actor(tx, user, "clerk")  # says why: unknown user, or not a clerk
        raise Rejected(UnitUnknown(user.unit))
    fresh, unit = found
    if fresh.campaign_id != user.campaign_id:
        raise Rejected(UserUnknown())
    if fresh.role != "clerk":
        raise Rejected(ClerkOnly())
    if not unit.active:
        raise Rejected(UnitUnknown(unit.name))
    return await campaign_in(tx, fresh.campaign_id), fresh, unit


async def reading(
    tx: UnitOfWork, user: UserInfo, role: Role | None = None, *, office_unit: str | None = None
) -> tuple[UserInfo, Campaign, UnitState]:
    """For the read-only use cases of one unit (a clerk's own; ``office_unit`` for the office):
    the user as stored now, the definition in force and the unit's state, in one lookup."""
    found = await tx.users.reading(user.tg_id, office_unit)
    if found is None or found.user.campaign_id != user.campaign_id:
        raise Rejected(UserUnknown())
    fresh = found.user
    if role == "office" and fresh.role != "office":
        raise Rejected(OfficeOnly())
    if role == "clerk" and (fresh.role != "clerk" or fresh.unit is None):
        raise Rejected(ClerkOnly())
    campaign = None if found.version is None else await tx.campaigns.definition(fresh.campaign_id, found.version)
    if campaign is None:
        raise Rejected(CampaignUnknown(fresh.campaign_id))
    if found.unit is None or not found.unit.active:
        raise Rejected(UnitUnknown(fresh.unit if fresh.role == "clerk" else office_unit))
    return fresh, campaign, found.unit


def unit_of(campaign: Campaign, name: str) -> Unit:
    """The unit's allocation in the definition (gone after a reload: refused in words)."""
    try:
        return campaign.unit(name)
    except KeyError:
        raise Rejected(UnitUnknown(name)) from None


__all__ = ["actor", "campaign_in", "enter", "reading", "unit_of"]
