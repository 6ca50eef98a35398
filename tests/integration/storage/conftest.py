"""Storage tests run on SQLite (a temporary file) and on the real PostgreSQL.

PostgreSQL: a uniquely named database is created through the ``postgres`` maintenance database
for the test session and dropped afterwards. When the server is not reachable the PostgreSQL
variants are SKIPPED with the reason — never passed silently. Override the server with
NOMINEE_TEST_PG_URL (an asyncpg URL of any database on it) and Redis with NOMINEE_TEST_REDIS_URL.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from app.ports import Ports
from storage import open_ports
from storage.db import Database, make_engine, upgrade
from storage.models import Base

PG_URL = os.environ.get("NOMINEE_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("NOMINEE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# A day before Zhengzhou's first deadline (2024-03-20), 10:00 in Shanghai.
BEFORE_DEADLINE = datetime(2024, 3, 1, 2, 0, tzinfo=UTC)


class Clock:
    """A settable clock for the use cases."""

    def __init__(self, now: datetime = BEFORE_DEADLINE) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def run_async(coro: Coroutine[Any, Any, Any]) -> Any:
    """Runs a coroutine to completion from a sync fixture, in its own thread and loop, so the
    event-loop state pytest-asyncio keeps for the tests is left alone."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _pg_admin(sql: str) -> None:
    """CREATE/DROP DATABASE through the maintenance database (they cannot run in a transaction)."""
    admin = create_async_engine(
        make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT", connect_args={"timeout": 5}
    )
    try:
        async with admin.connect() as conn:
            await conn.execute(text(sql))
    finally:
        await admin.dispose()


async def _drop_orphans() -> None:
    """Drops the test databases of test runs that were killed before their clean-up."""
    admin = create_async_engine(
        make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT", connect_args={"timeout": 5}
    )
    try:
        async with admin.connect() as conn:
            names = (
                await conn.execute(text("SELECT datname FROM pg_database WHERE datname LIKE 'nominee\\_%'"))
            ).scalars()
            for name in list(names):
                parts = name.split("_")
                if len(parts) == 4 and parts[1] in ("test", "stairway") and parts[2].isdigit():
                    try:
                        os.kill(int(parts[2]), 0)
                    except ProcessLookupError:
                        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                    except PermissionError:
                        pass  # alive, someone else's
    finally:
        await admin.dispose()


def create_pg_database(name: str) -> str:
    """Creates an empty database on the test server; skips the test when the server is absent."""
    try:
        run_async(_drop_orphans())
        run_async(_pg_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # connection refused, timeout, auth: all mean "not available here"
        pytest.skip(f"PostgreSQL not reachable at {make_url(PG_URL).render_as_string()}: {exc!r}")
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(name: str) -> None:
    run_async(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _upgraded(url: str) -> None:
    engine = make_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test gets a copy (much faster than migrating each time)."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    run_async(_upgraded(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def pg_session_url() -> Iterator[str]:
    name = f"nominee_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    url = create_pg_database(name)
    try:
        run_async(_upgraded(url))
        yield url
    finally:
        drop_pg_database(name)


TABLES = ", ".join(t.name for t in Base.metadata.sorted_tables)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "nominee.db"
        shutil.copy(template, path)
        return f"sqlite+aiosqlite:///{path}"
    url: str = request.getfixturevalue("pg_session_url")
    return url


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    eng = make_engine(db_url, pool_size=5, max_overflow=5)  # a shared server: stay well below max_connections
    if eng.dialect.name == "postgresql":  # the session's database, emptied for each test
        async with eng.begin() as conn:
            await conn.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
    yield eng
    await eng.dispose()


@pytest.fixture
async def db(engine: AsyncEngine) -> AsyncIterator[Database]:
    """The one Database of the engine, as the composition root builds it."""
    database = Database(engine)
    yield database
    await database.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ports(db: Database, tmp_path: Path, clock: Clock) -> Ports:
    """The use cases' ports on the database, drafts through the database only (several bot
    processes' setting; tests/integration/storage/test_drafts.py covers the kept ones)."""
    return open_ports(db, tmp_path / "files", clock, cache_drafts=False)
