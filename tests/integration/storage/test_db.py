"""The transactions under the use cases (storage.db.Database), on SQLite and PostgreSQL: a reading
is one snapshot and never waits for a writer, it keeps nothing, and an in-memory database serves
the use cases too."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app import campaigns, nominees, queries
from app.ports import Ports
from core.loader import parse
from storage import open_ports
from storage.db import Database, make_engine, upgrade

from .conftest import Clock
from .helpers import clerk
from .test_race import answers, race_campaign_text

RACE = "race-test"


@pytest.fixture
async def race(ports: Ports) -> Ports:
    src = race_campaign_text(small_units=2, big_cap=2, pool_cap=1)
    assert (await campaigns.load(ports, parse(src), text=src)).ok
    return ports


async def used(ports: Ports) -> int:
    async with ports.db.read() as tx:
        counter = await tx.counters.unit(RACE, "大厂", "medal")
        assert counter is not None
        return counter.used


async def test_a_reading_sees_one_moment_and_never_waits_for_a_writer(race: Ports) -> None:
    async with race.db.read() as reading:
        before = await reading.counters.unit(RACE, "大厂", "medal")
        async with race.db.write() as tx:  # a save in flight: its place taken, not yet committed
            assert await tx.counters.take_unit(RACE, "大厂", "medal")
            assert await asyncio.wait_for(used(race), timeout=2) == 0  # another reading is not held up
            await tx.commit()
        assert await used(race) == 1  # a new reading sees the commit...
        assert await reading.counters.unit(RACE, "大厂", "medal") == before  # ...this one its own moment


async def test_a_reading_keeps_nothing(race: Ports, db: Database) -> None:
    async with race.db.read() as tx:
        if db.sqlite:
            assert await tx.counters.take_unit(RACE, "大厂", "medal")  # rolled back at the end
        else:
            with pytest.raises(DBAPIError, match="read-only"):
                await tx.counters.take_unit(RACE, "大厂", "medal")
    assert await used(race) == 0


async def test_an_in_memory_database_serves_the_use_cases(tmp_path: Path, clock: Clock) -> None:
    """One connection for everything (the in-process chat tests): its transactions take turns."""
    db = Database(make_engine("sqlite+aiosqlite://"))
    try:
        await upgrade(db.engine)
        ports = open_ports(db, tmp_path / "files", clock, cache_drafts=True)
        src = race_campaign_text(small_units=2, big_cap=12, pool_cap=1)
        assert (await campaigns.load(ports, parse(src), text=src)).ok
        me = await clerk(ports, RACE, "大厂", 1)
        saved = await asyncio.gather(*(nominees.save(ports, me, "medal", answers(i, "产业工人")) for i in range(14)))
        assert [s.ok for s in saved].count(True) == 12
        assert await queries.verify_counters(ports, RACE) == []
    finally:
        await db.dispose()


async def test_on_an_sqlite_file_a_use_case_runs_whole_in_the_database_thread(tmp_path: Path) -> None:
    db = Database(make_engine(f"sqlite+aiosqlite:///{tmp_path / 'nominee.db'}"))

    async def where() -> bool:
        async with db.read() as conn:
            await conn.execute(text("SELECT 1"))
        return db.in_thread()

    async def waits() -> None:
        await asyncio.sleep(0)

    try:
        assert await db.run(where) is True
        assert db.in_thread() is False
        with pytest.raises(RuntimeError, match="waited for the event loop in the database's thread"):
            await db.run(waits)
    finally:
        await db.dispose()


async def test_on_an_sqlite_file_many_open_transactions_never_starve_a_use_case(tmp_path: Path) -> None:
    # 50 clerks at once: each update's draft and state are read from the event loop, holding a
    # connection across awaits, while use cases take theirs in the database's thread. A connect
    # that waited in that thread for a free connection would block every holder (they need the
    # thread to finish): the chat stalled until the pool's timeout. Everything must finish.
    db = Database(make_engine(f"sqlite+aiosqlite:///{tmp_path / 'nominee.db'}"))

    async def use_case() -> int:
        async with db.read() as conn:
            return int((await conn.execute(text("SELECT 1"))).scalar_one())

    async def update() -> int:
        async with db.single(write=False) as conn:
            await asyncio.sleep(0.01)  # the handler awaits something else meanwhile
            got = int((await conn.execute(text("SELECT 1"))).scalar_one())
        return got + await db.run(use_case)

    try:
        results = await asyncio.wait_for(asyncio.gather(*(update() for _ in range(50))), timeout=20)
        assert results == [2] * 50
    finally:
        await db.dispose()
