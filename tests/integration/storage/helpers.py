"""Clerks and the office for the storage tests, joined as in the chat (complete nominees are
``tests.nominees``' stored form)."""

from __future__ import annotations

from app import joining
from app.ports import Ports
from core.records import UserInfo


async def clerk(ports: Ports, campaign_id: str, unit: str, tg_id: int) -> UserInfo:
    """A unit's clerk, joined with an invitation as in the chat."""
    code = await joining.create_invite(ports, campaign_id, unit, "clerk")
    return await joining.join(ports, code, tg_id, "zh")


async def office(ports: Ports, campaign_id: str, tg_id: int = 1) -> UserInfo:
    code = await joining.create_invite(ports, campaign_id, None, "office")
    return await joining.join(ports, code, tg_id, "zh")
