"""Nominee saves per second, with every quota check, on SQLite and PostgreSQL.

    python bench/bench_storage.py [--seconds 3] [--writers 1,10,50] [--pg-url postgresql+asyncpg://...]

Writers fill units shaped like Zhengzhou's (奖章 6 places: 4 reserved for 产业工人, 1 for 科教,
1 free) through the units' clerks, each writer taking its own units one after the other. Every
save is the production path: the unit's counter claimed with a conditional UPDATE, the quota
engine checking the reserved sub-quotas, the award total and (for the free place) a city-wide
pool claimed, the identity constraint and the audit log written — one transaction per save. SQLite is a
temporary file; PostgreSQL a temporary database created through the ``postgres`` maintenance
database (skipped with a message when the server is unreachable).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from core.idcard import make_id_number  # noqa: E402
from core.loader import parse  # noqa: E402
from core.ports import UserInfo  # noqa: E402
from storage.db import make_engine, upgrade  # noqa: E402
from storage.models import UserRow  # noqa: E402
from storage.service import Store  # noqa: E402

UNITS = 3000
# The order a unit's six places are filled in: the reserved ones first, then the free one.
PATTERN = ("产业工人", "产业工人", "科教", "产业工人", "产业工人", "科级干部")


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


async def measure(url: str, writers_list: list[int], seconds: float) -> list[tuple[int, int, float]]:
    engine = make_engine(url, pool_size=max(writers_list))
    await upgrade(engine)
    store = Store(engine, files_dir=Path(tempfile.gettempdir()) / "nominee-bench-files")
    src = campaign_text()
    report = await store.load_campaign(parse(src), text=src)
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
    clerks = [UserInfo(10_000 + i, "clerk", "bench", f"单位{i:04d}", "zh") for i in range(UNITS)]

    results = []
    units = iter(range(UNITS))
    people = iter(range(10**9))
    for writers in writers_list:
        done = 0
        stop = time.perf_counter() + seconds

        async def writer(stop: float) -> None:
            nonlocal done
            while time.perf_counter() < stop:
                user = clerks[next(units)]  # a fresh unit for each six saves
                for category in PATTERN:
                    if time.perf_counter() >= stop:
                        break
                    outcome = await store.save_nominee(user, "medal", answers(next(people), category))
                    assert outcome.ok, outcome.refusals
                    done += 1

        started = time.perf_counter()
        await asyncio.gather(*(writer(stop) for _ in range(writers)))
        results.append((writers, done, time.perf_counter() - started))
    assert await store.verify_counters("bench") == []
    await engine.dispose()
    return results


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
    parser.add_argument("--writers", default="1,10,50", help="concurrent writers per row (default 1,10,50)")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("NOMINEE_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"),
        help="any database on the PostgreSQL server to use",
    )
    args = parser.parse_args()
    writers = [int(w) for w in args.writers.split(",")]
    rows: list[tuple[str, int, int, float]] = []

    with tempfile.TemporaryDirectory() as tmp:
        for w, n, s in await measure(f"sqlite+aiosqlite:///{tmp}/bench.db", writers, args.seconds):
            rows.append(("SQLite (WAL)", w, n, s))

    name = f"nominee_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        await pg_admin(args.pg_url, f'CREATE DATABASE "{name}"')
    except Exception as exc:
        print(f"PostgreSQL skipped: not reachable at {make_url(args.pg_url).render_as_string()}: {exc!r}")
    else:
        try:
            url = make_url(args.pg_url).set(database=name).render_as_string(hide_password=False)
            for w, n, s in await measure(url, writers, args.seconds):
                rows.append(("PostgreSQL", w, n, s))
        finally:
            await pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    print(f"{'database':<14}{'writers':>8}{'saves':>8}{'seconds':>9}{'saves/s':>9}")
    for db, w, n, s in rows:
        print(f"{db:<14}{w:>8}{n:>8}{s:>9.1f}{n / s:>9.0f}")


if __name__ == "__main__":
    asyncio.run(main())
