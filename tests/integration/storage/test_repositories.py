"""What the use cases rely on from the repositories and the unit of work, on SQLite and PostgreSQL:
a place is taken only while one is left and given back exactly, the identity constraint and a
campaign created twice come back as our own exceptions, and nothing is kept without a commit."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app import campaigns, queries
from app.ports import AlreadyExists, IdentityTaken, Ports
from core.loader import parse
from core.records import NomineeInfo
from storage import open_ports
from storage.db import Database, make_engine

from .conftest import Clock
from .helpers import clerk
from .test_race import race_campaign_text

RACE = "race-test"
NOW = datetime(2024, 3, 1, tzinfo=UTC)


@pytest.fixture
async def race(ports: Ports) -> Ports:
    """大厂 with 2 medal places (both reserved), two small units of 4, a city-wide pool of 1."""
    src = race_campaign_text(small_units=2, big_cap=2, pool_cap=1)
    assert (await campaigns.load(ports, parse(src), text=src)).ok
    return ports


def nominee(unit: str = "大厂") -> NomineeInfo:
    return NomineeInfo(0, RACE, unit, "medal", "saved", {"name": "王一"}, None, 7, NOW, NOW)


async def test_a_unit_place_is_taken_only_while_one_is_left_and_given_back_exactly(race: Ports) -> None:
    async with race.db.write() as tx:
        assert await tx.counters.take_unit(RACE, "大厂", "medal")
        assert await tx.counters.take_unit(RACE, "大厂", "medal")
        assert not await tx.counters.take_unit(RACE, "大厂", "medal")  # the cap is 2
        counter = await tx.counters.unit(RACE, "大厂", "medal")
        assert counter is not None and (counter.cap, counter.used) == (2, 2)
        await tx.counters.release_unit(RACE, "大厂", "medal")
        assert await tx.counters.take_unit(RACE, "大厂", "medal")  # the place given back is free again
        assert not await tx.counters.take_unit(RACE, "没有这个单位", "medal")  # no counter, no place
        await tx.commit()
    async with race.db.read() as tx:
        counter = await tx.counters.unit(RACE, "大厂", "medal")
        assert counter is not None and counter.used == 2


async def test_a_pool_place_is_taken_once_and_a_counter_never_goes_below_zero(race: Ports) -> None:
    async with race.db.write() as tx:
        assert await tx.counters.limit_counts(RACE) == {"award:medal": 0, "pool:cadre": 0}
        assert await tx.counters.take_limit(RACE, "pool:cadre")
        assert not await tx.counters.take_limit(RACE, "pool:cadre")
        await tx.counters.release_limit(RACE, "pool:cadre")
        with pytest.raises(RuntimeError, match="below zero"):
            await tx.counters.release_limit(RACE, "pool:cadre")
    async with race.db.write() as tx:
        with pytest.raises(RuntimeError, match="below zero"):
            await tx.counters.release_unit(RACE, "单位01", "medal")


async def test_nothing_is_kept_without_a_commit(race: Ports) -> None:
    async with race.db.write() as tx:
        assert await tx.counters.take_unit(RACE, "大厂", "medal")
        await tx.nominees.add(nominee(), "a" * 64, ["unit"])
    with pytest.raises(ZeroDivisionError):
        async with race.db.write() as tx:
            assert await tx.counters.take_limit(RACE, "pool:cadre")
            1 / 0  # noqa: B018 - a use case failing halfway
    async with race.db.read() as tx:
        units, limits = await tx.counters.all(RACE)
        assert {c.used for c in units} == {0} and {c.used for c in limits} == {0}
        assert await tx.nominees.live(RACE) == []


async def test_the_same_person_twice_is_identity_taken(race: Ports) -> None:
    async with race.db.write() as tx:
        first = await tx.nominees.add(nominee(), "a" * 64, [])
        await tx.commit()
    with pytest.raises(IdentityTaken):
        async with race.db.write() as tx:
            await tx.nominees.add(nominee("单位01"), "a" * 64, [])
    async with race.db.write() as tx:
        second = await tx.nominees.add(nominee("单位01"), "b" * 64, [])
        with pytest.raises(IdentityTaken):  # an edit into someone else's identity
            await tx.nominees.update(second, identity="a" * 64)
    async with race.db.write() as tx:
        await tx.nominees.update(first, status="withdrawn", identity=None)  # a withdrawn nominee frees it
        await tx.nominees.add(nominee("单位01"), "a" * 64, [])
        with pytest.raises(TypeError, match="unit"):
            await tx.nominees.update(first, unit="单位02")  # not something a use case may change
        await tx.commit()
    async with race.db.read() as tx:
        holder = await tx.nominees.holder(RACE, "a" * 64, None)
        assert holder is not None and holder[:2] == ("单位01", "medal") and holder[2] != first
        assert await tx.nominees.holder(RACE, "a" * 64, first) == holder


async def test_a_campaign_created_twice_is_already_exists(race: Ports) -> None:
    campaign = parse(race_campaign_text(small_units=2, big_cap=2, pool_cap=1))
    with pytest.raises(AlreadyExists):
        async with race.db.write() as tx:
            await tx.campaigns.put(campaign, "…", 1, NOW)
    async with race.db.read() as tx:
        stored = await tx.campaigns.stored(RACE)
        assert stored is not None and stored.info.version == 1 and stored.definition != "…"


async def test_two_processes_loading_the_built_in_campaign_at_once_both_get_it(
    ports: Ports, db_url: str, tmp_path: Path, clock: Clock
) -> None:
    other_db = Database(make_engine(db_url, pool_size=2))
    other = open_ports(other_db, tmp_path / "files", clock, cache_drafts=False)
    try:
        loaded = await asyncio.gather(
            campaigns.ensure_builtin(ports, "zhengzhou-2024"), campaigns.ensure_builtin(other, "zhengzhou-2024")
        )
    finally:
        await other_db.dispose()
    assert [c.id for c in loaded] == ["zhengzhou-2024"] * 2
    assert [(c.id, c.version) for c in await campaigns.listed(ports)] == [("zhengzhou-2024", 1)]


async def test_the_bot_sees_a_definition_reloaded_by_the_command_line_at_its_next_update(
    race: Ports, db_url: str, tmp_path: Path, clock: Clock
) -> None:
    me = await clerk(race, RACE, "大厂", 1)
    found = await queries.context(race, me.tg_id)  # the bot has parsed version 1 and keeps it
    assert found is not None and found[1].unit("大厂").quotas["medal"].cap == 2
    cli_db = Database(make_engine(db_url, pool_size=1))
    try:
        cli = open_ports(cli_db, tmp_path / "files", clock, cache_drafts=False)
        src = race_campaign_text(small_units=2, big_cap=3, pool_cap=1)
        assert (await campaigns.load(cli, parse(src), text=src)).version == 2
    finally:
        await cli_db.dispose()
    found = await queries.context(race, me.tg_id)
    assert found is not None and found[1].unit("大厂").quotas["medal"].cap == 3
