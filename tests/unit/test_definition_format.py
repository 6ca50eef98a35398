"""The definition format an office edits for next year (issue 14): unique keys, every problem in
one run, divisions allocated per unit, enforced and ranged proportions, selectors with not/any,
and messages in Chinese and English. Bad files are edited copies of the built-ins."""

from __future__ import annotations

import tomllib

import pytest

from core.campaign import Campaign
from core.crosscheck import cross_check
from core.loader import DefinitionError, DefinitionProblem, builtin_text, parse
from core.quota import campaign_standing, check_add, limits
from core.refusals import LimitFull, ReservedFull
from core.selectors import matches

ZZ = builtin_text("zhengzhou-2024")
ZJK = builtin_text("zhangjiakou-2024")


def edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def problems(text: str) -> list[DefinitionProblem]:
    with pytest.raises(DefinitionError) as info:
        parse(text, "f.toml")
    return info.value.problems


# ------------------------------------------------------------------ 1. keys are unique where they are keys


@pytest.mark.parametrize(
    ("text", "old", "new", "path"),
    [
        (ZZ, 'key = "enterprise_head"', 'key = "section_cadre"', "pools[1].key"),
        (ZZ, 'key = "medal_frontline"', 'key = "medal_industrial"', "proportions[1].key"),
        (ZZ, 'key = "second_review"', 'key = "initial"', "stages[1].key"),
        (ZZ, 'key = "union_conditions"', 'key = "no_competition"', "eligibility[1].key"),
        (ZJK, 'key = "individuals"', 'key = "collectives"', "tables[1].key"),
        (ZJK, 'key = "hrss"', 'key = "ndrc"', "steps[7].key"),
    ],
    ids=["pool", "proportion", "stage", "eligibility", "table", "step"],
)
def test_a_duplicated_key_is_refused_with_its_place(text: str, old: str, new: str, path: str) -> None:
    bad = edit(text, old, new)
    # the procedure steps required by the renamed stage now name an unknown one: said as well
    [p] = [p for p in problems(bad) if not p.path.endswith(".required_by")]
    assert p.path == path
    assert p.line == [n for n, line in enumerate(bad.splitlines(), 1) if line == new][-1]
    assert "重复" in p.message and "used twice" in p.message_en


def test_a_duplicated_field_table_is_a_located_syntax_error() -> None:
    bad = ZZ + '\n[fields.deeds]\nlabel = "事迹"\ntype = "longtext"\n'
    [p] = problems(bad)
    assert p.message.startswith("TOML 语法错误")
    assert p.line == len(bad.splitlines()) - 2


def test_a_duplicated_division_key_is_refused() -> None:
    p, *others = problems(edit(ZJK, 'key = "farmers"', 'key = "workers"'))
    assert [o.message for o in others] == ["奖项中没有部分 “farmers”"] * 3  # the proportions that named it
    assert p.path == "awards[0].divisions[1].key"
    assert p.message == "部分键 “workers” 重复（另见 awards[0].divisions[0]）"


# ------------------------------------------------------------------ 2. every problem in one run


def test_a_schema_error_does_not_hide_the_cross_checks() -> None:
    bad = edit(ZZ, "min_pct = 35", "pct = 35")  # a schema error in one proportion
    bad = edit(bad, "quotas.medal = { cap = 6, frontline = 6 }", "quotas.medal = { cap = 7, frontline = 6 }")
    bad = edit(bad, 'where = { category = ["企业负责人"] }', 'where = { category = ["企业领导"] }')
    found = {p.path: p for p in problems(bad)}
    assert set(found) == {"proportions[0].pct", "units", "pools[1].where.category"}
    assert found["proportions[0].pct"].message == "未知的键（拼写错误？）；是否要找 min_pct、max_pct？"
    assert found["proportions[0].pct"].message_en == "unknown key (a typo?); did you mean min_pct, max_pct?"


def test_a_broken_unit_is_reported_and_the_other_units_still_checked() -> None:
    bad = edit(ZZ, "quotas.medal = { cap = 6, frontline = 6 }", "quotas.medal = { cap = -6, frontline = 6 }")
    bad = edit(bad, "quotas.medal = { cap = 1, frontline = 1 }", "quotas.medal = { cap = 1, frontlne = 1 }")
    paths = [p.path for p in problems(bad)]
    assert paths == ["units[36].quotas.medal.cap", "units[35].quotas.medal.frontlne"]  # no sum from a pruned unit


# ------------------------------------------------------------------ 3. divisions allocated per unit

ZJK_UNITS = """
[[units]]
name = "桥东区"
quotas.model = { cap = 60, workers = 50, farmers = 10 }
quotas.worker = 20
quotas.collective = { cap = 50, organisations = 25, sections = 25 }

[[units]]
name = "桥西区"
quotas.model = { cap = 50, workers = 45, farmers = 5 }
quotas.worker = 20
quotas.collective = { cap = 50, organisations = 25, sections = 25 }
"""


def test_a_division_allocated_per_unit_holds_its_side() -> None:
    campaign = parse(ZJK + ZJK_UNITS)
    unit = campaign.unit("桥西区")
    five_farmers = [{"category": "其他农民"}] * 5
    decision = check_add(campaign, unit, "model", five_farmers, {}, {"category": "农民工"})
    assert [type(r) for r in decision.refusals] == [ReservedFull]  # 农民 5 of 桥西区 are taken
    assert check_add(campaign, unit, "model", five_farmers, {}, {"category": "一线工人"}).ok


def test_the_per_division_sums_must_match_the_division() -> None:
    bad = edit(ZJK + ZJK_UNITS, "{ cap = 50, workers = 45, farmers = 5 }", "{ cap = 50, workers = 46, farmers = 4 }")
    messages = [p.message for p in problems(bad)]
    assert messages == [
        "张家口市劳动模范·企业职工和其他劳动者：各单位名额合计 96，与该部分总数 95 不符",
        "张家口市劳动模范·农民：各单位名额合计 14，与该部分总数 15 不符",
    ]


def test_a_unit_s_sides_over_its_places_are_one_problem_said_as_divisions() -> None:
    bad = edit(ZJK + ZJK_UNITS, "{ cap = 50, workers = 45, farmers = 5 }", "{ cap = 50, workers = 46, farmers = 5 }")
    unit = [p.message for p in problems(bad) if p.path.startswith("units[")]
    assert unit == ["按部分分配的名额合计 51，与本单位名额 50 不符（每个名额须属于一个部分）"]  # not also "预留名额"


def test_a_division_written_again_as_a_reserved_kind_says_how_to_allocate() -> None:
    bad = edit(
        ZJK,
        '[[awards.divisions]]\nkey = "workers"',
        '[awards.reserved.workers]\nname = "职工"\nwhere = { category = ["一线工人"] }\n\n'
        '[[awards.divisions]]\nkey = "workers"',
    )
    [p] = problems(bad)
    assert "可直接按部分分配：quotas.model = { cap = 6, workers = 2, … }" in p.message
    assert "allocate it directly" in p.message_en


# ------------------------------------------------------------------ 4. enforced and ranged proportions

ENFORCED = """
[[proportions]]
key = "heads_and_cadres"
name = "企业负责人和科级干部"
awards = ["medal"]
where = { category = ["企业负责人", "机关和事业单位科级领导干部"] }
max_pct = 8
enforce = true
"""


def test_an_enforced_maximum_is_a_counter_derived_from_the_total() -> None:
    campaign = parse(ZZ + ENFORCED)
    [lim] = [lim for lim in limits(campaign, "medal") if lim.kind == "proportion"]
    assert (lim.key, lim.cap) == ("proportion:heads_and_cadres", 9)  # ≤ 8 % of 120 = 9.6 → 9
    unit = None  # the city-wide limits alone
    decision = check_add(campaign, unit, "medal", [], {lim.key: 9}, {"category": "企业负责人"})
    assert [type(r) for r in decision.refusals] == [LimitFull]
    assert decision.refusals[0].kind == "proportion"  # type: ignore[union-attr]
    assert check_add(campaign, unit, "medal", [], {lim.key: 9}, {"category": "一线产业工人"}).ok


def test_a_minimum_cannot_be_enforced() -> None:
    bad = edit(ZZ, "min_pct = 35", "min_pct = 35\nenforce = true")
    [p] = problems(bad)
    assert p.path == "proportions[0]"
    assert p.message_en.startswith("only a maximum (max_pct) can be enforced")


def test_a_share_stated_as_about_20_percent_is_one_range() -> None:
    campaign = parse(edit(ZZ, "min_pct = 20\n", "min_pct = 18\nmax_pct = 22\n"))
    statuses = [s for s in campaign_standing(campaign, []).proportions if s.key == "medal_other_frontline"]
    assert [(s.bound, s.required) for s in statuses] == [("min", 22), ("max", 26)]  # of 120


# ------------------------------------------------------------------ 5. not, any, and selectors that never match


def test_not_and_any_select_as_written() -> None:
    everyone_but_farmers = {"category": {"not": ["农民"]}}
    assert matches(everyone_but_farmers, {"category": "工人"})
    assert not matches(everyone_but_farmers, {"category": "农民"})
    assert not matches(everyone_but_farmers, {})  # not answered yet: the condition does not hold
    heads_or_cadres = {"any": [{"category": ["企业负责人"]}, {"cadre": ["是"]}]}
    assert matches(heads_or_cadres, {"category": "工人", "cadre": "是"})
    assert not matches(heads_or_cadres, {"category": "工人", "cadre": "否"})
    assert matches({"not": {"category": ["农民"]}}, {"category": "工人"})


def test_a_question_for_everyone_but_one_category_loads_and_is_asked() -> None:
    text = edit(ZJK, 'type = "org_name"', 'type = "org_name"\nwhen = { category = { not = ["其他农民"] } }')
    campaign = parse(text)
    assert campaign.fields["org_name"].when == {"category": {"not": ["其他农民"]}}


def test_a_selector_that_can_never_match_is_refused() -> None:
    bad = edit(
        ZZ,
        'where = { category = ["企业负责人"] }',
        'where = { all = [{ category = ["企业负责人"] }, { category = { not = ["企业负责人"] } }] }',
    )
    [p] = problems(bad)
    assert p.path == "pools[1].where"
    assert p.message == "此条件永远不会成立（没有任何答案能满足）"


def test_a_misshapen_selector_says_how_to_write_it() -> None:
    [p] = problems(edit(ZZ, 'where = { category = ["企业负责人"] }', 'where = { any = { category = ["企业负责人"] } }'))
    assert p.path == "pools[1].where"
    assert p.message.startswith("“any” 应为条件的列表")


# ------------------------------------------------------------------ 7. both languages


def test_every_cross_check_message_has_an_english_twin() -> None:
    bad = edit(ZZ + ENFORCED, "total = 120", "total = 121")
    bad = edit(bad, 'where = { category = ["企业负责人"] }', 'where = { categry = ["企业负责人"] }')
    found = cross_check(parse_unchecked(bad))
    assert found
    assert all(p.message and p.message_en and p.message != p.message_en for p in found)


def parse_unchecked(text: str) -> Campaign:
    return Campaign.model_validate(tomllib.loads(text), strict=True)


# ------------------------------------------------------------------ 6. multiple choice


def test_a_multiple_choice_answer_is_typed_with_separators_and_stored_as_a_list() -> None:
    from datetime import date

    from core.errors import ChoiceCount, ChoiceInvalid, InvalidAnswer
    from core.form import IntakeForm

    campaign = parse(builtin_text("xiamen-2016"))
    form = IntakeForm(campaign, "medal")
    before = {"category": "一线职工"}
    today = date(2016, 3, 1)
    assert form.accept(before, "groups", "外籍，农民工", today)["groups"] == ["农民工", "外籍"]  # the list's order
    assert form.accept(before, "groups", "无", today)["groups"] == []
    assert form.accept_value(before, "groups", ["少数民族"])["groups"] == ["少数民族"]
    with pytest.raises(InvalidAnswer) as info:
        form.accept(before, "groups", "农民工、司机", today)
    assert info.value.problem == ChoiceInvalid()
    limited = parse(edit(builtin_text("xiamen-2016"), 'type = "multichoice"', 'type = "multichoice"\nmax = 1'))
    with pytest.raises(InvalidAnswer) as info:
        IntakeForm(limited, "medal").accept(before, "groups", "农民工 外籍", today)
    assert info.value.problem == ChoiceCount(min=None, max=1)


def test_a_selector_on_a_multiple_choice_field_matches_any_chosen_answer() -> None:
    assert matches({"groups": ["农民工"]}, {"groups": ["少数民族", "农民工"]})
    assert not matches({"groups": ["农民工"]}, {"groups": []})
    assert matches({"groups": {"not": ["外籍"]}}, {"groups": ["农民工"]})


# ------------------------------------------------------------------ 8. the example of another city's notice


def test_the_xiamen_example_gives_the_notices_counts() -> None:
    from bot.cli import show_lines

    campaign = parse(builtin_text("xiamen-2016"), "xiamen-2016.toml")
    assert [(a.key, a.total) for a in campaign.awards] == [("certificate", 50), ("medal", 250)]
    lines = show_lines(campaign)
    wanted = {
        "单位负责人（含正副职）": "至多 37 名（录入时强制 enforced）",  # 不超过15%
        "社区工作者（含正副书记、正副主任）": "至多 25 名（录入时强制 enforced）",  # 不超过10%
        "一线职工": "至少 150 名",  # 不少于60%
        "企业职工": "至少 125 名",  # 不少于50%
        "科技、教育工作者": "至少 50 名",  # 不少于20%
        "女职工": "至少 50 名",
        "农民工": "至少 50 名",
    }
    for name, count in wanted.items():
        [row] = [line for line in lines if line.strip().startswith(name + " ")]
        assert row.rstrip().endswith(count), row
    assert [lim.cap for lim in limits(campaign, "medal") if lim.kind == "proportion"] == [37, 25]


def test_a_syntax_error_reads_in_english_too() -> None:
    [p] = problems('id = "x"\nname = \n')
    assert p.text("zh").startswith("f.toml:2: TOML 语法错误：")
    assert p.text("en").startswith("f.toml:2: TOML syntax error: ")
