"""Storage alone, through the use cases, on SQLite and PostgreSQL: nominee saves and chat steps per
second with their latency.

    python bench/bench_storage.py [--seconds 3] [--writers 1,10,50] [--pg-url postgresql+asyncpg://...]

Three workloads per N, each for ``--seconds``:

- "save": N clerks save complete nominees one after the other (app.nominees.save, the production
  path: the unit's row locked, its counter claimed with a conditional UPDATE, the quota engine
  checking the reserved sub-quotas, the award total and — for the free place — a city-wide pool
  claimed, the identity constraint and the audit log written; one transaction per save). Units
  are shaped like Zhengzhou's (奖章 6 places: 4 reserved for 产业工人, 1 for 科教, 1 free); each
  clerk fills fresh units.
- "step": N clerks answer questions: what every chat update does in storage — who is writing and
  the definition in force (app.queries.context), the draft's load and its save (drafts kept in the
  database only, as with several bot processes).
- "mixed": N/2 clerks saving nominees while N/2 answer questions — the latency of a step while
  saves hold the write lock.

SQLite is a temporary file, PostgreSQL a temporary database created through the ``postgres``
maintenance database (skipped with a message when the server is unreachable). Engines are built
as the bot builds them (storage.db.make_engine defaults).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import count
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from app import campaigns, drafts, nominees, queries  # noqa: E402
from app.ports import Ports  # noqa: E402
from core.idcard import make_id_number  # noqa: E402
from core.loader import parse  # noqa: E402
from core.records import Draft, UserInfo  # noqa: E402
from storage import open_ports  # noqa: E402
from storage.db import Database, make_engine, upgrade  # noqa: E402
from storage.models import UserRow  # noqa: E402

UNITS = 3000
# The order a unit's six places are filled in: the reserved ones first, then the free one.
PATTERN = ("产业工人", "产业工人", "科教", "产业工人", "产业工人", "科级干部")
STEPS = ("name", "id_number", "ethnicity", "political", "employer", "phone", "deeds")


def campaign_text() -> str:
    units = "\n".join(
        f'[[units]]\nname = "单位{i:04d}"\nquotas.medal = {{ cap = 6, industrial = 4, scitech = 1 }}\n'
        for i in range(UNITS)
    )
    return f"""
id = "bench"
name = "基准测试"
office = "测试办公室"

[fields.name]
label = "姓名"
type = "person_name"

[fields.id_number]
label = "身份证号码"
type = "id_number"

[[awards]]
key = "medal"
name = "奖章"
kind = "individual"
total = {6 * UNITS}
categories = ["产业工人", "科教", "科级干部"]
fields = ["name", "id_number"]

[awards.reserved.industrial]
name = "产业工人"
where = {{ category = ["产业工人"] }}

[awards.reserved.scitech]
name = "科教"
where = {{ category = ["科教"] }}

[[pools]]
key = "cadre"
name = "科级干部"
award = "medal"
cap = {UNITS}
where = {{ category = ["科级干部"] }}

{units}
"""


def answers(n: int, category: str) -> dict[str, str]:
    number = make_id_number("410105", date(1960, 1, 1) + timedelta(days=n // 500), n % 500, n % 2 == 0)
    return {
        "category": category,
        "name": f"测试{n}",
        "id_number": number,
        "gender": "男" if int(number[16]) % 2 else "女",
        "birth_date": f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
    }


@dataclass
class Row:
    workload: str
    n: int
    done: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, of the measured operation

    def line(self, database: str) -> str:
        ms = sorted(x * 1000 for x in self.latencies) or [0.0]
        p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
        rate = self.done / self.seconds if self.seconds else 0.0
        return (
            f"{database:<14}{self.workload:<8}{self.n:>5}{self.done:>8}{rate:>9.0f}"
            f"{statistics.median(ms):>9.1f}{p99:>9.1f}{ms[-1]:>9.1f}"
        )


class Bench:
    def __init__(self, ports: Ports, clerks: list[UserInfo]) -> None:
        self.ports = ports
        self.clerks = iter(clerks)  # a fresh unit for each six saves
        self.people = count()

    async def saver(self, row: Row, stop: float) -> None:
        while time.perf_counter() < stop:
            user = next(self.clerks)
            for category in PATTERN:
                if time.perf_counter() >= stop:
                    return
                started = time.perf_counter()
                outcome = await nominees.save(self.ports, user, "medal", answers(next(self.people), category))
                row.latencies.append(time.perf_counter() - started)
                assert outcome.ok, outcome.refusals
                row.done += 1

    async def answerer(self, row: Row, stop: float) -> None:
        user = next(self.clerks)
        typed: dict[str, str] = {"category": "产业工人"}
        step = 0
        while time.perf_counter() < stop:
            started = time.perf_counter()
            found = await queries.context(self.ports, user.tg_id)
            assert found is not None
            draft = await drafts.load(self.ports, user.tg_id) or Draft(user.tg_id, "bench", "medal", typed)
            key = STEPS[step % len(STEPS)]
            answers = {**draft.answers, key: "该同志长期扎根生产一线。" * (12 if key == "deeds" else 1)}
            await drafts.save(self.ports, Draft(user.tg_id, "bench", "medal", answers, step=key))
            row.latencies.append(time.perf_counter() - started)
            row.done += 1
            step += 1

    async def run(self, row: Row, workers: list[Callable[[Row, float], Awaitable[None]]], seconds: float) -> Row:
        started = time.perf_counter()
        await asyncio.gather(*(work(row, started + seconds) for work in workers))
        row.seconds = time.perf_counter() - started
        return row


async def measure(url: str, ns: list[int], seconds: float) -> list[Row]:
    engine = make_engine(url)
    await upgrade(engine)
    db = Database(engine)
    ports = open_ports(
        db, Path(tempfile.gettempdir()) / "nominee-bench-files", lambda: datetime.now(UTC), cache_drafts=False
    )
    src = campaign_text()
    report = await campaigns.load(ports, parse(src), text=src)
    assert report.ok, report.lines()
    # One clerk per unit, written directly: the invitations are not what is measured.
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        await conn.execute(
            insert(UserRow),
            [
                dict(tg_id=10_000 + i, role="clerk", campaign_id="bench", unit=f"单位{i:04d}", language="zh")
                | dict(created_at=now, updated_at=now)
                for i in range(UNITS)
            ],
        )
    bench = Bench(ports, [UserInfo(10_000 + i, "clerk", "bench", f"单位{i:04d}", "zh") for i in range(UNITS)])
    rows = []
    for n in ns:
        rows.append(await bench.run(Row("save", n), [bench.saver] * n, seconds))
        rows.append(await bench.run(Row("step", n), [bench.answerer] * n, seconds))
        if n > 1:
            steps = Row("mixed", n)
            saves = Row("saving", n)
            half = n // 2
            started = time.perf_counter()
            await asyncio.gather(
                bench.run(steps, [bench.answerer] * half, seconds),
                bench.run(saves, [bench.saver] * (n - half), seconds),
            )
            steps.seconds = saves.seconds = time.perf_counter() - started
            rows += [steps, saves]
    assert await queries.verify_counters(ports, "bench") == []
    await db.dispose()
    return rows


async def pg_admin(url: str, sql: str) -> None:
    admin = create_async_engine(
        make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT", connect_args={"timeout": 5}
    )
    try:
        async with admin.connect() as conn:
            await conn.execute(text(sql))
    finally:
        await admin.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="run time per row (default 3)")
    parser.add_argument("--writers", default="1,10,50", help="concurrent clerks per row (default 1,10,50)")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("NOMINEE_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"),
        help="any database on the PostgreSQL server to use",
    )
    args = parser.parse_args()
    ns = [int(w) for w in args.writers.split(",")]
    lines: list[str] = []

    with tempfile.TemporaryDirectory() as tmp:
        lines += [
            row.line("SQLite (WAL)") for row in await measure(f"sqlite+aiosqlite:///{tmp}/bench.db", ns, args.seconds)
        ]

    name = f"nominee_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        if args.no_pg:
            raise RuntimeError("--no-pg")
        await pg_admin(args.pg_url, f'CREATE DATABASE "{name}"')
    except Exception as exc:
        print(f"PostgreSQL skipped: {make_url(args.pg_url).render_as_string()}: {exc!r}")
    else:
        try:
            url = make_url(args.pg_url).set(database=name).render_as_string(hide_password=False)
            lines += [row.line("PostgreSQL") for row in await measure(url, ns, args.seconds)]
        finally:
            await pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    print(f"{'database':<14}{'work':<8}{'N':>5}{'done':>8}{'per s':>9}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    print("\n".join(lines))
    print("mixed: the steps of N/2 clerks while N/2 others save (saving: those saves)")


if __name__ == "__main__":
    asyncio.run(main())
