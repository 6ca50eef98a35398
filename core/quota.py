"""The quota engine: pure functions over a unit's nominees and the campaign's counters.

Three questions (DOMAIN.md "How quotas should behave"):
- :func:`check_add` — may this nominee be added, and if not, which rule blocks it and what is open;
- :func:`unit_status` — what is left for a unit (cap, reserved sub-quotas, free places);
- :func:`campaign_standing` — per award and per proportion: count, share, required count, reachable.

Reserved sub-quotas form a laminar family (siblings are disjoint — :func:`core.crosscheck.cross_check`
enforces it — and children refine their parent), so the fewest places still needed to meet every
sub-quota is exact when computed from the leaves up: ``needed(node) = max(count - filled,
sum(needed(children)))``. A list can still be completed iff ``used + needed <= cap``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

from core.campaign import Award, Campaign, Proportion, Reserved, Unit
from core.refusals import (
    AlternateMissing,
    AnswersMissing,
    BelowMinimum,
    Decision,
    Gap,
    LimitFull,
    LimitKind,
    NoAllocation,
    OpenReserved,
    PerUnitLimit,
    Refusal,
    ReservedFull,
    ReservedOpen,
    UnitFull,
)
from core.selectors import fields_of, intersect, listed, matches

Answers = Mapping[str, Any]


@dataclass(frozen=True)
class ReservedStatus:
    kind: str
    name: str
    name_en: str
    count: int
    filled: int
    needed: int  # places still to be given to this sub-quota (children included)
    children: tuple[ReservedStatus, ...] = ()


@dataclass(frozen=True)
class UnitAwardStatus:
    award: str
    cap: int | None  # None: no per-unit allocation loaded, only the city-wide limits apply
    used: int
    reserved: tuple[ReservedStatus, ...] = ()
    competitive: bool = False

    @property
    def needed(self) -> int:
        return sum(r.needed for r in self.reserved)

    @property
    def left(self) -> int | None:
        return None if self.cap is None else max(0, self.cap - self.used)

    @property
    def free(self) -> int | None:
        """Places open to any category once every reserved sub-quota is met."""
        return None if self.cap is None else max(0, self.cap - self.used - self.needed)

    def open_reserved(self) -> list[ReservedStatus]:
        """Sub-quotas still needing places, deepest first (those say the most)."""
        out: list[ReservedStatus] = []

        def visit(nodes: Sequence[ReservedStatus]) -> None:
            for node in nodes:
                visit(node.children)
                child_need = sum(c.needed for c in node.children)
                if node.needed > child_need:
                    out.append(node)

        visit(self.reserved)
        return out


@dataclass(frozen=True)
class Limit:
    """A campaign-wide cap shared by every unit: an award's total, a division's, or a pool."""

    key: str
    kind: LimitKind
    award: str
    name: str
    name_en: str
    cap: int
    where: Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class LimitStatus:
    limit: Limit
    used: int

    @property
    def left(self) -> int:
        return max(0, self.limit.cap - self.used)


# --------------------------------------------------------------------------- unit status


def _reserved(
    award: Award, nodes: Sequence[Reserved], nominees: Sequence[Answers], parent: Mapping[str, Sequence[str]]
) -> tuple[ReservedStatus, ...]:
    out = []
    for node in nodes:
        kind = award.kinds[node.kind]
        where = intersect(parent, kind.where)
        filled = sum(1 for n in nominees if matches(where, n))
        children = _reserved(award, node.children, nominees, where)
        needed = max(node.count - filled, sum(c.needed for c in children), 0)
        out.append(
            ReservedStatus(node.kind, kind.name, kind.name_en or kind.name, node.count, filled, needed, children)
        )
    return tuple(out)


def unit_status(campaign: Campaign, unit: Unit | None, award_key: str, nominees: Sequence[Answers]) -> UnitAwardStatus:
    """``nominees``: the unit's place-holding nominees of this award (alternates excluded)."""
    award = campaign.award(award_key)
    used = len(nominees)
    if award.competitive:
        return UnitAwardStatus(award.key, award.per_unit_max, used, competitive=True)
    if unit is None or not unit.quotas:
        return UnitAwardStatus(award.key, None, used)
    alloc = unit.quotas.get(award.key)
    if alloc is None:
        return UnitAwardStatus(award.key, 0, used)
    return UnitAwardStatus(award.key, alloc.cap, used, _reserved(award, alloc.reserved, nominees, {}))


# --------------------------------------------------------------------------- city-wide limits


def limits(campaign: Campaign, award_key: str | None = None) -> list[Limit]:
    out: list[Limit] = []
    for award in campaign.awards:
        if award_key is not None and award.key != award_key:
            continue
        if not award.competitive:
            out.append(
                Limit(
                    f"award:{award.key}", "award", award.key, award.name, award.name_en or award.name, award.total, {}
                )
            )
            for div in award.divisions:
                out.append(
                    Limit(
                        f"division:{award.key}:{div.key}",
                        "division",
                        award.key,
                        div.name,
                        div.name_en or div.name,
                        div.total,
                        div.where,
                    )
                )
        for pool in campaign.pools_for(award.key):
            out.append(
                Limit(f"pool:{pool.key}", "pool", award.key, pool.name, pool.name_en or pool.name, pool.cap, pool.where)
            )
    for prop in campaign.proportions:
        if prop.enforce and prop.max_pct is not None and (award_key is None or award_key in prop.awards):
            base, where = proportion_base(campaign, prop)
            out.append(
                Limit(
                    f"proportion:{prop.key}",
                    "proportion",
                    award_key or prop.awards[0],
                    prop.name,
                    prop.name_en or prop.name,
                    required_count(prop.max_pct, base, "max"),
                    intersect(where, prop.where),
                )
            )
    return out


def proportion_base(campaign: Campaign, prop: Proportion) -> tuple[int, Mapping[str, Any]]:
    """(the places a share is taken of, the selector of its scope): the summed totals of its
    awards, or its division's total and selector."""
    if prop.division is not None:
        div = campaign.award(prop.awards[0]).division(prop.division)
        assert div is not None  # cross_check refuses an unknown division
        return div.total, div.where
    return sum(campaign.award(ak).total for ak in prop.awards), {}


def limits_hit(campaign: Campaign, award_key: str, answers: Answers) -> list[Limit]:
    """The city-wide counters a nominee with these answers takes a place from."""
    return [lim for lim in limits(campaign, award_key) if matches(lim.where, answers)]


def count_limits(campaign: Campaign, nominees: Iterable[tuple[str, Answers]]) -> dict[str, int]:
    """Recomputes every counter from (award, answers) pairs: the truth storage counters must equal."""
    used = {lim.key: 0 for lim in limits(campaign)}
    for award_key, answers in nominees:
        for lim in limits_hit(campaign, award_key, answers):
            used[lim.key] += 1
    return used


# --------------------------------------------------------------------------- may it be added?


def check_add(
    campaign: Campaign,
    unit: Unit | None,
    award_key: str,
    unit_nominees: Sequence[Answers],
    limits_used: Mapping[str, int],
    new: Answers,
) -> Decision:
    """May ``new`` join the unit's place-holding nominees of ``award_key``?

    ``limits_used`` maps :class:`Limit` keys to the campaign-wide counts (without ``new``).
    """
    refusals: list[Refusal] = []
    before = unit_status(campaign, unit, award_key, unit_nominees)
    category = new.get("category")
    if before.cap is not None:
        if before.cap == 0:
            refusals.append(NoAllocation(award_key))
        elif before.competitive and before.used >= before.cap:
            refusals.append(PerUnitLimit(award_key, before.cap, before.used))
        elif before.used >= before.cap:
            refusals.append(UnitFull(award_key, before.cap, before.used))
        else:
            after = unit_status(campaign, unit, award_key, [*unit_nominees, new])
            if after.used + after.needed > before.cap:
                refusals.append(
                    ReservedFull(
                        award_key,
                        str(category) if category is not None else None,
                        before.cap,
                        before.used,
                        before.free or 0,
                        open_places(before),
                    )
                )
    for lim in limits_hit(campaign, award_key, new):
        used = limits_used.get(lim.key, 0)
        if used >= lim.cap:
            refusals.append(limit_full(lim, award_key, used))
    return Decision(tuple(refusals))


def open_places(status: UnitAwardStatus) -> tuple[OpenReserved, ...]:
    """The unmet reserved sub-quotas of a unit, each with the places that are its own."""
    return tuple(
        OpenReserved(r.kind, r.name, r.name_en, r.needed - sum(c.needed for c in r.children))
        for r in status.open_reserved()
    )


def limit_full(lim: Limit, award_key: str, used: int, cap: int | None = None) -> LimitFull:
    """The refusal of a full city-wide counter (``cap``: as the database holds it, when read there)."""
    return LimitFull(award_key, lim.key, lim.kind, lim.name, lim.name_en, lim.cap if cap is None else cap, used)


def unit_refusal(campaign: Campaign, award_key: str, cap: int, used: int) -> Refusal:
    """Why the unit's own counter for the award has no place left."""
    if campaign.award(award_key).competitive:
        return PerUnitLimit(award_key, cap, used)
    if cap == 0:
        return NoAllocation(award_key)
    return UnitFull(award_key, cap, used)


def selector_fields(campaign: Campaign, award_key: str, unit: Unit | None) -> list[str]:
    """Fields whose answers decide which sub-quota, pool or division a nominee counts for."""
    award = campaign.award(award_key)
    keys: dict[str, None] = {}
    wheres = [k.where for k in award.reserved.values()] + [lim.where for lim in limits(campaign, award_key)]
    for where in wheres:
        keys.update(dict.fromkeys(fields_of(where)))
    return list(keys)


def _possible_answers(campaign: Campaign, award: Award, key: str) -> list[Any]:
    """The answers a nominee of ``award`` may end up with for ``key`` (None: left unanswered).

    A required, unconditional choice is always answered: None is no possible completion there
    (it would dodge every pool and division keyed on that field)."""
    if key == "category":
        return list(award.categories) or [None]
    fdef = campaign.fields.get(key)
    if fdef is None or key not in award.fields:
        return [None]
    if not fdef.options:
        return [None]
    return fdef.possible


def check_add_partial(
    campaign: Campaign,
    unit: Unit | None,
    award_key: str,
    unit_nominees: Sequence[Answers],
    limits_used: Mapping[str, int],
    partial: Answers,
) -> Decision:
    """Like :func:`check_add` for a nominee still being typed: ok when *some* answers to the
    questions not yet asked would let it in. Refused with the reasons of the closest miss."""
    award = campaign.award(award_key)
    open_fields = [k for k in selector_fields(campaign, award_key, unit) if k not in partial]
    options = [_possible_answers(campaign, award, key) for key in open_fields]
    best: Decision | None = None
    for combo in itertools.product(*options):
        decision = check_add(
            campaign,
            unit,
            award_key,
            unit_nominees,
            limits_used,
            {**partial, **dict(zip(open_fields, combo, strict=True))},
        )
        if decision.ok:
            return decision
        if best is None or len(decision.refusals) < len(best.refusals):
            best = decision
    return best or Decision()


# --------------------------------------------------------------------------- the whole campaign


@dataclass(frozen=True)
class ProportionStatus:
    key: str
    name: str
    name_en: str
    bound: Literal["min", "max"]
    pct: float
    base: int  # the places the share is taken of (award total, division total, or a sum)
    count: int
    required: int  # min: at least this many; max: at most this many
    scope_count: int  # nominees in the base's scope (to know the places left)
    enforced: bool = False  # a maximum claimed at entry (a counter), never exceeded

    @property
    def share(self) -> float:
        return 100.0 * self.count / self.base if self.base else 0.0

    @property
    def met(self) -> bool:
        return self.count >= self.required if self.bound == "min" else self.count <= self.required

    @property
    def reachable(self) -> bool:
        """min: enough places left to get there; max: not exceeded."""
        if self.bound == "max":
            return self.met
        return self.count + max(0, self.base - self.scope_count) >= self.required


def required_count(pct: float, base: int, bound: Literal["min", "max"]) -> int:
    """≥ rounds the count up, ≤ rounds it down (≥ 65 % of 95 → 62; ≤ 15 % of 95 → 14)."""
    exact = Fraction(str(pct)) * base / 100
    return math.ceil(exact) if bound == "min" else math.floor(exact)


@dataclass(frozen=True)
class AwardStanding:
    award: str
    name: str
    name_en: str
    total: int
    count: int
    competitive: bool


@dataclass(frozen=True)
class CampaignStanding:
    awards: tuple[AwardStanding, ...]
    proportions: tuple[ProportionStatus, ...]
    limits: tuple[LimitStatus, ...]


def campaign_standing(campaign: Campaign, nominees: Sequence[tuple[str, Answers]]) -> CampaignStanding:
    """``nominees``: every place-holding (award, answers) pair of the campaign."""
    by_award: dict[str, list[Answers]] = {a.key: [] for a in campaign.awards}
    for award_key, answers in nominees:
        by_award.setdefault(award_key, []).append(answers)
    awards = tuple(
        AwardStanding(a.key, a.name, a.name_en or a.name, a.total, len(by_award[a.key]), a.competitive)
        for a in campaign.awards
    )
    props = []
    for prop in campaign.proportions:
        base, within = proportion_base(campaign, prop)
        scope = [n for ak in prop.awards for n in by_award.get(ak, []) if matches(within, n)]
        count = sum(1 for n in scope if matches(prop.where, n))
        # a range (min_pct and max_pct) is two statuses of one key: at least, then at most
        bounds: tuple[tuple[Literal["min", "max"], float | None], ...] = (("min", prop.min_pct), ("max", prop.max_pct))
        for bound, pct in bounds:
            if pct is None:
                continue
            props.append(
                ProportionStatus(
                    prop.key,
                    prop.name,
                    prop.name_en or prop.name,
                    bound,
                    pct,
                    base,
                    count,
                    required_count(pct, base, bound),
                    len(scope),
                    prop.enforce and bound == "max",
                )
            )
    used = count_limits(campaign, nominees)
    lims = tuple(LimitStatus(lim, used[lim.key]) for lim in limits(campaign))
    return CampaignStanding(awards, tuple(props), lims)


# --------------------------------------------------------------------------- alternates and completeness


def needs_alternate(campaign: Campaign, award_key: str, answers: Answers) -> bool:
    rule = campaign.award(award_key).alternate
    return rule is not None and matches(rule.for_where, answers)


def valid_alternate(campaign: Campaign, award_key: str, answers: Answers) -> bool:
    rule = campaign.award(award_key).alternate
    return rule is not None and matches(rule.alternate_where, answers)


@dataclass(frozen=True)
class ListedNominee:
    """What completeness needs to know of one nominee of a unit."""

    id: int
    award: str
    answers: Answers
    alternate_for: int | None = None
    missing: tuple[str, ...] = ()  # required answers still empty (from core.form)


def lacking_alternate(campaign: Campaign, nominees: Sequence[ListedNominee]) -> frozenset[int]:
    """The ids of the enterprise heads and 科级 cadres among a unit's place-holding ``nominees``
    (alternates included) without an alternate of the required kind among them (郑工办〔2024〕6号)."""
    covered = {
        n.alternate_for
        for n in nominees
        if n.alternate_for is not None and valid_alternate(campaign, n.award, n.answers)
    }
    return frozenset(
        n.id
        for n in nominees
        if n.alternate_for is None and needs_alternate(campaign, n.award, n.answers) and n.id not in covered
    )


def unit_gaps(campaign: Campaign, unit: Unit | None, nominees: Sequence[ListedNominee]) -> list[Gap]:
    gaps: list[Gap] = []
    principals = [n for n in nominees if n.alternate_for is None]
    # only an alternate of the required kind covers its nominee (an edit may have changed its category)
    lacking = lacking_alternate(campaign, nominees)
    for award in campaign.awards:
        mine = [n.answers for n in principals if n.award == award.key]
        status = unit_status(campaign, unit, award.key, mine)
        for node in status.open_reserved():
            own = node.needed - sum(c.needed for c in node.children)
            gaps.append(ReservedOpen(award.key, node.kind, node.name, node.name_en, node.needed, own))
        if award.competitive and award.per_unit_min and 0 < len(mine) < award.per_unit_min:
            gaps.append(BelowMinimum(award.key, award.per_unit_min, len(mine)))
    for n in principals:
        if n.id in lacking:
            name = n.answers.get("name")
            category = n.answers.get("category")
            rule = campaign.award(n.award).alternate
            allowed = tuple(listed(rule.alternate_where, "category")) if rule else ()
            gaps.append(
                AlternateMissing(
                    n.award,
                    n.id,
                    str(name) if name is not None else None,
                    str(category) if category is not None else None,
                    allowed,
                )
            )
    for n in nominees:
        if n.missing:
            gaps.append(AnswersMissing(n.id, tuple(n.missing)))
    return gaps
