"""A process SIGKILLed while saving leaves each nominee whole with its places, or nothing.

A subprocess saves nominees in three concurrent loops (a unit whose places are all reserved, and
two units taking city-wide pool places), withdrawing the oldest whenever it is refused so it
never runs out of work. It is killed at a random moment — nearly always inside a transaction —
and afterwards every counter must equal the nominees holding places, and every nominee holding
a place must carry the claims of its counters (Store.verify_counters checks both ways).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from core.loader import parse
from storage.service import Store

from .helpers import clerk
from .test_race import race_campaign_text

ROOT = Path(__file__).resolve().parents[3]
KILLS = 3

WORKER = """
import asyncio, sys
from storage.db import make_engine
from storage.service import Store
from tests.integration.storage.test_race import answers

async def loop(store, tg_id, category, start):
    user = await store.get_user(tg_id)
    held = []
    i = start
    while True:
        out = await store.save_nominee(user, "medal", answers(i, category))
        if out.ok:
            held.append(out.nominee.id)
        elif held:
            await store.withdraw(user, held.pop(0))
        print(i, flush=True)
        i += 1

async def main(url, start):
    store = Store(make_engine(url, pool_size=3))
    await asyncio.gather(
        loop(store, 1, "产业工人", start),
        loop(store, 2, "科级干部", start + 100_000),
        loop(store, 3, "科级干部", start + 200_000),
    )

asyncio.run(main(sys.argv[1], int(sys.argv[2])))
"""


def run_and_kill(url: str, start: int, after_lines: int) -> int:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", WORKER, url, str(start)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    lines = 0
    deadline = time.monotonic() + 60
    try:
        while lines < after_lines:
            if not proc.stdout.readline():
                raise AssertionError(f"worker ended early: {proc.stderr.read() if proc.stderr else ''}")
            lines += 1
            assert time.monotonic() < deadline, "worker too slow"
        time.sleep(random.uniform(0, 0.05))  # land anywhere inside the next transactions
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    return lines


async def test_a_killed_writer_leaves_no_place_without_its_nominee(
    store: Store, engine: AsyncEngine, db_url: str
) -> None:
    src = race_campaign_text()
    assert (await store.load_campaign(parse(src), text=src)).ok
    await clerk(store, "race-test", "大厂", 1)
    await clerk(store, "race-test", "单位01", 2)
    await clerk(store, "race-test", "单位02", 3)
    await engine.dispose()  # the worker needs the SQLite write lock; we hold no connection meanwhile

    for kill in range(KILLS):
        run_and_kill(db_url, start=kill * 10_000, after_lines=random.randint(40, 80))
        assert await store.verify_counters("race-test") == [], f"after kill {kill}"

    big = await store.get_user(1)
    assert big is not None
    medal = next(a for a in (await store.unit_quota(big)).awards if a.award == "medal")
    listed, count = await store.nominees(big, limit=100)
    assert medal.used == count == len(listed) > 0
