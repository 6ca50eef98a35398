"""The procedure checklist (core.checklist): which steps a nominee goes through is read from its
award and answers by the definition's ``[[steps]]`` (DOMAIN.md "Procedure", the two notices), and
a notice period ends after its working days, counted across public holidays."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from core.checklist import checklist, due_by, due_stage, steps_for
from core.crosscheck import cross_check
from core.loader import DefinitionError, load_builtin, parse

ZZ = load_builtin("zhengzhou-2024")
ZJK = load_builtin("zhangjiakou-2024")
ENTERPRISE = ["ndrc", "hrss", "eco", "safety", "tax", "market", "health"]  # 发改 人社 生态环境 应急 税务 市场监管 卫健
NOTICES = ["notice_unit", "notice_county", "notice_city"]


def keys(campaign: Any, award: str, **answers: Any) -> list[str]:
    return [s.key for s in steps_for(campaign, award, answers)]


def test_both_built_in_definitions_have_their_steps_and_check_clean() -> None:
    assert cross_check(ZZ) == [] and cross_check(ZJK) == []
    assert load_builtin("xiamen-2016").steps == []
    for campaign in (ZZ, ZJK):
        notices = [s for s in campaign.steps if s.kind == "notice"]
        assert [(s.level, s.working_days) for s in notices] == [("unit", 5), ("county", 5), ("city", 5)]


# ------------------------------------------------------------------ Zhengzhou (郑工办〔2024〕6号)


def test_zhengzhou_a_frontline_worker_needs_the_congress_the_police_and_the_notices_only() -> None:
    got = keys(ZZ, "medal", category="一线产业工人", org_type="企业", ownership="国有")
    assert got == ["approval", "notice_unit", "police", "notice_county", "notice_city"]


def test_zhengzhou_a_state_enterprise_head_needs_personnel_discipline_audit_and_the_enterprise_departments() -> None:
    got = keys(ZZ, "medal", category="企业负责人", org_type="企业", ownership="国有控股")
    assert got == ["approval", "notice_unit", "police", "personnel", "discipline", "audit", *ENTERPRISE, *NOTICES[1:]]


def test_zhengzhou_a_non_public_enterprise_head_needs_the_united_front_and_the_federation_not_audit() -> None:
    got = keys(ZZ, "medal", category="企业负责人", org_type="企业", ownership="非公")
    assert got == ["approval", "notice_unit", "police", *ENTERPRISE, "united_front", "federation", *NOTICES[1:]]


def test_zhengzhou_a_section_cadre_of_an_institution_needs_personnel_and_discipline() -> None:
    got = keys(ZZ, "medal", category="机关和事业单位科级领导干部", org_type="事业单位", ownership="国有")
    assert got == ["approval", "notice_unit", "police", "personnel", "discipline", *NOTICES[1:]]


def test_zhengzhou_collectives_state_owned_and_non_public_enterprises() -> None:
    soe = keys(ZZ, "pioneer", org_type="企业", ownership="国有")
    assert soe == ["approval", "notice_unit", "police", "discipline", "audit", *ENTERPRISE, *NOTICES[1:]]
    private = keys(ZZ, "certificate", org_type="企业", ownership="非公")
    assert private == ["approval", "notice_unit", "police", *ENTERPRISE, "united_front", "federation", *NOTICES[1:]]
    organ = keys(ZZ, "pioneer", org_type="党政机关", ownership="国有")
    assert organ == ["approval", "notice_unit", "police", "discipline", *NOTICES[1:]]


# ------------------------------------------------------------------ Zhangjiakou


def test_zhangjiakou_a_worker_is_approved_by_the_congress_a_farmer_by_the_villagers() -> None:
    worker = keys(ZJK, "model", category="一线工人", org_type="企业", ownership="非公")
    assert worker == ["approval", "notice_unit", "police", *NOTICES[1:]]
    farmer = keys(ZJK, "model", category="其他农民", org_type="农村（村集体）", ownership="集体")
    assert farmer == ["approval_residents", "notice_unit", "police", *NOTICES[1:]]
    self_employed = keys(ZJK, "model", category="一线工人", org_type="个体工商户", ownership="非公")
    assert self_employed[0] == "approval_residents"


def test_zhangjiakou_a_village_committee_member_needs_personnel_and_discipline() -> None:
    got = keys(ZJK, "model", category="村“两委”班子成员", org_type="农村（村集体）", ownership="集体")
    assert got == ["approval_residents", "notice_unit", "police", "personnel", "discipline", *NOTICES[1:]]


def test_zhangjiakou_enterprise_heads_and_enterprises() -> None:
    private = keys(ZJK, "model", category="企业负责人和实际控制人", org_type="企业", ownership="非公")
    assert private == ["approval", "notice_unit", "police", *ENTERPRISE, "united_front", *NOTICES[1:]]
    state = keys(ZJK, "model", category="企业负责人和实际控制人", org_type="企业", ownership="国有")
    assert state == ["approval", "notice_unit", "police", "personnel", "discipline", *ENTERPRISE, *NOTICES[1:]]
    staff = keys(ZJK, "worker", category="事业单位职工", org_type="事业单位", ownership="国有")
    assert staff == ["approval", "notice_unit", "police", "personnel", "discipline", *NOTICES[1:]]
    company = keys(ZJK, "collective", category="企业", ownership="非公")  # no police for an organisation
    assert company == ["approval", "notice_unit", *ENTERPRISE, "united_front", *NOTICES[1:]]
    workshop = keys(ZJK, "collective", category="车间", ownership="国有")
    assert workshop == ["approval", "notice_unit", *NOTICES[1:]]


# ------------------------------------------------------------------ states and notice periods


def test_a_notice_ends_after_five_working_days_across_qingming_and_is_complete_only_after() -> None:
    answers = {"category": "一线产业工人", "org_type": "企业", "ownership": "国有"}
    # begun Monday 1 April 2024: 1, 2, 3 April; 4–6 April are 清明 holidays; Sunday 7 April is a
    # make-up working day; 8 April is the fifth
    recorded = {"notice_unit": "2024-04-01", "approval": "2024-03-28"}
    on_last_day = {s.step.key: s for s in checklist(ZZ, "medal", answers, recorded, date(2024, 4, 8))}
    notice = on_last_day["notice_unit"]
    assert (notice.status, notice.on, notice.ends) == ("running", date(2024, 4, 1), date(2024, 4, 8))
    assert not notice.finished
    assert on_last_day["approval"].status == "done" and on_last_day["police"].status == "open"
    after = {s.step.key: s for s in checklist(ZZ, "medal", answers, recorded, date(2024, 4, 9))}
    assert after["notice_unit"].status == "complete" and after["notice_unit"].finished


def test_a_notice_begun_in_a_year_no_calendar_knows_has_no_end_date_and_is_not_complete() -> None:
    answers = {"category": "一线产业工人", "org_type": "企业", "ownership": "国有"}
    [state] = [
        s
        for s in checklist(ZZ, "medal", answers, {"notice_unit": "2099-06-01"}, date(2099, 12, 1))
        if s.step.key == "notice_unit"
    ]
    assert (state.status, state.ends, state.beyond) == ("running", None, 2099)


def test_the_steps_due_are_those_of_the_stage_the_submission_is_for_and_earlier() -> None:
    answers = {"category": "企业负责人", "org_type": "企业", "ownership": "非公"}
    states = checklist(ZZ, "medal", answers, {"approval": "2024-03-01"}, date(2024, 3, 15))
    assert due_stage(ZZ, date(2024, 3, 15)) == "initial"
    assert [s.step.key for s in due_by(ZZ, states, "initial")] == ["notice_unit"]
    assert due_stage(ZZ, date(2024, 3, 21)) == "second_review"  # its date is to be announced
    second = [s.step.key for s in due_by(ZZ, states, "second_review")]
    assert second == ["notice_unit", "police", *ENTERPRISE, "united_front", "federation", "notice_county"]


# ------------------------------------------------------------------ the definition is checked


STEP = """
[[steps]]
key = "police"
name = "公安部门意见"
kind = "consultation"
"""
OTHER = STEP.replace("police", "x")


@pytest.mark.parametrize(
    ("extra", "path", "zh", "en"),
    [
        (STEP + STEP, "steps[18].key", "重复", "used twice"),
        (
            OTHER + 'where = { rank = ["高"] }\n',
            "steps[17].where.rank",
            "未知字段",
            "unknown field",
        ),
        (OTHER + 'required_by = "final"\n', "steps[17].required_by", "未知阶段", "unknown stage"),
        (OTHER.replace("consultation", "notice"), "steps[17].working_days", "公示期", "period"),
        (OTHER + 'awards = ["medall"]\n', "steps[17].awards", "未知奖项", "unknown award"),
    ],
    ids=["duplicate", "field", "stage", "notice period", "award"],
)
def test_a_wrong_step_is_refused_with_its_place_in_chinese_and_english(extra: str, path: str, zh: str, en: str) -> None:
    from core.loader import builtin_text

    text = builtin_text("zhengzhou-2024") + extra
    with pytest.raises(DefinitionError) as info:
        parse(text, "f.toml")
    problems = [p for p in info.value.problems if p.path == path]
    assert problems, [p.path for p in info.value.problems]
    assert zh in problems[0].message and en in problems[0].message_en
