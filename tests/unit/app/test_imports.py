"""Imports as use cases: a template's rows saved in one transaction through the chat's save (the
rows that do not fit left out and named), a trial that writes nothing; the allocation table loaded
as the definition's next version, by the office only."""

from __future__ import annotations

from typing import Any

from app import imports
from core.loader import load_builtin
from core.quota import UnitAwardStatus
from core.refusals import CampaignUnknown, OfficeOnly, ReservedFull
from tests.nominees import person

from .story import AIRPORT, ZZ, World


def row(n: int, category: str) -> dict[str, Any]:
    answers = person(n, category)
    answers.pop("photo")  # a template has no photo
    return answers


def rows() -> list[tuple[int, dict[str, Any]]]:
    """航空港's 奖章 is 6 (一线产业工人 4, 一线科教 1, 1 free): the sixth 产业工人 (sheet row 7) no
    longer fits, the 科教 after it does."""
    out = [(r, row(r, "一线产业工人")) for r in range(2, 8)]
    return [*out, (8, row(8, "一线科教人员"))]


async def test_a_trial_writes_nothing_and_names_the_row_that_does_not_fit(zz: World) -> None:
    clerk = await zz.clerk(AIRPORT, 100)
    trial = await zz.nothing_written(imports.save_rows(zz.ports, clerk, "medal", rows(), commit=False))
    assert [r for r, _info in trial.saved] == [2, 3, 4, 5, 6, 8] and not trial.committed
    ((refused_row, refusals),) = trial.refused
    assert refused_row == 7 and any(isinstance(r, ReservedFull) for r in refusals), refusals
    status: UnitAwardStatus = await zz.places(clerk, "medal")
    assert status.used == 0


async def test_the_rows_that_fit_are_saved_in_one_commit_without_their_photo(zz: World) -> None:
    clerk = await zz.clerk(AIRPORT, 100)
    done = await zz.once(imports.save_rows(zz.ports, clerk, "medal", rows(), commit=True))
    assert [r for r, _info in done.saved] == [2, 3, 4, 5, 6, 8] and [r for r, _ in done.refused] == [7]
    assert all("photo" not in info.answers for _r, info in done.saved)
    assert (await zz.places(clerk, "medal")).used == 6
    assert await zz.consistent()


async def test_the_office_loads_an_allocation_and_a_clerk_may_not(zz: World) -> None:
    campaign = load_builtin(ZZ)
    units = list(campaign.units)
    airport = next(i for i, u in enumerate(units) if u.name == AIRPORT)
    units[airport] = units[airport].model_copy(update={"name_en": "Airport Economy Zone"})
    clerk = await zz.clerk(AIRPORT, 100)
    assert await zz.rejected(imports.allocation(zz.ports, ZZ, units, user=clerk)) == OfficeOnly()
    office = await zz.office()
    report = await zz.once(imports.allocation(zz.ports, ZZ, units, user=office))
    assert (report.status, report.version) == ("updated", 2)
    same = await zz.nothing_written(imports.allocation(zz.ports, ZZ, units, user=office))
    assert same.status == "unchanged"


async def test_an_unknown_campaign_is_rejected(zz: World) -> None:
    assert await zz.rejected(imports.allocation(zz.ports, "nosuch-2024", [])) == CampaignUnknown("nosuch-2024")
