"""A template's rows imported in one transaction, on SQLite and PostgreSQL: the rows that fit are
saved together with every counter exact; a trial keeps nothing; a row the quota refuses is named."""

from __future__ import annotations

from typing import Any

import pytest

from app import campaigns, imports, queries
from app.ports import Ports
from core.refusals import ReservedFull
from tests.nominees import person

from .helpers import clerk

ZZ = "zhengzhou-2024"
AIRPORT = "航空港经济综合试验区"  # 奖章 6: 一线产业工人 4, 一线科教 1, 1 free


@pytest.fixture
async def zz(ports: Ports) -> Ports:
    await campaigns.ensure_builtin(ports, ZZ)
    return ports


def row(n: int, category: str) -> dict[str, Any]:
    answers = person(n, category)
    answers.pop("photo")
    return answers


async def test_the_rows_that_fit_are_saved_together_and_every_counter_stays_exact(zz: Ports) -> None:
    me = await clerk(zz, ZZ, AIRPORT, 101)
    rows = [(r, row(r, "一线产业工人")) for r in range(2, 8)] + [(8, row(8, "一线科教人员"))]
    trial = await imports.save_rows(zz, me, "medal", rows, commit=False)
    assert [r for r, _i in trial.saved] == [2, 3, 4, 5, 6, 8]
    quota = await queries.unit_quota(zz, me)
    assert next(a for a in quota.awards if a.award == "medal").used == 0

    done = await imports.save_rows(zz, me, "medal", rows, commit=True)
    assert [r for r, _i in done.saved] == [2, 3, 4, 5, 6, 8]
    ((refused, why),) = done.refused
    assert refused == 7 and isinstance(why[0], ReservedFull)
    quota = await queries.unit_quota(zz, me)
    assert next(a for a in quota.awards if a.award == "medal").used == 6
    assert await queries.verify_counters(zz, ZZ) == []
