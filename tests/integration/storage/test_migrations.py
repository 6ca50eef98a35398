"""Alembic: every revision upgrades, downgrades and upgrades again (the "stairway"), the models
agree with the newest migration, and an out-of-date database is refused with the fix to run."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import (
    SchemaOutOfDate,
    alembic_config,
    check_schema,
    current_revision,
    downgrade,
    head_revision,
    make_engine,
    upgrade,
)
from storage.models import Base

from .conftest import create_pg_database, drop_pg_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A database with no schema at all."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
        yield engine
        await engine.dispose()
        return
    name = f"nominee_stairway_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    engine = make_engine(create_pg_database(name))
    try:
        yield engine
    finally:
        await engine.dispose()
        drop_pg_database(name)


def revisions() -> list[tuple[str, str]]:
    """(revision, the one before it or "base"), oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    steps = [(s.revision, s.down_revision or "base") for s in script.walk_revisions("base", "heads")]
    return [(rev, str(down)) for rev, down in reversed(steps)]


async def test_stairway(empty_engine: AsyncEngine) -> None:
    assert revisions(), "no migrations found"
    for revision, previous in revisions():
        await upgrade(empty_engine, revision)
        assert await current_revision(empty_engine) == revision
        await downgrade(empty_engine, previous)
        assert await current_revision(empty_engine) == (None if previous == "base" else previous)
        await upgrade(empty_engine, revision)
    assert await current_revision(empty_engine) == head_revision()


async def test_models_agree_with_the_newest_migration(empty_engine: AsyncEngine) -> None:
    await upgrade(empty_engine)
    async with empty_engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata)
        )
    assert diff == []


async def test_an_out_of_date_schema_is_refused_with_the_command_to_run(empty_engine: AsyncEngine) -> None:
    with pytest.raises(SchemaOutOfDate, match="nominee-bot db upgrade"):
        await check_schema(empty_engine)
    await upgrade(empty_engine)
    await check_schema(empty_engine)
    first, _ = revisions()[0]
    await downgrade(empty_engine, "base")
    await upgrade(empty_engine, first)
    if first != head_revision():  # pragma: no cover - only once a second migration exists
        with pytest.raises(SchemaOutOfDate, match="nominee-bot db upgrade"):
            await check_schema(empty_engine)


async def test_a_schema_from_a_newer_version_is_refused(empty_engine: AsyncEngine) -> None:
    await upgrade(empty_engine)
    async with empty_engine.begin() as conn:
        await conn.execute(text("UPDATE alembic_version SET version_num = 'from_the_future'"))
    with pytest.raises(SchemaOutOfDate, match="newer version"):
        await check_schema(empty_engine)
