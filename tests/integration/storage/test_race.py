"""200 clerks racing for the last places, on both databases, 20 times over.

The campaign: one unit (大厂) whose 12 medal places are all reserved for 产业工人, and 50 small
units sharing a city-wide pool of 6 科级 places. Each round starts with 2 of the 大厂 places and 2
of the pool places taken, then fires 200 saves at once: 100 at 大厂 (80 产业工人, 20 of another
category) and 100 科级 nominees from the 50 small units. Exactly 10 and exactly 4 must get in;
everyone else must get the quota refusal; the counters must equal the rows.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app import campaigns, nominees, queries
from app.ports import Ports
from core.loader import parse
from core.records import SaveOutcome, UserInfo
from core.refusals import LimitFull, ReservedFull, UnitFull
from storage import open_ports
from storage.db import Database, make_engine
from tests.nominees import id_number, read_off

from .conftest import Clock
from .helpers import clerk

ROUNDS = 20
BIG = "大厂"
SMALL = [f"单位{i:02d}" for i in range(1, 51)]


def race_campaign_text(small_units: int = 50, big_cap: int = 12, pool_cap: int = 6, small_cap: int = 4) -> str:
    units = "\n".join(
        f'[[units]]\nname = "单位{i:02d}"\nquotas.medal = {small_cap}\n' for i in range(1, small_units + 1)
    )
    return f"""
id = "race-test"
name = "并发测试"
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
total = {big_cap + small_cap * small_units}
categories = ["产业工人", "科级干部", "其他"]
fields = ["name", "id_number"]

[awards.reserved.industrial]
name = "产业工人"
where = {{ category = ["产业工人"] }}

[[pools]]
key = "cadre"
name = "科级干部"
award = "medal"
cap = {pool_cap}
where = {{ category = ["科级干部"] }}

[[units]]
name = "{BIG}"
quotas.medal = {{ cap = {big_cap}, industrial = {big_cap} }}

{units}
"""


def answers(n: int, category: str) -> dict[str, str]:
    number = id_number(n)
    return {"category": category, "name": f"王{n}", "id_number": number, **read_off(number)}


async def reset(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("DELETE FROM audit_log WHERE nominee_id IS NOT NULL"))
        await conn.execute(text("DELETE FROM nominees"))
        await conn.execute(text("UPDATE unit_quotas SET used = 0"))
        await conn.execute(text("UPDATE limit_counters SET used = 0"))


async def test_200_clerks_race_for_the_last_10_reserved_and_4_pool_places(
    ports: Ports, engine: AsyncEngine, db_url: str, clock: Clock, tmp_path: Path
) -> None:
    src = race_campaign_text()
    assert (await campaigns.load(ports, parse(src), text=src)).ok
    big = await clerk(ports, "race-test", BIG, 1)
    small = [await clerk(ports, "race-test", unit, 100 + i) for i, unit in enumerate(SMALL)]
    other_db = Database(make_engine(db_url, pool_size=5, max_overflow=5))
    other = open_ports(other_db, tmp_path / "files", clock, cache_drafts=False)
    started = time.perf_counter()
    for rnd in range(ROUNDS):
        await reset(engine)
        base = rnd * 1000
        # The places already gone before the race: 2 of 大厂's 12, 2 of the pool's 6.
        for i, (who, cat) in enumerate(
            [(big, "产业工人"), (big, "产业工人"), (small[0], "科级干部"), (small[1], "科级干部")]
        ):
            assert (await nominees.save(ports, who, "medal", answers(base + i, cat))).ok

        attempts: list[tuple[str, UserInfo, dict[str, str]]] = []
        for i in range(100):
            attempts.append(("big", big, answers(base + 10 + i, "产业工人" if i % 5 else "其他")))
            attempts.append(("pool", small[i % 50], answers(base + 500 + i, "科级干部")))
        # Half of the attempts through a second engine, as a second bot process would: on SQLite
        # that is a second writer queueing on BEGIN IMMEDIATE and the busy timeout, not in-process.
        outcomes: list[SaveOutcome] = await asyncio.gather(
            *(nominees.save((ports, other)[i % 2], who, "medal", ans) for i, (_, who, ans) in enumerate(attempts))
        )

        won = {"big": 0, "pool": 0}
        for (target, _, _), outcome in zip(attempts, outcomes, strict=True):
            if outcome.ok:
                won[target] += 1
                continue
            refusal = outcome.refusals[0]
            if target == "big":
                assert isinstance(refusal, UnitFull | ReservedFull), outcome
            else:
                assert isinstance(refusal, LimitFull) and refusal.limit == "pool:cadre", outcome
        assert won == {"big": 10, "pool": 4}, f"round {rnd}: {won}"
        assert await queries.verify_counters(ports, "race-test") == []
        quota = await queries.unit_quota(ports, big)
        assert next(a for a in quota.awards if a.award == "medal").used == 12
        assert next(p for p in quota.pools if p.limit.key == "pool:cadre").used == 6
    elapsed = time.perf_counter() - started
    await other_db.dispose()
    print(f"{engine.dialect.name}: {ROUNDS} rounds of 200 concurrent saves in {elapsed:.1f} s")
