"""The conversation in-process: the real Dispatcher, a recording Bot session, a real SQLite file.

Fixtures:
- ``clock``: the bot's one clock, 2024-03-15 10:00 in Zhengzhou — both built-in campaigns are
  open (Zhengzhou's first deadline 2024-03-20, Zhangjiakou's 2024-04-02);
- ``world``: a migrated database file with the Zhengzhou campaign loaded (a copy of one
  template per test session), and the office's command line (``tests.chat.world``);
- ``bot``: the running bot (:class:`tests.chat.chat.Harness`): ``await bot.clerk(tg_id, unit)``
  for a clerk who joined through an invitation link, ``bot.chat(tg_id)`` for anybody else,
  ``await bot.restart()``.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.chat.chat import Clock, ErrorLog, Harness
from tests.chat.world import World, migrate

NOW = datetime(2024, 3, 15, 2, 0, tzinfo=UTC)  # 10:00 in Zhengzhou
ZHENGZHOU = "zhengzhou-2024"


async def prepare(path: Path) -> None:
    """A migrated database with the Zhengzhou campaign loaded."""
    await migrate(path)
    world = World(path, path.parent / "files", Clock(NOW))
    try:
        await world.load_builtin(ZHENGZHOU)
    finally:
        await world.close()


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One prepared database for the session; each test gets a copy."""
    path = tmp_path_factory.mktemp("chat") / "template.db"
    # in a thread of its own: the event loops pytest-asyncio keeps for the tests stay untouched
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, prepare(path)).result()
    return path


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def errors() -> Iterator[ErrorLog]:
    handler = ErrorLog()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


@pytest.fixture
async def world(template: Path, tmp_path: Path, clock: Clock) -> AsyncIterator[World]:
    path = tmp_path / "nominee.db"
    shutil.copy(template, path)
    w = World(path, tmp_path / "files", clock)
    try:
        yield w
    finally:
        await w.close()


@pytest.fixture
async def bot(world: World, clock: Clock, errors: ErrorLog) -> Harness:
    return Harness(world, clock, errors)
