"""bot.leader (one leader across processes, on the real PostgreSQL) and bot.dedup (an update
handled once, on the real Redis and in memory)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
import pytest_asyncio
from redis.asyncio import Redis
from sqlalchemy import text

from bot.dedup import Claim, MemoryClaims, RedisClaims
from bot.leader import Leader
from storage.db import make_engine
from tests.e2e.scaleout import PG_URL, REDIS_URL

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def pg() -> AsyncIterator[object]:
    engine = make_engine(PG_URL)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:
        await engine.dispose()
        pytest.skip(f"PostgreSQL not reachable: {exc!r}")
    yield engine
    await engine.dispose()


async def until(condition: object, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():  # type: ignore[operator]
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.02)


@pytest.mark.postgres
async def test_one_leader_at_a_time_and_the_next_takes_over(pg: object) -> None:
    name = f"test-{uuid.uuid4().hex[:8]}"
    running: list[str] = []

    def job(who: str) -> Callable[[], Awaitable[None]]:
        async def work() -> None:
            running.append(who)
            try:
                await asyncio.Event().wait()
            finally:
                running.remove(who)

        return work

    a, b = Leader(pg, name, retry=0.05, check=0.05), Leader(pg, name, retry=0.05, check=0.05)  # type: ignore[arg-type]
    task_a = asyncio.create_task(a.run(job("a")))
    await until(lambda: running == ["a"])
    task_b = asyncio.create_task(b.run(job("b")))
    await asyncio.sleep(0.3)
    assert running == ["a"] and a.leading and not b.leading
    task_a.cancel()  # a process stops: the lock is let go, the other takes over
    with contextlib.suppress(asyncio.CancelledError):
        await task_a
    await until(lambda: running == ["b"])
    assert b.leading and not a.leading
    task_b.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task_b
    assert running == []


@pytest.mark.postgres
async def test_a_leader_whose_connection_dies_stops_its_job(pg: object) -> None:
    name = f"test-{uuid.uuid4().hex[:8]}"
    stopped = asyncio.Event()

    async def work() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            stopped.set()

    leader = Leader(pg, name, retry=0.05, check=0.05)  # type: ignore[arg-type]
    task = asyncio.create_task(leader.run(work))
    await until(lambda: leader.leading)
    async with pg.connect() as admin:  # type: ignore[attr-defined]
        await admin.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = :o"),
            {"o": leader.key & 0xFFFFFFFF},
        )
        await admin.commit()
    await asyncio.wait_for(stopped.wait(), 10)  # as a killed process's lock: gone, the job stopped
    await until(lambda: leader.leading)  # and leadership taken again on a new connection
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def test_sqlite_has_one_process_and_it_always_leads(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    ran: list[bool] = []

    async def work() -> None:
        ran.append(True)

    leader = Leader(engine, "reminders")
    await leader.run(work)
    assert ran == [True] and not leader.shared
    await engine.dispose()


@pytest_asyncio.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except Exception as exc:
        await client.aclose()
        pytest.skip(f"Redis not reachable: {exc!r}")
    yield client
    await client.aclose()


@pytest.mark.redis
async def test_redis_claims_hand_an_update_to_one_process_only(redis: Redis) -> None:
    bot = int(uuid.uuid4().int % 10**9)
    one, two = RedisClaims(redis, lease=0.3), RedisClaims(redis, lease=0.3)  # two processes
    got = await asyncio.gather(one.claim(bot, 7), two.claim(bot, 7))
    assert sorted(c.value for c, _ in got) == ["busy", "new"]
    winner, token = next((claims, t) for claims, (c, t) in zip((one, two), got, strict=True) if c is Claim.NEW)
    await winner.finish(bot, 7, token)
    assert (await two.claim(bot, 7))[0] is Claim.DONE
    assert (await one.claim(bot, 7))[0] is Claim.DONE


@pytest.mark.redis
async def test_a_lease_of_a_dead_process_runs_out_and_a_release_frees_at_once(redis: Redis) -> None:
    bot = int(uuid.uuid4().int % 10**9)
    claims = RedisClaims(redis, lease=0.2)
    assert (await claims.claim(bot, 1))[0] is Claim.NEW  # its process dies: never finished
    assert (await claims.claim(bot, 1))[0] is Claim.BUSY
    await asyncio.sleep(0.3)
    state, token = await claims.claim(bot, 1)
    assert state is Claim.NEW  # the retry after the lease takes it over
    await claims.release(bot, 1, "someone else's")  # not this claim's token: nothing happens
    assert (await claims.claim(bot, 1))[0] is Claim.BUSY
    await claims.release(bot, 1, token)  # handling failed: the next retry may try again
    assert (await claims.claim(bot, 1))[0] is Claim.NEW


async def test_memory_claims_answer_the_same() -> None:
    claims = MemoryClaims(lease=0.1)
    state, token = await claims.claim(1, 5)
    assert state is Claim.NEW
    assert (await claims.claim(1, 5))[0] is Claim.BUSY
    await claims.finish(1, 5, token)
    assert (await claims.claim(1, 5))[0] is Claim.DONE
    assert (await claims.claim(2, 5))[0] is Claim.NEW  # another bot's update 5
    await asyncio.sleep(0.15)
    assert (await claims.claim(2, 5))[0] is Claim.NEW
