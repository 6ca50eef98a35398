"""A process SIGKILLed while saving leaves each nominee whole with its places, or nothing.

A subprocess saves nominees in three concurrent loops (a unit whose places are all reserved, and
two units taking city-wide pool places), withdrawing the oldest whenever it is refused so it
never runs out of work. It is killed at a random moment — nearly always inside a transaction —
and afterwards every counter must equal the nominees holding places, and every nominee holding
a place must carry the claims of its counters (app.queries.verify_counters checks both ways).
Each save is confirmed from a draft, as in the chat: a draft left behind is never of a person
already stored (the draft's removal commits with the insert).
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

from app import campaigns, drafts, queries
from app.ports import Ports
from core.loader import parse

from .helpers import clerk
from .test_race import race_campaign_text

ROOT = Path(__file__).resolve().parents[3]
KILLS = 3

WORKER = """
import asyncio, sys, tempfile
from datetime import UTC, datetime
from pathlib import Path
from app import drafts, nominees, queries
from core.records import Draft
from storage import open_ports
from storage.db import Database, make_engine
from tests.integration.storage.test_race import answers

async def loop(ports, tg_id, category, start):
    user, _campaign = await queries.context(ports, tg_id)
    held = []
    i = start
    while True:
        typed = answers(i, category)
        await drafts.save(ports, Draft(tg_id, user.campaign_id, "medal", typed, step="summary"))
        out = await nominees.save(ports, user, "medal", typed, from_draft=True)
        if out.ok:
            held.append(out.nominee.id)
        elif held:
            await nominees.withdraw(ports, user, held.pop(0))
        print(i, flush=True)
        i += 1

async def main(url, start):
    db = Database(make_engine(url, pool_size=3))
    files = Path(tempfile.gettempdir()) / "nominee-kill-files"  # never written: no photos here
    ports = open_ports(db, files, lambda: datetime.now(UTC), cache_drafts=False)
    await asyncio.gather(
        loop(ports, 1, "产业工人", start),
        loop(ports, 2, "科级干部", start + 100_000),
        loop(ports, 3, "科级干部", start + 200_000),
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


async def no_draft_of_a_stored_person(ports: Ports, kill: int) -> None:
    """A draft still offered to a clerk names nobody already saved (else confirming it would say
    the person is "already nominated" by the clerk's own unit)."""
    for tg_id in (1, 2, 3):
        left = await drafts.load(ports, tg_id)
        if left is None:
            continue
        found = await queries.context(ports, tg_id)
        assert found is not None
        listed, _count = await queries.nominees(ports, found[0], limit=1000)
        stored = {n.answers["id_number"] for n in listed}
        assert left.answers["id_number"] not in stored, f"after kill {kill}: clerk {tg_id}'s draft was saved already"


async def test_a_killed_writer_leaves_no_place_without_its_nominee(
    ports: Ports, engine: AsyncEngine, db_url: str
) -> None:
    src = race_campaign_text()
    assert (await campaigns.load(ports, parse(src), text=src)).ok
    await clerk(ports, "race-test", "大厂", 1)
    await clerk(ports, "race-test", "单位01", 2)
    await clerk(ports, "race-test", "单位02", 3)
    await engine.dispose()  # the worker needs the SQLite write lock; we hold no connection meanwhile

    for kill in range(KILLS):
        run_and_kill(db_url, start=kill * 10_000, after_lines=random.randint(40, 80))
        assert await queries.verify_counters(ports, "race-test") == [], f"after kill {kill}"
        await no_draft_of_a_stored_person(ports, kill)

    found = await queries.context(ports, 1)
    assert found is not None
    big = found[0]
    medal = next(a for a in (await queries.unit_quota(ports, big)).awards if a.award == "medal")
    listed, count = await queries.nominees(ports, big, limit=100)
    assert medal.used == count == len(listed) > 0
