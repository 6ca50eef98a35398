"""Conversation state: the database FSM storage survives a new process; Redis on the real server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.redis import RedisStorage

from storage.db import Database, make_engine
from storage.fsm import DbStorage, make_fsm_storage

from .conftest import REDIS_URL

ROOT = Path(__file__).resolve().parents[3]


class Intake(StatesGroup):
    answering = State()


KEY = StorageKey(bot_id=42, chat_id=1001, user_id=1001)


async def test_state_and_data_round_trip(db: Database) -> None:
    fsm = DbStorage(db)
    assert await fsm.get_state(KEY) is None and await fsm.get_data(KEY) == {}
    await fsm.set_state(KEY, Intake.answering)
    await fsm.set_data(KEY, {"award": "medal", "answers": {"name": "张三"}, "step": 3})
    assert await fsm.get_state(KEY) == "Intake:answering"
    assert await fsm.update_data(KEY, {"step": 4}) == {"award": "medal", "answers": {"name": "张三"}, "step": 4}
    assert await fsm.get_value(KEY, "step") == 4
    other = StorageKey(bot_id=42, chat_id=1001, user_id=1001, destiny="dialog")
    assert await fsm.get_state(other) is None  # destiny is part of the key
    with pytest.raises(TypeError, match="JSON-safe"):
        await fsm.set_data(KEY, {"when": object()})
    await fsm.set_state(KEY, None)
    assert await fsm.get_state(KEY) is None and (await fsm.get_data(KEY))["step"] == 4
    await fsm.set_data(KEY, {})
    assert await fsm.get_data(KEY) == {}


READER = """
import asyncio, json, sys
from aiogram.fsm.storage.base import StorageKey
from storage.db import Database, make_engine
from storage.fsm import DbStorage

async def main(url):
    db = Database(make_engine(url))
    fsm = DbStorage(db)
    key = StorageKey(bot_id=42, chat_id=1001, user_id=1001)
    print(json.dumps({"state": await fsm.get_state(key), "data": await fsm.get_data(key)}, ensure_ascii=False))
    await fsm.update_data(key, {"written_by": "second process"})
    await db.dispose()

asyncio.run(main(sys.argv[1]))
"""


async def test_state_written_by_one_process_is_read_by_a_new_process(db: Database, db_url: str) -> None:
    fsm = DbStorage(db)
    await fsm.set_state(KEY, Intake.answering)
    await fsm.set_data(KEY, {"award": "medal", "answers": {"name": "张三", "category": "农民工"}, "step": "phone"})
    await db.dispose()  # "the bot stops"

    result = subprocess.run(
        [sys.executable, "-c", READER, db_url],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen == {
        "state": "Intake:answering",
        "data": {"award": "medal", "answers": {"name": "张三", "category": "农民工"}, "step": "phone"},
    }
    # And what the new process wrote is there for the next one.
    again = Database(make_engine(db_url))
    try:
        assert (await DbStorage(again).get_data(KEY))["written_by"] == "second process"
    finally:
        await again.dispose()


@pytest.mark.redis
async def test_redis_storage_keeps_state_across_connections() -> None:
    unused = Database(make_engine("sqlite+aiosqlite://"))
    first = make_fsm_storage(REDIS_URL, unused)
    assert isinstance(first, RedisStorage)
    try:
        await first.redis.ping()
    except Exception as exc:  # connection refused and friends: no Redis on this machine
        await first.close()
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc!r}")
    key = StorageKey(bot_id=42, chat_id=int(uuid.uuid4().int % 10**9), user_id=7)
    await first.set_state(key, Intake.answering)
    await first.set_data(key, {"answers": {"name": "李四"}, "step": 2})
    await first.close()
    second = make_fsm_storage(REDIS_URL, unused)
    try:
        assert await second.get_state(key) == "Intake:answering"
        assert await second.get_data(key) == {"answers": {"name": "李四"}, "step": 2}
    finally:
        await second.set_state(key, None)
        await second.set_data(key, {})
        await second.close()


async def test_without_redis_the_one_database_is_used(db: Database) -> None:
    fsm = make_fsm_storage(None, db)
    assert isinstance(fsm, DbStorage) and fsm.db is db  # not a second Database on the engine
