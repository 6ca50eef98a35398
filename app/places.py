"""The places a nominee holds: the unit's (unit, award) counter and the city-wide limit counters,
taken, moved and given back inside a use case's unit of work (app.nominees, app.review).

Every counter is claimed with a conditional increment checked by its row count, the city-wide ones
in key order, so two transactions never wait on each other in a cycle; a full counter raises
:class:`Refused`, which rolls the transaction back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.ports import NomineeRecord, UnitOfWork
from core.campaign import Campaign, Unit
from core.quota import Limit, check_add, limit_full, limits, limits_hit, selector_fields, unit_refusal
from core.records import NomineeInfo
from core.refusals import Refusal

UNIT_CLAIM = "unit"  # the claims entry for the unit's (unit, award) counter


class Refused(Exception):
    """Inside a use case: roll the transaction back and answer with these refusals."""

    def __init__(self, refusals: Sequence[Refusal]) -> None:
        super().__init__("refused")
        self.refusals = tuple(refusals)


async def holding_answers(
    tx: UnitOfWork, campaign: Campaign, unit: str, award_key: str | None, exclude: int | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """(award, selector answers) of the unit's place-holding principals — of one award or all. The
    quota engine reads nothing else of another nominee."""
    awards = [award_key] if award_key is not None else [a.key for a in campaign.awards]
    keys = list(dict.fromkeys(k for a in awards for k in selector_fields(campaign, a, None)))
    return await tx.nominees.holding_answers(campaign.id, unit, award_key, keys, exclude)


async def unit_answers(
    tx: UnitOfWork, campaign: Campaign, unit: str, award_key: str, exclude: int | None
) -> list[dict[str, Any]]:
    return [answers for _award, answers in await holding_answers(tx, campaign, unit, award_key, exclude)]


async def limits_used(
    tx: UnitOfWork, campaign: Campaign, award_key: str | None, held: Sequence[str] = ()
) -> dict[str, int]:
    """The city-wide counts of the award's limits, without the places ``held`` by a nominee being
    edited (its own places are free for it)."""
    wanted = {lim.key for lim in limits(campaign, award_key)}
    used = {k: n for k, n in (await tx.counters.limit_counts(campaign.id)).items() if k in wanted}
    for key in held:
        if key in used:
            used[key] -= 1
    return used


async def claim_unit(
    tx: UnitOfWork,
    campaign: Campaign,
    unit: Unit,
    award_key: str,
    answers: Mapping[str, Any],
    current: NomineeRecord | None,
) -> list[str]:
    """Takes (or, for an edit, keeps) the unit's place and runs the quota engine; refuses with the
    engine's refusals. Returns the claims so far."""
    claims: list[str] = []
    if (current is not None and UNIT_CLAIM in current.claims) or await tx.counters.take_unit(
        campaign.id, unit.name, award_key
    ):
        claims.append(UNIT_CLAIM)
    else:
        counter = await tx.counters.unit(campaign.id, unit.name, award_key)
        if counter is not None:
            raise Refused([unit_refusal(campaign, award_key, counter.cap, counter.used)])
        # No counter: the unit has no allocation for this award (or none at all); the engine says which.
    others = await unit_answers(tx, campaign, unit.name, award_key, current.info.id if current else None)
    used = await limits_used(tx, campaign, award_key, current.claims if current else ())
    decision = check_add(campaign, unit, award_key, others, used, answers)
    if not decision.ok:
        raise Refused(decision.refusals)
    return claims


async def move_limits(
    tx: UnitOfWork, campaign_id: str, award_key: str, wanted: Mapping[str, Limit], held: set[str]
) -> None:
    """Moves the city-wide counters from the ``held`` keys to the ``wanted`` ones, in key order
    (two transactions never wait on each other in a cycle); a full counter refuses the change."""
    for key in sorted(held | wanted.keys()):
        if key in held and key not in wanted:
            await tx.counters.release_limit(campaign_id, key)
        elif key in wanted and key not in held and not await tx.counters.take_limit(campaign_id, key):
            counter = await tx.counters.limit(campaign_id, key)
            if counter is None:
                raise RuntimeError(f"counter {key} missing: reload the campaign")
            raise Refused([limit_full(wanted[key], award_key, counter.used, counter.cap)])


async def release(tx: UnitOfWork, record: NomineeRecord) -> None:
    """Gives back every counter the nominee holds (the unit's first, then the city-wide in key order)."""
    info = record.info
    if UNIT_CLAIM in record.claims:
        await tx.counters.release_unit(info.campaign_id, info.unit, info.award)
    for key in sorted(record.claims):
        if key != UNIT_CLAIM:
            await tx.counters.release_limit(info.campaign_id, key)


async def take_unit_place(tx: UnitOfWork, campaign: Campaign, info: NomineeInfo) -> list[str]:
    """The nominee's place of its unit for its award, taken by an office action (the cap is hard):
    ``[UNIT_CLAIM]``, or ``[]`` for an award without unit places; :class:`Refused` when full."""
    counter = await tx.counters.unit(campaign.id, info.unit, info.award)
    if counter is None:
        return []
    if not await tx.counters.take_unit(campaign.id, info.unit, info.award):
        raise Refused([unit_refusal(campaign, info.award, counter.cap, counter.used)])
    return [UNIT_CLAIM]


async def reclaim(tx: UnitOfWork, campaign: Campaign, record: NomineeRecord) -> list[str]:
    """Takes the places again for a nominee going back to a place-holding status (an office
    action: the caps are hard, the completeness of the unit's list is the office's call)."""
    info = record.info
    claims = await take_unit_place(tx, campaign, info)
    wanted = {lim.key: lim for lim in limits_hit(campaign, info.award, info.answers)}
    await move_limits(tx, campaign.id, info.award, wanted, set())
    return claims + sorted(wanted)


__all__ = [
    "UNIT_CLAIM",
    "Refused",
    "claim_unit",
    "holding_answers",
    "limits_used",
    "move_limits",
    "reclaim",
    "release",
    "take_unit_place",
    "unit_answers",
]
