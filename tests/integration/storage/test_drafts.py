"""The half-typed nominee between two steps: what a clerk typed last is what the next step sees,
whatever else the bot is reading at that moment (SQLite and PostgreSQL, drafts kept in memory or
not)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import pytest

from app import campaigns, drafts, queries
from app.ports import Ports
from core.records import Draft
from storage import open_ports
from storage.db import Database

from .conftest import Clock
from .helpers import clerk

ZZ = "zhengzhou-2024"
STEPS = ["id_number", "ethnicity", "political", "employer", "phone", "deeds"]


def typed(step: int) -> Draft:
    """The draft after the clerk answered ``step`` questions."""
    answers = {key: f"answer {i}" for i, key in enumerate(STEPS[:step])}
    return Draft(1501, ZZ, "medal", answers, step=STEPS[step])


@pytest.fixture(params=[False, True], ids=["database", "kept"])
def bot(request: pytest.FixtureRequest, db: Database, tmp_path: Path, clock: Clock) -> Ports:
    """A bot's ports with the drafts in the database only (several processes) or kept in memory."""
    return open_ports(db, tmp_path / "files", clock, cache_drafts=request.param)


async def test_each_step_sees_the_answer_before_it_while_another_update_is_still_reading(bot: Ports) -> None:
    await drafts.save(bot, typed(0))
    reading = asyncio.Event()
    done = asyncio.Event()

    async def another_clerks_update() -> None:
        """A reading that has taken its snapshot and waits (a slow handler, a Bot API call)."""
        async with bot.db.read() as tx:
            await tx.users.reading(2002)
            reading.set()
            await done.wait()

    other = asyncio.create_task(another_clerks_update())
    await reading.wait()
    for step in range(1, len(STEPS)):
        await drafts.save(bot, typed(step))
        loaded = await drafts.load(bot, 1501)
        assert loaded is not None and loaded.step == STEPS[step] and len(loaded.answers) == step
    done.set()
    await other


async def test_a_draft_saved_inside_an_open_reading_is_loaded_as_saved(bot: Ports) -> None:
    await drafts.save(bot, typed(1))
    async with bot.db.read() as tx:
        await tx.users.reading(1501)  # this reading's snapshot predates the saves below
        for step in (2, 3):
            await drafts.save(bot, typed(step))
            loaded = await drafts.load(bot, 1501)
            assert loaded is not None and loaded.step == STEPS[step]


async def test_a_restarted_bot_continues_the_draft_the_previous_one_kept(
    db: Database, tmp_path: Path, clock: Clock
) -> None:
    before = open_ports(db, tmp_path / "files", clock, cache_drafts=True)
    await drafts.save(before, typed(4))
    after = open_ports(db, tmp_path / "files", clock, cache_drafts=True)  # a new process, nothing in memory
    loaded = await drafts.load(after, 1501)
    assert loaded is not None and loaded.step == "phone" and loaded.answers == typed(4).answers
    await drafts.drop(after, 1501)
    assert await drafts.load(after, 1501) is None


async def test_a_loaded_draft_is_the_callers_own_copy(db: Database, tmp_path: Path, clock: Clock) -> None:
    ports = open_ports(db, tmp_path / "files", clock, cache_drafts=True)
    await drafts.save(ports, typed(2))
    first = await drafts.load(ports, 1501)
    assert first is not None
    cast(dict[str, Any], first.answers)["deeds"] = "changed by a handler"
    again = await drafts.load(ports, 1501)
    assert again is not None and "deeds" not in again.answers


async def test_a_units_unfinished_drafts_are_those_of_its_clerks_with_an_award_chosen_oldest_first(
    bot: Ports, clock: Clock
) -> None:
    """What /submit warns about: the drafts of every clerk of the unit, not of another unit's,
    and not a draft still at the award menu."""
    await campaigns.ensure_builtin(bot, ZZ)
    first = await clerk(bot, ZZ, "金水区", 1601)
    await clerk(bot, ZZ, "金水区", 1602)
    await clerk(bot, ZZ, "金水区", 1603)
    await clerk(bot, ZZ, "二七区", 1604)
    await drafts.save(bot, Draft(1602, ZZ, "medal", {"name": "张三"}, step="id_number"))
    clock.now += timedelta(minutes=1)
    await drafts.save(bot, Draft(1601, ZZ, "pioneer", {}, step="category"))
    await drafts.save(bot, Draft(1603, ZZ, None))  # the award not yet chosen
    await drafts.save(bot, Draft(1604, ZZ, "medal", {"name": "李四"}, step="id_number"))

    found = await queries.unit_drafts(bot, first)
    assert [(d.tg_id, d.award, dict(d.answers)) for d in found] == [
        (1602, "medal", {"name": "张三"}),
        (1601, "pioneer", {}),
    ]
