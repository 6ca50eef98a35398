"""The seeds' quota rules replayed with their own numbers.

Each test is a clerk's (or the office's) story: what they try, and what they are told — the
refusal's rule and its numbers (which sub-quota is still open, how many free places are left).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from core.campaign import Campaign, Unit
from core.eligibility import evaluate, reason_key
from core.loader import load_builtin
from core.quota import (
    ListedNominee,
    campaign_standing,
    check_add,
    check_add_partial,
    count_limits,
    limits,
    limits_hit,
    needs_alternate,
    required_count,
    unit_gaps,
    unit_status,
    valid_alternate,
)
from core.refusals import (
    AlternateMissing,
    AnswersMissing,
    BelowMinimum,
    Decision,
    LimitFull,
    NoAllocation,
    PerUnitLimit,
    Refusal,
    ReservedFull,
    ReservedOpen,
    UnitFull,
)

ZZ = load_builtin("zhengzhou-2024")
ZJK = load_builtin("zhangjiakou-2024")

INDUSTRIAL = "一线产业工人"
OTHER_FRONTLINE = "其他一线职工和专业技术人员"
SCITECH = "一线科教人员"
MIGRANT = "农民工"
HEAD = "企业负责人"
CADRE = "机关和事业单位科级领导干部"
OTHER = "其他职工"


def person(category: str, **more: Any) -> dict[str, Any]:
    return {"category": category, **more}


def team(org_type: str, ownership: str = "国有") -> dict[str, Any]:
    return {"org_type": org_type, "ownership": ownership}


def add(
    unit: str | None,
    award: str,
    listed: Sequence[Mapping[str, Any]],
    new: Mapping[str, Any],
    used: Mapping[str, int] | None = None,
    campaign: Campaign = ZZ,
) -> Decision:
    the_unit: Unit | None = campaign.unit(unit) if unit is not None else None
    return check_add(campaign, the_unit, award, list(listed), dict(used or {}), dict(new))


def only(decision: Decision) -> Refusal:
    assert len(decision.refusals) == 1, decision
    return decision.refusals[0]


def open_places(refusal: Refusal) -> dict[str, int]:
    """The still-open sub-quotas a refusal names, by their Chinese name."""
    assert isinstance(refusal, ReservedFull), refusal
    return {r.name: r.count for r in refusal.open}


def fill(unit: str, award: str, nominees: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Adds nominees one by one, asserting each is accepted."""
    listed: list[Mapping[str, Any]] = []
    for n in nominees:
        decision = add(unit, award, listed, n)
        assert decision.ok, (n, decision)
        listed.append(n)
    return listed


# --------------------------------------------------------------------------- 航空港 奖章 6 = 4 + 1 + 1 free


AIRPORT = "航空港经济综合试验区"


def test_airport_medal_allocation_is_six_with_four_industrial_one_scitech_and_one_free_place() -> None:
    status = unit_status(ZZ, ZZ.unit(AIRPORT), "medal", [])
    assert (status.cap, status.used, status.needed, status.free) == (6, 0, 5, 1)
    assert [(r.name, r.count) for r in status.reserved] == [("一线产业工人", 4), ("一线科教", 1)]


def test_airport_clerk_adds_a_migrant_worker_who_takes_the_free_place() -> None:
    assert add(AIRPORT, "medal", [], person(MIGRANT)).ok
    after = unit_status(ZZ, ZZ.unit(AIRPORT), "medal", [person(MIGRANT)])
    assert (after.used, after.free, after.left) == (1, 0, 5)


def test_airport_clerk_is_refused_a_second_migrant_worker_and_told_what_is_still_open() -> None:
    refusal = only(add(AIRPORT, "medal", [person(MIGRANT)], person(MIGRANT)))
    assert isinstance(refusal, ReservedFull)
    assert refusal.award == "medal"
    assert refusal.category == MIGRANT
    assert (refusal.cap, refusal.used, refusal.free) == (6, 1, 0)
    assert open_places(refusal) == {"一线产业工人": 4, "一线科教": 1}
    assert [r.kind for r in refusal.open] == ["industrial", "scitech"]


def test_airport_clerk_is_refused_a_fifth_industrial_worker_once_the_free_place_is_gone() -> None:
    listed = fill(AIRPORT, "medal", [person(MIGRANT)] + [person(INDUSTRIAL)] * 4)
    refusal = only(add(AIRPORT, "medal", listed, person(INDUSTRIAL)))
    assert isinstance(refusal, ReservedFull)
    assert (refusal.used, refusal.free) == (5, 0)
    assert open_places(refusal) == {"一线科教": 1}
    # the sci-tech place is still there for the taking, and then the list is full
    listed = fill(AIRPORT, "medal", [*listed, person(SCITECH)])
    assert isinstance(only(add(AIRPORT, "medal", listed, person(SCITECH))), UnitFull)


def test_airport_a_fifth_industrial_worker_may_take_the_free_place_while_it_is_free() -> None:
    listed = fill(AIRPORT, "medal", [person(INDUSTRIAL)] * 5)
    assert unit_status(ZZ, ZZ.unit(AIRPORT), "medal", listed).free == 0
    assert open_places(only(add(AIRPORT, "medal", listed, person(MIGRANT)))) == {"一线科教": 1}


@pytest.mark.parametrize("free_place", [MIGRANT, OTHER, HEAD, INDUSTRIAL, SCITECH])
def test_airport_reserved_and_free_places_can_be_filled_in_any_order(free_place: str) -> None:
    full = [INDUSTRIAL] * 4 + [SCITECH, free_place]
    for order in sorted(set(itertools.permutations(full))):
        listed = fill(AIRPORT, "medal", [person(c) for c in order])
        assert len(listed) == 6
        assert unit_status(ZZ, ZZ.unit(AIRPORT), "medal", listed).open_reserved() == []


# --------------------------------------------------------------------------- 中牟县 先锋号 3 = 企业班组 2（其中非公 1）


ZHONGMOU = "中牟县"


def test_zhongmou_pioneer_is_three_with_two_enterprise_teams_of_which_one_non_public() -> None:
    status = unit_status(ZZ, ZZ.unit(ZHONGMOU), "pioneer", [])
    assert (status.cap, status.needed, status.free) == (3, 2, 1)
    (enterprise,) = status.reserved
    assert (enterprise.name, enterprise.count, enterprise.needed) == ("企业班组", 2, 2)
    assert [(c.name, c.count) for c in enterprise.children] == [("非公", 1)]


def test_zhongmou_a_public_enterprise_team_then_a_public_institution_team_fill_the_free_place() -> None:
    listed = fill(ZHONGMOU, "pioneer", [team("企业", "国有")])
    # the public enterprise team counts for 企业班组; the 非公 place is still owed
    status = unit_status(ZZ, ZZ.unit(ZHONGMOU), "pioneer", listed)
    assert (status.needed, status.free) == (1, 1)
    assert [r.name for r in status.open_reserved()] == ["非公"]
    listed = fill(ZHONGMOU, "pioneer", [*listed, team("事业单位", "国有")])
    assert unit_status(ZZ, ZZ.unit(ZHONGMOU), "pioneer", listed).free == 0


def test_zhongmou_a_second_non_enterprise_team_is_refused_because_the_non_public_team_is_owed() -> None:
    listed = fill(ZHONGMOU, "pioneer", [team("企业", "国有"), team("事业单位", "国有")])
    refusal = only(add(ZHONGMOU, "pioneer", listed, team("党政机关", "国有")))
    assert isinstance(refusal, ReservedFull)
    assert (refusal.cap, refusal.used, refusal.free) == (3, 2, 0)
    assert open_places(refusal) == {"非公": 1}
    # a public enterprise team does not help either: it is an enterprise team, but not 非公
    assert open_places(only(add(ZHONGMOU, "pioneer", listed, team("企业", "国有")))) == {"非公": 1}


def test_zhongmou_a_non_public_enterprise_team_satisfies_both_levels() -> None:
    listed = fill(ZHONGMOU, "pioneer", [team("企业", "国有"), team("事业单位", "国有"), team("企业", "非公")])
    status = unit_status(ZZ, ZZ.unit(ZHONGMOU), "pioneer", listed)
    (enterprise,) = status.reserved
    assert (enterprise.filled, enterprise.children[0].filled) == (2, 1)
    assert status.open_reserved() == []
    assert isinstance(only(add(ZHONGMOU, "pioneer", listed, team("企业", "非公"))), UnitFull)


def test_zhongmou_a_non_public_team_that_is_not_an_enterprise_does_not_count_as_the_nested_place() -> None:
    # 其中非公: the non-public team must be one of the enterprise teams
    listed = fill(ZHONGMOU, "pioneer", [team("社会组织", "非公")])
    status = unit_status(ZZ, ZZ.unit(ZHONGMOU), "pioneer", listed)
    assert (status.needed, status.free) == (2, 0)
    assert open_places(only(add(ZHONGMOU, "pioneer", listed, team("事业单位", "国有")))) == {"非公": 1, "企业班组": 1}


def test_zhongyuan_pioneer_two_of_which_one_non_public_at_any_organisation_type() -> None:
    # 中原区: 2（非公1）— no enterprise level, so a non-public social organisation qualifies
    listed = fill("中原区", "pioneer", [team("社会组织", "非公")])
    assert unit_status(ZZ, ZZ.unit("中原区"), "pioneer", listed).free == 1


# --------------------------------------------------------------------------- the city-wide pools


def cadres_elsewhere(n: int) -> list[tuple[str, Mapping[str, Any]]]:
    return [("medal", person(CADRE))] * n


def test_the_section_cadre_pool_is_exhausted_by_other_units_and_refuses_a_cadre_despite_a_free_place() -> None:
    used = count_limits(ZZ, cadres_elsewhere(4))
    assert used["pool:section_cadre"] == 4
    gongyi = "巩义市"  # 奖章 5 = 产业工人 2 + 科教 1 + 农民工 1 + 1 free
    assert unit_status(ZZ, ZZ.unit(gongyi), "medal", []).free == 1
    refusal = only(add(gongyi, "medal", [], person(CADRE), used))
    assert isinstance(refusal, LimitFull)
    assert refusal.limit == "pool:section_cadre"
    assert refusal.kind == "pool"
    assert refusal.name == "科级领导干部"
    assert (refusal.cap, refusal.used) == (4, 4)
    # another category still takes that free place
    assert add(gongyi, "medal", [], person(OTHER), used).ok


def test_the_last_section_cadre_place_is_still_open_after_three() -> None:
    used = count_limits(ZZ, cadres_elsewhere(3))
    assert add("巩义市", "medal", [], person(CADRE), used).ok


def test_the_enterprise_head_pool_holds_seven_in_the_whole_city() -> None:
    (pool,) = [lim for lim in limits(ZZ, "medal") if lim.key == "pool:enterprise_head"]
    assert (pool.cap, pool.name) == (7, "企业负责人")
    assert [lim.key for lim in limits_hit(ZZ, "medal", person(HEAD))] == ["award:medal", "pool:enterprise_head"]
    assert add("郑东新区", "medal", [], person(HEAD), count_limits(ZZ, [("medal", person(HEAD))] * 6)).ok
    refusal = only(add("郑东新区", "medal", [], person(HEAD), count_limits(ZZ, [("medal", person(HEAD))] * 7)))
    assert isinstance(refusal, LimitFull)
    assert (refusal.name, refusal.cap) == ("企业负责人", 7)


def test_a_pool_and_the_unit_can_both_refuse_and_the_clerk_hears_both() -> None:
    listed = fill(AIRPORT, "medal", [person(MIGRANT)])
    decision = add(AIRPORT, "medal", listed, person(CADRE), count_limits(ZZ, cadres_elsewhere(4)))
    assert sorted(type(r).__name__ for r in decision.refusals) == ["LimitFull", "ReservedFull"]


# --------------------------------------------------------------------------- 奖状: 1–2 per unit


def test_a_third_certificate_nomination_from_one_unit_is_refused() -> None:
    org = {"org_type": "企业", "ownership": "非公"}
    listed = fill("郑东新区", "certificate", [org, org])
    refusal = only(add("郑东新区", "certificate", listed, org))
    assert refusal == PerUnitLimit("certificate", 2, 2)


def test_certificate_nominations_are_competitive_so_thirty_is_no_city_wide_cap() -> None:
    assert [lim.key for lim in limits(ZZ, "certificate")] == []
    status = unit_status(ZZ, ZZ.unit("黄金叶"), "certificate", [])
    assert (status.cap, status.competitive) == (2, True)
    assert add("黄金叶", "certificate", [], {"org_type": "企业"}).ok


def test_a_unit_that_nominated_one_certificate_is_told_it_is_below_the_minimum_only_when_it_has_one() -> None:
    # per_unit_min = 1 with nominees; zero nominees is the unit's choice not to nominate
    def below_minimum(n: int) -> bool:
        nominees = [ListedNominee(i, "certificate", {"org_type": "企业"}) for i in range(n)]
        return any(isinstance(g, BelowMinimum) for g in unit_gaps(ZZ, ZZ.unit("郑东新区"), nominees))

    assert (below_minimum(0), below_minimum(1), below_minimum(2)) == (False, False, False)


# --------------------------------------------------------------------------- alternates (备选)


def test_an_enterprise_head_without_an_alternate_makes_the_list_incomplete_until_one_is_linked() -> None:
    unit = ZZ.unit("新闻单位")  # 奖章 1（一线职工1）
    head = ListedNominee(1, "medal", person(HEAD, name="张三"))
    gaps = [g for g in unit_gaps(ZZ, unit, [head]) if isinstance(g, AlternateMissing)]
    assert gaps == [AlternateMissing("medal", 1, "张三", "企业负责人", ("一线产业工人", "其他一线职工和专业技术人员"))]

    alternate = ListedNominee(2, "medal", person(INDUSTRIAL, name="李四"), alternate_for=1)
    assert [g for g in unit_gaps(ZZ, unit, [head, alternate]) if isinstance(g, AlternateMissing)] == []


def test_an_alternate_takes_no_place_of_its_own() -> None:
    unit = ZZ.unit("长铝公司")  # 奖章 1（一线产业工人1）
    nominees = [
        ListedNominee(1, "medal", person(INDUSTRIAL)),
        ListedNominee(2, "medal", person(OTHER_FRONTLINE), alternate_for=1),
    ]
    assert [g for g in unit_gaps(ZZ, unit, nominees) if getattr(g, "award", None) == "medal"] == []


def test_a_section_cadre_needs_an_alternate_of_the_frontline_kind() -> None:
    assert needs_alternate(ZZ, "medal", person(CADRE))
    assert needs_alternate(ZZ, "medal", person(HEAD))
    assert not needs_alternate(ZZ, "medal", person(INDUSTRIAL))
    assert valid_alternate(ZZ, "medal", person(INDUSTRIAL))
    assert valid_alternate(ZZ, "medal", person(OTHER_FRONTLINE))
    for wrong in (SCITECH, MIGRANT, HEAD, CADRE, OTHER):
        assert not valid_alternate(ZZ, "medal", person(wrong)), wrong
    assert not needs_alternate(ZZ, "pioneer", team("企业"))


def test_an_alternate_of_the_wrong_category_does_not_complete_the_list() -> None:
    unit = ZZ.unit("新闻单位")
    nominees = [
        ListedNominee(1, "medal", person(CADRE)),
        ListedNominee(2, "medal", person(SCITECH), alternate_for=1),
    ]
    assert [type(g) for g in unit_gaps(ZZ, unit, nominees) if isinstance(g, AlternateMissing)] == [AlternateMissing]


def test_open_sub_quotas_and_missing_answers_are_gaps_too() -> None:
    nominees = [ListedNominee(1, "medal", person(INDUSTRIAL), missing=("phone",))]
    gaps = unit_gaps(ZZ, ZZ.unit(AIRPORT), nominees)
    reserved = {(g.award, g.name): (g.needed, g.open) for g in gaps if isinstance(g, ReservedOpen)}
    # the medal's open places, and the pioneer list not started yet: 企业班组 3，其中非公 2 — three
    # enterprise teams are needed, two of them non-public, so one more place is open to any enterprise team
    assert reserved == {
        ("medal", "一线产业工人"): (3, 3),
        ("medal", "一线科教"): (1, 1),
        ("pioneer", "非公"): (2, 2),
        ("pioneer", "企业班组"): (3, 1),
    }
    assert [g.fields for g in gaps if isinstance(g, AnswersMissing)] == [("phone",)]


# --------------------------------------------------------------------------- Zhangjiakou eligibility


def test_a_deputy_division_cadre_is_refused_as_labour_model_and_advanced_worker() -> None:
    for award in ("model", "worker"):
        result = evaluate(ZJK, award, {"category": "一线工人", "cadre_level": "副处级及以上"})
        assert result.refused
        assert [r.key for r in result.hard] == ["senior_cadre"]
        assert "副处级及以上干部" in result.hard[0].message
    for level in ("无", "科级"):
        assert not evaluate(ZJK, "model", {"cadre_level": level}).refused


def test_a_retired_nominee_is_allowed_only_with_a_written_reason() -> None:
    answers: dict[str, Any] = {"category": "一线工人", "cadre_level": "无", "retired": "是"}
    result = evaluate(ZJK, "model", answers)
    assert not result.refused
    assert [r.key for r in result.soft] == ["retired"]
    assert [r.key for r in result.unexplained(answers)] == ["retired"]
    answers[reason_key(result.soft[0])] = "退休返聘，仍在一线岗位带徒传技。"
    assert evaluate(ZJK, "model", answers).unexplained(answers) == []
    assert evaluate(ZJK, "model", {**answers, "retired": "否"}).soft == ()


def test_an_unanswered_question_fires_no_rule_yet() -> None:
    assert evaluate(ZJK, "model", {}).hard == ()
    assert evaluate(ZJK, "model", {}).soft == ()


def test_a_county_party_committee_is_refused_as_advanced_collective() -> None:
    assert [r.key for r in evaluate(ZJK, "collective", {"senior_unit": "是"}).hard] == ["senior_unit"]


# --------------------------------------------------------------------------- percent → count


@pytest.mark.parametrize(
    ("pct", "base", "bound", "count"),
    [
        (65, 95, "min", 62),  # 61.75 → at least 62
        (15, 95, "max", 14),  # 14.25 → at most 14
        (30, 95, "min", 29),  # 28.5
        (15, 95, "min", 15),  # 14.25
        (20, 15, "max", 3),
        (20, 15, "min", 3),
        (35, 120, "min", 42),  # exactly 42: no float error may push it to 43
        (55, 120, "min", 66),
        (20, 120, "min", 24),
        (10, 120, "min", 12),
        (4, 120, "max", 4),  # 4.8
        (6, 120, "max", 7),  # 7.2
        (70, 80, "min", 56),
        (25, 230, "min", 58),  # 57.5, the non-public share over all three awards
        (50, 30, "min", 15),
    ],
)
def test_a_minimum_share_rounds_up_and_a_maximum_share_rounds_down(pct: int, base: int, bound: str, count: int) -> None:
    assert required_count(pct, base, bound) == count  # type: ignore[arg-type]


def test_exact_shares_have_no_float_error() -> None:
    # in floats 0.07 * 100 == 7.000000000000001 and 0.29 * 100 == 28.999999999999996: naive rounding says 8 and 28
    assert required_count(35, 120, "min") == 42
    assert required_count(35.0, 120, "min") == 42
    assert required_count(7, 100, "min") == 7
    assert required_count(29, 100, "min") == 29
    assert required_count(57, 100, "max") == 57
    assert required_count(57.5, 2, "min") == 2


def test_zhangjiakou_proportions_are_shares_of_their_division() -> None:
    standing = campaign_standing(ZJK, [])
    required = {p.key: (p.bound, p.base, p.required) for p in standing.proportions}
    assert required == {
        "frontline": ("min", 95, 62),
        "skilled": ("min", 95, 29),
        "high_skilled": ("min", 95, 15),
        "enterprise_heads": ("max", 95, 14),
        "village_committee": ("max", 15, 3),
        "agri_heads": ("max", 15, 3),
        "migrant": ("min", 15, 3),
    }
    assert all(p.reachable for p in standing.proportions)


def test_zhangjiakou_divisions_act_as_city_wide_caps_without_a_per_unit_allocation() -> None:
    assert ZJK.units == []
    workers = [("model", person("一线工人"))] * 90 + [("model", person("企业负责人和实际控制人"))] * 5
    used = count_limits(ZJK, workers)
    assert (used["division:model:workers"], used["award:model"]) == (95, 95)
    assert unit_status(ZJK, None, "model", []).cap is None
    refusal = only(add(None, "model", [], person("专业技术人员"), used, ZJK))
    assert isinstance(refusal, LimitFull)
    assert refusal.limit == "division:model:workers"
    assert refusal.kind == "division"
    assert refusal.name == "企业职工和其他劳动者"
    assert (refusal.cap, refusal.used) == (95, 95)
    # the 15 farmer places are untouched
    assert add(None, "model", [], person(MIGRANT), used, ZJK).ok
    assert add(None, "worker", [], person("事业单位职工"), used, ZJK).ok


def test_zhangjiakou_110_models_fill_the_award_itself() -> None:
    full = [("model", person("一线工人"))] * 95 + [("model", person(MIGRANT))] * 15
    decision = add(None, "model", [], person("其他农民"), count_limits(ZJK, full), ZJK)
    assert sorted(r.limit for r in decision.refusals if isinstance(r, LimitFull)) == [
        "award:model",
        "division:model:farmers",
    ]
    assert all(isinstance(r, LimitFull) for r in decision.refusals)


def test_zhangjiakou_collectives_are_fifty_organisations_and_fifty_sections() -> None:
    used = count_limits(ZJK, [("collective", person("企业"))] * 50)
    refusal = only(add(None, "collective", [], person("事业单位"), used, ZJK))
    assert isinstance(refusal, LimitFull) and refusal.cap == 50
    assert add(None, "collective", [], person("班组"), used, ZJK).ok


# --------------------------------------------------------------------------- where the campaign stands


def zhengzhou_sample() -> list[tuple[str, dict[str, Any]]]:
    medal = (
        [person(INDUSTRIAL, ownership="非公", key_industry="是")] * 30
        + [person(INDUSTRIAL, ownership="国有", key_industry="否")] * 10
        + [person(SCITECH, ownership="国有", key_industry="否")] * 20
        + [person(HEAD, ownership="非公", key_industry="是")] * 8
        + [person(CADRE, ownership="国有", key_industry="否")] * 2
    )
    pioneer = [{"org_type": "企业", "ownership": "非公", "key_industry": "是"}] * 40 + [
        {"org_type": "事业单位", "ownership": "国有", "key_industry": "否"}
    ] * 20
    certificate = [{"org_type": "企业", "ownership": "国有", "key_industry": "否"}] * 36
    return [("medal", n) for n in medal] + [("pioneer", n) for n in pioneer] + [("certificate", n) for n in certificate]


def test_campaign_standing_counts_each_award_against_its_total() -> None:
    standing = campaign_standing(ZZ, zhengzhou_sample())
    assert {a.award: (a.count, a.total, a.competitive) for a in standing.awards} == {
        "certificate": (36, 30, True),
        "medal": (70, 120, False),
        "pioneer": (60, 80, False),
    }
    limits_left = {s.limit.key: (s.used, s.left) for s in standing.limits}
    assert limits_left["award:medal"] == (70, 50)
    assert limits_left["pool:enterprise_head"] == (8, 0)
    assert limits_left["pool:section_cadre"] == (2, 2)


def test_campaign_standing_gives_count_share_required_and_reachability_per_proportion() -> None:
    props = {p.key: p for p in campaign_standing(ZZ, zhengzhou_sample()).proportions}

    industrial = props["medal_industrial"]  # ≥ 35 % of 120
    assert (industrial.count, industrial.required, industrial.met, industrial.reachable) == (40, 42, False, True)
    assert industrial.share == pytest.approx(100 * 40 / 120)

    scitech = props["medal_scitech"]  # ≥ 20 % of 120 = 24: 20 so far, 50 places left
    assert (scitech.count, scitech.required, scitech.reachable) == (20, 24, True)

    migrant = props["medal_migrant"]  # ≥ 10 % → 12; none yet, still reachable with 50 places left
    assert (migrant.count, migrant.required, migrant.met, migrant.reachable) == (0, 12, False, True)

    head = props["medal_head"]  # ≤ 6 % of 120 → at most 7; 8 is one too many
    assert (head.bound, head.count, head.required, head.met, head.reachable) == ("max", 8, 7, False, False)

    cadre = props["medal_cadre"]  # ≤ 4 % → at most 4
    assert (cadre.count, cadre.required, cadre.met) == (2, 4, True)

    enterprise_teams = props["pioneer_enterprise"]  # ≥ 70 % of 80 = 56: 40 + 20 places left = 60
    assert (enterprise_teams.count, enterprise_teams.required, enterprise_teams.reachable) == (40, 56, True)

    nonpublic = props["nonpublic"]  # ≥ 25 % of 30 + 120 + 80 = 230 → 58
    assert (nonpublic.base, nonpublic.count, nonpublic.required, nonpublic.met) == (230, 78, 58, True)
    assert nonpublic.share == pytest.approx(100 * 78 / 230)


def test_a_minimum_share_becomes_unreachable_when_too_few_places_are_left() -> None:
    nominees = [("medal", person(INDUSTRIAL))] * 110
    props = {p.key: p for p in campaign_standing(ZZ, nominees).proportions}
    # 科教 ≥ 24 but only 10 medal places remain
    assert (props["medal_scitech"].count, props["medal_scitech"].reachable) == (0, False)
    assert props["medal_industrial"].met
    # 12 migrant workers still fit in 10 places? no
    assert not props["medal_migrant"].reachable


# --------------------------------------------------------------------------- no places, full units


def test_huangjinye_has_no_pioneer_places() -> None:
    refusal = only(add("黄金叶", "pioneer", [], team("企业")))
    assert refusal == NoAllocation("pioneer")
    assert only(add("轻金属研究院", "medal", [], person(INDUSTRIAL))) == NoAllocation("medal")
    assert add("黄金叶", "medal", [], person(INDUSTRIAL)).ok


def test_a_unit_at_its_cap_is_full() -> None:
    listed = fill("长铝公司", "medal", [person(INDUSTRIAL)])
    refusal = only(add("长铝公司", "medal", listed, person(INDUSTRIAL)))
    assert refusal == UnitFull("medal", 1, 1)


def test_the_only_place_of_a_single_place_unit_is_reserved() -> None:
    refusal = only(add("长铝公司", "medal", [], person(SCITECH)))
    assert isinstance(refusal, ReservedFull)
    assert open_places(refusal) == {"一线产业工人": 1}


def test_the_city_organ_union_must_send_frontline_staff_of_either_kind() -> None:
    listed = fill("市机关工会", "medal", [person(INDUSTRIAL), person(OTHER_FRONTLINE)] * 2)
    assert len(listed) == 4
    assert open_places(only(add("中央、省驻郑单位及其他", "medal", [], person(SCITECH)))) == {"一线职工": 6}


# --------------------------------------------------------------------------- the category buttons


def offered(
    unit: str, award: str, listed: Sequence[Mapping[str, Any]], used: Mapping[str, int] | None = None
) -> list[str]:
    return [
        c
        for c in ZZ.award(award).categories
        if check_add_partial(ZZ, ZZ.unit(unit), award, list(listed), dict(used or {}), {"category": c}).ok
    ]


def some_completion_fits(
    unit: str, award: str, listed: Sequence[Mapping[str, Any]], used: Mapping[str, int], category: str
) -> bool:
    return any(add(unit, award, listed, person(category, ownership=o), used).ok for o in ZZ.fields["ownership"].options)


def test_the_category_buttons_offer_every_category_on_an_empty_list() -> None:
    assert offered(AIRPORT, "medal", []) == ZZ.award("medal").categories


def test_after_the_free_place_is_taken_only_the_reserved_categories_are_offered() -> None:
    assert offered(AIRPORT, "medal", [person(MIGRANT)]) == [INDUSTRIAL, SCITECH]


def test_a_migrant_worker_is_offered_where_a_non_public_migrant_place_is_open() -> None:
    unit = "经济技术开发区"  # 奖章 6 = 产业工人 3 + 科教 1 + 非公新业态农民工 1 + 1 free
    listed = fill(unit, "medal", [person(INDUSTRIAL)] * 3 + [person(SCITECH), person(OTHER, ownership="国有")])
    assert offered(unit, "medal", listed) == [MIGRANT]
    # the button is right: a non-public migrant worker fits, a public one does not
    assert add(unit, "medal", listed, person(MIGRANT, ownership="非公")).ok
    refusal = only(add(unit, "medal", listed, person(MIGRANT, ownership="国有")))
    assert open_places(refusal) == {"非公新业态农民工": 1}


def test_an_exhausted_pool_hides_its_category_even_with_a_free_place() -> None:
    used = count_limits(ZZ, cadres_elsewhere(4))
    assert CADRE not in offered("巩义市", "medal", [], used)
    assert HEAD in offered("巩义市", "medal", [], used)


@pytest.mark.parametrize("unit", ["经济技术开发区", "金水区", AIRPORT, "市财贸轻工服务业工会", "新闻单位"])
def test_a_category_is_offered_exactly_when_some_completion_of_it_fits(unit: str) -> None:
    used = count_limits(ZZ, cadres_elsewhere(4) + [("medal", person(HEAD))] * 6)
    categories = ZZ.award("medal").categories
    cap = ZZ.unit(unit).quotas["medal"].cap
    for n in range(min(cap, 3)):
        for prefix in itertools.combinations_with_replacement([INDUSTRIAL, SCITECH, MIGRANT, OTHER], n):
            listed = [person(c, ownership="非公" if c == MIGRANT else "国有") for c in prefix]
            if not all(add(unit, "medal", listed[:i], listed[i], used).ok for i in range(n)):
                continue
            expected = [c for c in categories if some_completion_fits(unit, "medal", listed, used, c)]
            assert offered(unit, "medal", listed, used) == expected, (unit, prefix)
