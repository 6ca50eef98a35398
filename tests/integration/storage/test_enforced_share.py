"""An enforced maximum share (``enforce = true``: "企业负责人和科级干部不超过 3 %") is claimed at
entry like a pool, on both databases: its count comes from the award's total with the rounding
rule (≤ rounds down), concurrent saves never exceed it, and the refusal reads like a pool's."""

from __future__ import annotations

import asyncio
from pathlib import Path

from app import campaigns, nominees
from app.ports import Ports
from core.loader import parse
from core.refusals import LimitFull
from storage import open_ports
from storage.db import Database, make_engine

from .conftest import Clock
from .helpers import clerk
from .test_race import answers, race_campaign_text

SHARE = """
[[proportions]]
key = "heads"
name = "科级干部和其他"
awards = ["medal"]
where = { any = [{ category = ["科级干部"] }, { category = ["其他"] }] }
max_pct = 3
enforce = true
"""


async def test_forty_clerks_race_for_an_enforced_share_of_six(
    ports: Ports, db_url: str, clock: Clock, tmp_path: Path
) -> None:
    src = race_campaign_text(small_units=50, pool_cap=100) + SHARE  # total 12 + 50 × 4 = 212; ≤ 3 % → 6
    assert (await campaigns.load(ports, parse(src), text=src)).ok
    async with ports.db.read() as tx:
        counter = await tx.counters.limit("race-test", "proportion:heads")
    assert counter is not None and (counter.cap, counter.used) == (6, 0)

    clerks = [await clerk(ports, "race-test", f"单位{i:02d}", 100 + i) for i in range(1, 41)]
    assert (await nominees.save(ports, clerks[0], "medal", answers(1, "其他"))).ok
    assert (await nominees.save(ports, clerks[1], "medal", answers(2, "科级干部"))).ok

    other_db = Database(make_engine(db_url, pool_size=5, max_overflow=5))
    other = open_ports(other_db, tmp_path / "files", clock, cache_drafts=False)
    try:
        outcomes = await asyncio.gather(
            *(
                nominees.save((ports, other)[i % 2], who, "medal", answers(100 + i, "其他"))
                for i, who in enumerate(clerks)
            )
        )
    finally:
        await other_db.dispose()
    assert sum(o.ok for o in outcomes) == 4
    for outcome in outcomes:
        if not outcome.ok:
            [refusal] = outcome.refusals
            assert isinstance(refusal, LimitFull)
            assert (refusal.kind, refusal.limit, refusal.cap) == ("proportion", "proportion:heads", 6)
    async with ports.db.read() as tx:
        counter = await tx.counters.limit("race-test", "proportion:heads")
    assert counter is not None and counter.used == 6
    # a category outside the share still gets in
    assert (await nominees.save(ports, clerks[5], "medal", answers(900, "产业工人"))).ok
