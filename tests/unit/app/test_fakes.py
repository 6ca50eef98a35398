"""The fakes keep the database's word: what the stories rely on, shown on the fakes themselves."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from app.ports import Counter, IdentityTaken
from core.records import NomineeInfo, UnitState
from tests.fakes import FakeConflict, FakeDatabase, FakeMisuse

NOW = datetime(2024, 3, 1, 2, 0, tzinfo=UTC)


def nominee(unit: str = "金水区") -> NomineeInfo:
    return NomineeInfo(0, "zz", unit, "medal", "saved", {"name": "张三"}, None, 1, NOW, NOW)


async def seeded() -> FakeDatabase:
    """One unit with a 奖章 counter of 1 and a city-wide pool of 1."""
    db = FakeDatabase()
    async with db.write() as tx:
        await tx.units.activate("zz", ["金水区"])
        await tx.counters.replace("zz", [Counter("medal", 1, 0, unit="金水区")], [Counter("pool:x", 1, 0)])
        await tx.commit()
    return db


async def test_a_write_is_kept_only_when_committed_and_a_read_writes_nothing() -> None:
    db = await seeded()
    async with db.write() as tx:
        await tx.units.set_submitted("zz", "金水区", NOW, 1)  # left without commit()
    async with db.read() as tx:
        assert await tx.units.get("zz", "金水区") == UnitState("zz", "金水区", True, None, None)
        with pytest.raises(FakeMisuse):
            await tx.units.set_submitted("zz", "金水区", NOW, 1)
        with pytest.raises(FakeMisuse):
            await tx.commit()
    assert db.commits == 1
    async with db.write() as tx:
        await tx.commit()
        with pytest.raises(FakeMisuse):  # after commit nothing more would be kept
            await tx.units.get("zz", "金水区")


async def test_a_counter_takes_a_place_only_while_one_is_left_and_never_goes_below_zero() -> None:
    db = await seeded()
    async with db.write() as tx:
        await tx.users.enter(0)  # no such clerk: no unit row locked
        with pytest.raises(FakeMisuse):
            await tx.counters.take_unit("zz", "金水区", "medal")
    async with db.write() as tx:
        await tx.units.get("zz", "金水区", lock=True)
        assert await tx.counters.take_unit("zz", "金水区", "medal")
        assert not await tx.counters.take_unit("zz", "金水区", "medal")
        assert not await tx.counters.take_unit("zz", "金水区", "pioneer")  # no counter: no place
        assert await tx.counters.take_limit("zz", "pool:x")
        with pytest.raises(FakeMisuse):  # the unit's counter after a city-wide one: out of lock order
            await tx.counters.release_unit("zz", "金水区", "medal")
    async with db.write() as tx:
        await tx.units.get("zz", "金水区", lock=True)
        with pytest.raises(FakeMisuse):
            await tx.counters.release_limit("zz", "pool:x")


async def test_an_identity_is_unique_and_a_withdrawn_nominee_gives_it_up() -> None:
    db = await seeded()
    async with db.write() as tx:
        first = await tx.nominees.add(nominee(), "same-person", ["unit"])
        with pytest.raises(IdentityTaken):
            await tx.nominees.add(nominee("郑东新区"), "same-person", [])
        with pytest.raises(FakeMisuse):
            await tx.nominees.update(first, status="withdrawn")
        await tx.nominees.update(first, status="withdrawn", identity=None)
        second = await tx.nominees.add(nominee("郑东新区"), "same-person", [])
        assert await tx.nominees.holder("zz", "same-person", None) == ("郑东新区", "medal", second)
        assert await tx.nominees.holder("zz", "same-person", second) is None
        record = await tx.nominees.get(first)
        assert record is not None and record.identity is None
        with pytest.raises(TypeError):
            await tx.nominees.update(first, unit="二七区")


async def test_a_commit_after_another_transaction_s_commit_is_a_conflict() -> None:
    db = await seeded()
    async with db.write() as slow:
        async with db.write() as fast:
            await fast.commit()
        with pytest.raises(FakeConflict):
            await slow.commit()
    assert db.commits == 2


async def test_a_use_case_that_waits_for_the_event_loop_fails_as_it_would_in_the_database_thread() -> None:
    db = FakeDatabase()

    async def waits() -> int:
        await asyncio.sleep(0)
        return 1

    async def never_waits() -> int:
        async with db.read() as tx:
            await tx.units.all("zz")
        return 2

    assert await db.run(never_waits) == 2
    with pytest.raises(AssertionError, match="waited for the event loop"):
        await db.run(waits)
