"""Imports from Excel: the office's allocation table (a new version of the definition, through
the same versioned reload as ``campaign load``) and a clerk's filled template (every row saved
through the same use case as the chat's 确认保存).

The files are read by sheets/ before these run; here only plain values arrive.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app import access
from app.campaigns import load
from app.nominees import LostRace, duplicate_of, save_in
from app.places import Refused
from app.ports import Ports, UnitOfWork, usecase
from app.stored import json_safe
from core.campaign import Campaign, Unit
from core.imports import photo_fields, with_units
from core.loader import DefinitionError, parse
from core.quota import Limit, limit_full, limits_hit
from core.records import NomineeInfo, UserInfo
from core.refusals import CampaignUnknown, Refusal, Rejected
from core.reload import LoadReport


class NotSpliced(Exception):
    """The stored definition's text could not take the new units as they were read (its problems,
    for the office's editor)."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


@usecase
async def allocation(
    ports: Ports, campaign_id: str, units: Sequence[Unit], *, user: UserInfo | None = None
) -> LoadReport:
    """Loads ``units`` as the campaign's allocation table: the stored definition's text with its
    ``[[units]]`` replaced, loaded as its next version by :func:`app.campaigns.load` — refused
    (nothing written) when that would break nominees already saved. ``user``: an office member
    asking from the chat (None: the command line). Raises :class:`NotSpliced` when the new text
    does not read back as the intended definition, Rejected for an unknown campaign or a clerk."""
    async with ports.db.read() as tx:
        if user is not None:
            await access.actor(tx, user, "office")
        stored = await tx.campaigns.stored(campaign_id)
    if stored is None:
        raise Rejected(CampaignUnknown(campaign_id))
    current = parse(stored.definition, f"{campaign_id} (stored v{stored.info.version})")
    intended = current.model_copy(update={"units": list(units)})
    text = with_units(stored.definition, units)
    try:
        campaign = parse(text, f"{campaign_id} (with the imported allocation)")
    except DefinitionError as exc:
        raise NotSpliced([str(p) for p in exc.problems]) from None
    if campaign.digest != intended.digest:
        raise NotSpliced(["the stored definition's text could not take the table's units"])
    return await load(ports, campaign, text=text)


@dataclass(frozen=True)
class RowsOutcome:
    """What became of a template's rows: ``saved`` (row → nominee; none when not committed, then
    they are the rows that would be saved), ``refused`` (row → why)."""

    saved: tuple[tuple[int, NomineeInfo], ...]
    refused: tuple[tuple[int, tuple[Refusal, ...]], ...]
    committed: bool


@usecase
async def save_rows(
    ports: Ports, user: UserInfo, award: str, rows: Sequence[tuple[int, Mapping[str, Any]]], *, commit: bool
) -> RowsOutcome:
    """Saves a template's rows (sheet row, answers) as the unit's nominees in one transaction,
    each through the chat's save (places, quota engine, pools, eligibility, duplicates) — photos
    excepted, added later. A row refused there is left out and the others are tried again from
    the start, so what is committed is exactly the rows that fit together. ``commit=False`` is a
    trial: nothing is kept, the outcome says what would be. A closed list raises Rejected."""
    clean = [(row, json_safe(answers)) for row, answers in rows]
    later: frozenset[str] = frozenset()
    refused: dict[int, tuple[Refusal, ...]] = {}
    remaining = list(clean)
    while True:
        failed: tuple[int, tuple[Refusal, ...]] | None = None
        lost: tuple[int, str] | None = None
        async with ports.db.write() as tx:
            campaign = await access.campaign_in(tx, user.campaign_id)
            later = frozenset(photo_fields(campaign, award)) if award in {a.key for a in campaign.awards} else later
            saved: list[tuple[int, NomineeInfo]] = []
            for row, answers in remaining:
                try:
                    info = await save_in(ports, tx, user, award, answers, None, None, later=later, city_wide=False)
                    saved.append((row, info))
                except Refused as exc:
                    failed = (row, exc.refusals)
                    break
                except LostRace as race:
                    lost = (row, race.identity)
                    break
            if failed is None and lost is None:
                failed = await _claim_city_wide(tx, campaign, award, saved)
            if failed is None and lost is None:
                if commit:
                    await tx.commit()
                ordered = tuple(sorted(refused.items()))
                return RowsOutcome(tuple(saved), ordered, commit)
        if lost is not None:  # someone saved that person at the same moment: who holds it now
            async with ports.db.read() as tx:
                holder = await tx.nominees.holder(user.campaign_id, lost[1], None)
            if holder is None:
                continue
            failed = (lost[0], (duplicate_of(user, holder),))
        assert failed is not None
        refused[failed[0]] = failed[1]
        remaining = [(row, answers) for row, answers in remaining if row != failed[0]]


async def _claim_city_wide(
    tx: UnitOfWork, campaign: Campaign, award: str, saved: Sequence[tuple[int, NomineeInfo]]
) -> tuple[int, tuple[Refusal, ...]] | None:
    """The city-wide counters of the saved rows, last and in key order (the lock order of
    app.ports), one place per row; the first row that finds a counter full, with its refusal."""
    wanting: dict[str, list[tuple[int, Limit]]] = {}
    for row, info in saved:
        for lim in limits_hit(campaign, award, info.answers):
            wanting.setdefault(lim.key, []).append((row, lim))
    for key in sorted(wanting):
        for row, lim in wanting[key]:
            if not await tx.counters.take_limit(campaign.id, key):
                counter = await tx.counters.limit(campaign.id, key)
                used, cap = (counter.used, counter.cap) if counter is not None else (0, lim.cap)
                return row, (limit_full(lim, award, used, cap),)
    return None


__all__ = ["NotSpliced", "RowsOutcome", "allocation", "save_rows"]
