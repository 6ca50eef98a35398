"""Every story starts with the Zhengzhou campaign loaded, at 10:00 on 1 March 2024 in Zhengzhou."""

from __future__ import annotations

import pytest

from app import campaigns
from core.loader import builtin_text, load_builtin

from .story import ZZ, World

ZHENGZHOU = load_builtin(ZZ)  # frozen: one parse serves every story


@pytest.fixture
async def zz() -> World:
    world = World()
    report = await world.once(campaigns.load(world.ports, ZHENGZHOU, text=builtin_text(ZZ)))
    assert report.status == "created"
    return world
