"""The quota engine against a brute-force oracle.

Hypothesis draws small campaigns — one unit whose allocation is a cap with a random laminar
family of reserved sub-quotas (nested counts, disjoint siblings, selectors over two answer
fields), plus a few city-wide pools — writes them as TOML and loads them through
``core.loader.parse`` like an office's file. Nominees are "atoms": one category × one ownership.

The oracle knows nothing of the engine's formula: a list is *completable* when some multiset of
at most ``cap - n`` further atoms meets every reserved count, found by trying them all. The
engine must accept a nominee exactly when the unit is not full, the list with it is still
completable, and no pool it counts for is exhausted — it never accepts a list that can no
longer be completed, and never refuses one that can.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.campaign import Campaign
from core.loader import parse
from core.quota import check_add, check_add_partial, unit_status
from core.refusals import LimitFull, NoAllocation, Refusal, ReservedFull, UnitFull

CATEGORIES = ("甲", "乙", "丙")
OWNERSHIP = ("公", "私")
VALUES = {"category": CATEGORIES, "own": OWNERSHIP}
Atom = tuple[str, str]  # (category, own)
ATOMS: tuple[Atom, ...] = tuple(itertools.product(CATEGORIES, OWNERSHIP))
UNIT = "测试单位"

PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def answers(atom: Atom) -> dict[str, str]:
    return {"category": atom[0], "own": atom[1]}


def selects(where: dict[str, list[str]], atom: Atom) -> bool:
    return all(answers(atom)[k] in v for k, v in where.items())


@dataclass
class Node:
    kind: str
    where: dict[str, list[str]]  # the kind's own selector, as written in the file
    count: int
    atoms: frozenset[Atom]  # the oracle's view: atoms this node (and all its ancestors) select
    children: list[Node] = field(default_factory=list)

    def walk(self) -> list[Node]:
        return [self, *(n for c in self.children for n in c.walk())]


@dataclass
class Pool:
    key: str
    where: dict[str, list[str]]
    cap: int
    used: int


@dataclass(eq=False)  # hashed by identity: the oracle caches per case
class Case:
    cap: int
    nodes: list[Node]
    pools: list[Pool]
    campaign: Campaign

    @property
    def all_nodes(self) -> list[Node]:
        return [n for top in self.nodes for n in top.walk()]

    def limits_used(self) -> dict[str, int]:
        return {f"pool:{p.key}": p.used for p in self.pools}


@st.composite
def siblings(draw: st.DrawFn, allowed: dict[str, tuple[str, ...]], depth: int, names: list[str]) -> list[Node]:
    """Disjoint siblings under a parent selecting ``allowed``: a partition of one field's values."""
    if depth == 0 or not draw(st.booleans()):
        return []
    split = draw(st.sampled_from(sorted(VALUES)))
    other = "own" if split == "category" else "category"
    groups: dict[int, list[str]] = {}
    for value in allowed[split]:
        g = draw(st.integers(-1, 2))  # -1: the value is in no child
        if g >= 0:
            groups.setdefault(g, []).append(value)
    out = []
    for group in groups.values():
        # the kind may name values the parent excludes (the intersection drops them) ...
        outside = [v for v in VALUES[split] if v not in allowed[split]]
        extra_split = draw(st.lists(st.sampled_from(outside), unique=True)) if outside else []
        where: dict[str, list[str]] = {split: group + extra_split}
        # ... and restrict the other field too (keeping at least one value the parent allows)
        if draw(st.booleans()):
            keep = draw(st.sampled_from(allowed[other]))
            extra = draw(st.lists(st.sampled_from(VALUES[other]), unique=True))
            where[other] = sorted({keep, *extra})
        names.append(f"r{len(names)}")
        kind = names[-1]
        inner = {
            split: tuple(v for v in allowed[split] if v in where[split]),
            other: tuple(v for v in allowed[other] if other not in where or v in where[other]),
        }
        children = draw(siblings(inner, depth - 1, names))
        count = sum(c.count for c in children) + draw(st.integers(0, 2))
        atoms = frozenset(a for a in ATOMS if a[0] in inner["category"] and a[1] in inner["own"])
        out.append(Node(kind, where, count, atoms, children))
    return out


def inline(where: dict[str, list[str]]) -> str:
    return "{ " + ", ".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in where.items()) + " }"


def allocation(node: Node) -> str:
    if not node.children:
        return f"{node.kind} = {node.count}"
    return f"{node.kind} = {{ count = {node.count}, {', '.join(allocation(c) for c in node.children)} }}"


def campaign_toml(cap: int, nodes: Sequence[Node], pools: Sequence[Pool]) -> str:
    kinds = [n for top in nodes for n in top.walk()]
    lines = [
        'id = "property-test"',
        'name = "性质测试"',
        'office = "测试办公室"',
        "",
        "[fields.own]",
        'label = "单位性质"',
        'type = "choice"',
        f"choices = {json.dumps(list(OWNERSHIP), ensure_ascii=False)}",
        "",
        "[[awards]]",
        'key = "a"',
        'name = "测试奖"',
        'kind = "individual"',
        f"total = {cap}",
        f"categories = {json.dumps(list(CATEGORIES), ensure_ascii=False)}",
        'fields = ["own"]',
    ]
    for n in kinds:
        lines += ["", f"[awards.reserved.{n.kind}]", f'name = "预留{n.kind}"', f"where = {inline(n.where)}"]
    for p in pools:
        lines += ["", "[[pools]]", f'key = "{p.key}"', f'name = "名额池{p.key}"', 'award = "a"', f"cap = {p.cap}"]
        lines += [f"where = {inline(p.where)}"]
    alloc = ", ".join([f"cap = {cap}", *(allocation(n) for n in nodes)])
    lines += ["", "[[units]]", f'name = "{UNIT}"', f"quotas.a = {{ {alloc} }}", ""]
    return "\n".join(lines)


@st.composite
def cases(draw: st.DrawFn, with_pools: bool = True) -> Case:
    names: list[str] = []
    nodes = draw(siblings({"category": CATEGORIES, "own": OWNERSHIP}, 3, names))
    cap = sum(n.count for n in nodes) + draw(st.integers(0, 2))
    pools = []
    for i in range(draw(st.integers(0, 2)) if with_pools else 0):
        fkey = draw(st.sampled_from(sorted(VALUES)))
        values = draw(st.lists(st.sampled_from(VALUES[fkey]), min_size=1, unique=True))
        pools.append(Pool(f"p{i}", {fkey: values}, draw(st.integers(0, 2)), draw(st.integers(0, 3))))
    campaign = parse(campaign_toml(cap, nodes, pools), "generated.toml")  # cross_check must accept it
    return Case(cap, nodes, pools, campaign)


# --------------------------------------------------------------------------- the oracle


def meets(case: Case, nominees: Sequence[Atom]) -> bool:
    return all(sum(1 for a in nominees if a in node.atoms) >= node.count for node in case.all_nodes)


def fewest_more(case: Case, nominees: Sequence[Atom]) -> int | None:
    """The fewest further atoms that meet every reserved count within the cap (None: impossible)."""
    return _fewest_more(case, tuple(sorted(nominees)))


@lru_cache(maxsize=4096)
def _fewest_more(case: Case, nominees: tuple[Atom, ...]) -> int | None:
    for k in range(case.cap - len(nominees) + 1):
        for more in itertools.combinations_with_replacement(ATOMS, k):
            if meets(case, nominees + more):
                return k
    return None


def completable(case: Case, nominees: Sequence[Atom]) -> bool:
    return fewest_more(case, nominees) is not None


def pools_allow(case: Case, atom: Atom) -> bool:
    return all(p.used < p.cap for p in case.pools if selects(p.where, atom))


def oracle_accepts(case: Case, listed: Sequence[Atom], new: Atom) -> bool:
    return len(listed) < case.cap and completable(case, [*listed, new]) and pools_allow(case, new)


def engine_accepts(case: Case, listed: Sequence[Atom], new: Atom) -> bool:
    c = case.campaign
    return check_add(c, c.unit(UNIT), "a", [answers(a) for a in listed], case.limits_used(), answers(new)).ok


# --------------------------------------------------------------------------- properties


@PROPERTY
@given(data=st.data(), case=cases())
def test_check_add_accepts_exactly_when_the_list_with_the_nominee_can_still_be_completed(
    data: st.DataObject, case: Case
) -> None:
    listed = data.draw(st.lists(st.sampled_from(ATOMS), max_size=case.cap + 1), label="listed")
    for new in ATOMS:
        assert engine_accepts(case, listed, new) == oracle_accepts(case, listed, new), (listed, new)


@PROPERTY
@given(data=st.data(), case=cases())
def test_unit_status_needed_is_the_fewest_places_that_complete_the_list(data: st.DataObject, case: Case) -> None:
    listed = data.draw(st.lists(st.sampled_from(ATOMS), max_size=case.cap), label="listed")
    status = unit_status(case.campaign, case.campaign.unit(UNIT), "a", [answers(a) for a in listed])
    fewest = fewest_more(case, listed)
    if fewest is None:
        assert status.used + status.needed > case.cap
    else:
        assert status.needed == fewest
        assert status.free == case.cap - len(listed) - fewest
        # what the clerk is told is still open adds up: open sub-quotas + free = places left
        assert sum(r.needed - sum(c.needed for c in r.children) for r in status.open_reserved()) == fewest


@PROPERTY
@given(data=st.data(), case=cases())
def test_a_refusal_names_the_rule_that_blocks(data: st.DataObject, case: Case) -> None:
    listed = data.draw(st.lists(st.sampled_from(ATOMS), max_size=case.cap + 1), label="listed")
    new = data.draw(st.sampled_from(ATOMS), label="new")
    c = case.campaign
    rules = {
        type(r)
        for r in check_add(
            c, c.unit(UNIT), "a", [answers(a) for a in listed], case.limits_used(), answers(new)
        ).refusals
    }
    unit_rule: type[Refusal] | None = (
        NoAllocation
        if case.cap == 0
        else UnitFull
        if len(listed) >= case.cap
        else None
        if completable(case, [*listed, new])
        else ReservedFull
    )
    assert (unit_rule in rules) if unit_rule else not rules & {NoAllocation, UnitFull, ReservedFull}
    assert (LimitFull in rules) == (not pools_allow(case, new) or case.cap == 0)


@PROPERTY
@given(case=cases(with_pools=False), order=st.randoms(use_true_random=False))
def test_accepting_whatever_fits_always_ends_in_a_full_and_complete_list(case: Case, order: Any) -> None:
    """Liveness: the engine never paints a clerk into a corner. (Pools left out: they may end it early.)"""
    listed: list[Atom] = []
    while True:
        fits = [a for a in ATOMS if engine_accepts(case, listed, a)]
        if not fits:
            break
        listed.append(order.choice(fits))
        assert completable(case, listed)
    assert len(listed) == case.cap
    assert meets(case, listed)


@PROPERTY
@given(data=st.data(), case=cases())
def test_a_partial_nominee_is_offered_exactly_when_some_completion_of_it_fits(data: st.DataObject, case: Case) -> None:
    listed = data.draw(st.lists(st.sampled_from(ATOMS), max_size=case.cap), label="listed")
    c = case.campaign
    nominees = [answers(a) for a in listed]
    for partial_key in (None, "category", "own"):
        for known in VALUES[partial_key] if partial_key else [None]:
            partial = {partial_key: known} if partial_key else {}
            decision = check_add_partial(c, c.unit(UNIT), "a", nominees, case.limits_used(), partial)
            fitting = [a for a in ATOMS if all(answers(a)[k] == v for k, v in partial.items())]
            assert decision.ok == any(oracle_accepts(case, listed, a) for a in fitting), partial


# --------------------------------------------------------------------------- the generator itself


def test_the_generated_definition_uses_the_compact_nested_syntax() -> None:
    leaf = Node("r1", {"own": ["私"]}, 1, frozenset())
    top = Node("r0", {"category": ["甲", "乙"]}, 2, frozenset(), [leaf])
    text = campaign_toml(4, [top], [Pool("p0", {"category": ["丙"]}, 1, 0)])
    assert "quotas.a = { cap = 4, r0 = { count = 2, r1 = 1 } }" in text
    campaign = parse(text, "t.toml")
    (alloc_top,) = campaign.unit(UNIT).quotas["a"].reserved
    assert (alloc_top.kind, alloc_top.count, [(ch.kind, ch.count) for ch in alloc_top.children]) == (
        "r0",
        2,
        [("r1", 1)],
    )
