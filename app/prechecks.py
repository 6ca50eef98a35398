"""Advisory checks behind the chat's buttons: could a nominee with these answers so far still get a
place? Nothing is claimed; the save (app.nominees.save) decides."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app import access
from app.nominees import own_nominee
from app.places import limits_used, unit_answers
from app.ports import Ports, usecase
from core.deadlines import closed_for
from core.quota import UnitAwardStatus, check_add_partial, unit_status
from core.records import UserInfo, holds_place
from core.refusals import AwardUnknown, Decision, Rejected


@dataclass(frozen=True)
class CategoryView:
    """What the category question shows: a decision per choice (an edited nominee's own place left
    out) and the unit's places for the award as they stand (None for an alternate, which takes none)."""

    decisions: list[Decision]
    places: UnitAwardStatus | None


@usecase
async def precheck(
    ports: Ports, user: UserInfo, award: str, partial: Mapping[str, Any], *, exclude: int | None = None
) -> Decision:
    """Could a nominee with these answers so far still get a place? The quota engine's answer on the
    current counts (``exclude``: the nominee being edited, whose own place is left out). Claims
    nothing — advisory, for greying out choices; the save decides. A closed list is refused with
    the reason a save would give."""
    return (await category_view(ports, user, award, [partial], exclude=exclude)).decisions[0]


@usecase
async def category_view(
    ports: Ports,
    user: UserInfo,
    award: str,
    partials: Sequence[Mapping[str, Any]],
    *,
    exclude: int | None = None,
) -> CategoryView:
    """:func:`precheck` for several alternatives (the category buttons) on one reading of the
    counts, with the unit's places for the award."""
    async with ports.db.read() as tx:
        actor, campaign, unit_state = await access.reading(tx, user, "clerk")
        assert actor.unit is not None
        try:
            campaign.award(award)
        except KeyError:
            raise Rejected(AwardUnknown(award)) from None
        unit = access.unit_of(campaign, actor.unit)
        current = None
        if exclude is not None:
            current = own_nominee(await tx.nominees.get(exclude), actor, exclude)
        if current is not None and current.info.alternate_for is not None:
            return CategoryView([Decision() for _ in partials], None)  # an alternate takes no place
        others = await unit_answers(tx, campaign, unit.name, award, exclude)
        holding = others
        if current is not None and holds_place(current.info.status, current.info.alternate_for):
            holding = [*others, dict(current.info.answers)]
        status = unit_status(campaign, unit, award, holding)
        gate = closed_for(campaign, unit_state, current.info.status if current else None, ports.clock())
        if gate is not None:
            return CategoryView([Decision((gate,)) for _ in partials], status)
        used = await limits_used(tx, campaign, award, current.claims if current else ())
        decisions = [check_add_partial(campaign, unit, award, others, used, partial) for partial in partials]
        return CategoryView(decisions, status)


__all__ = ["CategoryView", "category_view", "precheck"]
