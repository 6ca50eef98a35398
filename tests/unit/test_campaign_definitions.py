"""The built-in campaign definitions, and what an office sees when its own file is wrong.

Bad files are edited copies of the built-in text, so each test says exactly which line the
office broke and asserts the located message it would read: ``file:line: key.path: message``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from core.campaign import Campaign
from core.crosscheck import cross_check
from core.loader import (
    DefinitionError,
    DefinitionProblem,
    builtin_names,
    builtin_text,
    load,
    load_builtin,
    load_path,
    parse,
)

ZZ_TEXT = builtin_text("zhengzhou-2024")
ZJK_TEXT = builtin_text("zhangjiakou-2024")
ZZ_FILE = "zhengzhou-2024.toml"


def line_of(text: str, needle: str, nth: int = 0) -> int:
    """1-based number of the ``nth`` line containing ``needle``; for a ``[[header]]``, the line that is it."""
    header = needle.startswith("[[")
    lines = text.splitlines()
    hits = [i + 1 for i, line in enumerate(lines) if (line.strip() == needle if header else needle in line)]
    assert len(hits) > nth, needle
    return hits[nth]


def edit(text: str, old: str, new: str, count: int = 1) -> str:
    assert old in text, old
    return text.replace(old, new, count)


def problems(text: str, source: str = ZZ_FILE) -> list[DefinitionProblem]:
    with pytest.raises(DefinitionError) as info:
        parse(text, source)
    return info.value.problems


def the_problem(text: str, source: str = ZZ_FILE) -> DefinitionProblem:
    found = problems(text, source)
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


# --------------------------------------------------------------------------- the built-ins


def test_every_builtin_definition_loads() -> None:
    assert builtin_names() == ["xiamen-2016", "zhangjiakou-2024", "zhengzhou-2024"]
    for name in builtin_names():
        campaign = load_builtin(name)
        assert campaign.id == name
        assert cross_check(campaign) == []
        assert load(name).digest == campaign.digest


def test_zhengzhou_awards_and_totals() -> None:
    zz = load_builtin("zhengzhou-2024")
    assert [(a.key, a.name, a.kind, a.total) for a in zz.awards] == [
        ("certificate", "郑州市五一劳动奖状", "collective", 30),
        ("medal", "郑州市五一劳动奖章", "individual", 120),
        ("pioneer", "郑州市工人先锋号", "collective", 80),
    ]
    certificate = zz.award("certificate")
    assert (certificate.competitive, certificate.per_unit_min, certificate.per_unit_max) == (True, 1, 2)
    assert [(p.key, p.cap) for p in zz.pools] == [("section_cadre", 4), ("enterprise_head", 7)]


def test_zhengzhou_allocation_has_37_units_summing_to_80_pioneer_and_120_medal_places() -> None:
    zz = load_builtin("zhengzhou-2024")
    assert len(zz.units) == 37
    assert len({u.name for u in zz.units}) == 37
    assert sum(u.quotas["pioneer"].cap for u in zz.units) == 80
    assert sum(u.quotas["medal"].cap for u in zz.units) == 120
    assert all("certificate" not in u.quotas for u in zz.units)  # 1–2 per unit, not allocated
    assert (zz.units[0].name, zz.units[-1].name) == ("航空港经济综合试验区", "中央、省驻郑单位及其他")


def test_zhengzhou_the_first_unit_allocation_is_the_seed_row() -> None:
    airport = load_builtin("zhengzhou-2024").unit("航空港经济综合试验区")
    pioneer, medal = airport.quotas["pioneer"], airport.quotas["medal"]
    assert pioneer.cap == 4
    (enterprise,) = pioneer.reserved
    assert (enterprise.kind, enterprise.count) == ("enterprise", 3)
    assert [(c.kind, c.count) for c in enterprise.children] == [("nonpublic", 2)]
    assert (medal.cap, [(r.kind, r.count) for r in medal.reserved]) == (6, [("industrial", 4), ("scitech", 1)])


def test_zhengzhou_deadline_is_20_march_and_the_second_review_is_not_dated_yet() -> None:
    stages = [(s.key, s.name, s.deadline) for s in load_builtin("zhengzhou-2024").stages]
    assert stages == [("initial", "报送初审材料", date(2024, 3, 20)), ("second_review", "报送复审材料", None)]


def test_zhangjiakou_awards_divisions_and_no_allocation_yet() -> None:
    zjk = load_builtin("zhangjiakou-2024")
    assert [(a.key, a.total) for a in zjk.awards] == [("model", 110), ("worker", 40), ("collective", 100)]
    assert [(d.key, d.total) for d in zjk.award("model").divisions] == [("workers", 95), ("farmers", 15)]
    assert [(d.key, d.total) for d in zjk.award("collective").divisions] == [("organisations", 50), ("sections", 50)]
    assert zjk.units == []
    assert zjk.pools == []


def test_zhangjiakou_deadline_is_2_april() -> None:
    assert [(s.key, s.deadline) for s in load_builtin("zhangjiakou-2024").stages] == [("formal", date(2024, 4, 2))]


def test_zhangjiakou_summary_tables_have_exactly_the_seed_columns() -> None:
    tables = {t.key: t for t in load_builtin("zhangjiakou-2024").tables}
    collectives, individuals = tables["collectives"], tables["individuals"]

    assert collectives.title == "2024年张家口市先进集体汇总表"  # 附件2
    assert collectives.awards == ["collective"]
    assert [c.title for c in collectives.columns] == [
        "序号",
        "单位名称（或及车间/工段/班组/科室）",
        "法人代表",
        "单位人数",
        "单位类型",
        "单位性质",
        "曾获最高荣誉",
        "备注",
    ]

    assert individuals.title == "2024年张家口市劳动模范和先进工作者汇总表"  # 附件3
    assert individuals.awards == ["model", "worker"]
    assert [c.title for c in individuals.columns] == [
        "序号",
        "姓名",
        "性别",
        "民族",
        "年龄",
        "政治面貌",
        "工作单位及职务（职级）",
        "职称",
        "职称级别",
        "技术等级",
        "单位类型",
        "单位性质",
        "人员结构",
        "曾获最高荣誉",
        "备注",
    ]
    for table in (collectives, individuals):
        assert table.header.split() == ["填报单位：{unit}", "填报人：{clerk}", "联系电话：{phone}"]


def test_the_tables_derive_gender_and_age_from_the_id_number_instead_of_asking() -> None:
    zjk = load_builtin("zhangjiakou-2024")
    sources = {c.title: c.source for t in zjk.tables for c in t.columns}
    assert (sources["性别"], sources["年龄"], sources["人员结构"]) == ("gender", "age", "category")
    assert "gender" not in zjk.fields and "age" not in zjk.fields


def test_a_builtin_name_that_does_not_exist_is_a_located_problem_not_a_traceback() -> None:
    with pytest.raises(DefinitionError) as info:
        builtin_text("zhengzhou-2023")
    assert "zhengzhou-2023" in str(info.value)


# --------------------------------------------------------------------------- bad files: what the office reads


def test_a_toml_syntax_error_names_its_line() -> None:
    bad = edit(ZZ_TEXT, "total = 120", "total = = 120")
    p = the_problem(bad)
    assert (p.line, p.path) == (line_of(bad, "total = = 120"), "")
    assert str(p).startswith(f"{ZZ_FILE}:{p.line}: TOML 语法错误：")


def test_an_unclosed_inline_table_names_its_line() -> None:
    bad = edit(ZZ_TEXT, "quotas.medal = { cap = 4, scitech = 2 }", "quotas.medal = { cap = 4, scitech = 2")
    p = the_problem(bad)
    assert p.line == line_of(bad, "quotas.medal = { cap = 4, scitech = 2")
    assert "TOML 语法错误" in p.message


def test_a_missing_key_points_at_the_table_that_lacks_it() -> None:
    bad = edit(ZZ_TEXT, "total = 120\n", "")
    p = the_problem(bad)
    assert (p.path, p.message) == ("awards[1].total", "缺少此项")
    assert p.line == line_of(bad, "[[awards]]", nth=1)
    assert str(p) == f"{ZZ_FILE}:{p.line}: awards[1].total: 缺少此项"


def test_a_missing_cap_in_a_compact_allocation_is_missing() -> None:
    bad = edit(ZZ_TEXT, "quotas.medal = { cap = 6, frontline = 6 }", "quotas.medal = { frontline = 6 }")
    p = the_problem(bad)
    assert (p.path, p.message, p.line) == ("units[36].quotas.medal.cap", "缺少此项", line_of(bad, "{ frontline = 6 }"))


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        ("total = 120", 'total = "120"', "awards[1].total", "应为整数"),
        ("total = 120", "total = 120.0", "awards[1].total", "应为整数"),
        ("total = 120", "total = true", "awards[1].total", "应为整数"),
        ("competitive = true ", 'competitive = "yes" ', "awards[0].competitive", "应为 true 或 false"),
        ("min_pct = 35", 'min_pct = "35%"', "proportions[0].min_pct", "应为数字"),
        ("deadline = 2024-03-20", 'deadline = "3月20日"', "stages[0].deadline", "应为日期，如 2024-03-20"),
        ('kind = "individual"', 'kind = "person"', "awards[1].kind", "应为以下之一：'individual' or 'collective'"),
        (
            "quotas.medal = { cap = 6, industrial = 4, scitech = 1 }",
            'quotas.medal = { cap = 6, industrial = "4", scitech = 1 }',
            "units[0].quotas.medal.industrial",
            "应为整数",
        ),
        (
            "quotas.medal = { cap = 6, frontline = 6 }",
            "quotas.medal = { cap = 6, frontline = -1 }",
            "units[36].quotas.medal.frontline",
            "不能小于 0",
        ),
        ("quotas.medal = { cap = 6, frontline = 6 }", 'quotas.medal = "6"', "units[36].quotas.medal", "应为表 {...}"),
        (
            "competitive = true ",
            "competitve = true ",
            "awards[0].competitve",
            "未知的键（拼写错误？）；是否要找 competitive？",
        ),
    ],
)
def test_a_wrong_type_is_located_at_its_key(old: str, new: str, path: str, message: str) -> None:
    bad = edit(ZZ_TEXT, old, new)
    p = the_problem(bad)
    assert (p.path, p.message) == (path, message)
    assert p.line == line_of(bad, new.strip())
    assert str(p) == f"{ZZ_FILE}:{p.line}: {path}: {message}"


def test_an_unknown_category_in_a_pool_selector_lists_the_known_ones() -> None:
    bad = edit(ZZ_TEXT, 'where = { category = ["机关和事业单位科级领导干部"] }', 'where = { category = ["科级干部"] }')
    p = the_problem(bad)
    assert p.path == "pools[0].where.category"
    assert p.line == line_of(bad, '"科级干部"')
    assert p.message.startswith("未知取值 “科级干部”（可选：")
    assert "机关和事业单位科级领导干部" in p.message


def test_an_unknown_category_in_a_proportion_and_a_sub_quota_kind() -> None:
    bad = edit(
        ZZ_TEXT,
        'where = { category = ["一线科教人员"] }\nmin_pct = 20',
        'where = { category = ["科教"] }\nmin_pct = 20',
    )
    bad = edit(bad, 'where = { category = ["农民工"] }\n[awards', 'where = { category = ["民工"] }\n[awards')
    found = {(p.path, p.line) for p in problems(bad)}
    assert found == {
        ("awards[1].reserved.migrant.where.category", line_of(bad, '["民工"]')),
        ("proportions[3].where.category", line_of(bad, '["科教"]')),
    }


def test_an_unknown_field_in_an_eligibility_rule() -> None:
    bad = edit(ZZ_TEXT, "when = { union_ok = [", "when = { union = [")
    p = the_problem(bad)
    assert (p.path, p.message, p.line) == (
        "eligibility[1].when.union",
        "未知字段 “union”；是否要找 union_ok？",
        line_of(bad, "{ union = ["),
    )


def test_sub_quotas_that_do_not_fit_their_cap() -> None:
    bad = edit(
        ZZ_TEXT,
        "quotas.medal = { cap = 6, industrial = 4, scitech = 1 }",
        "quotas.medal = { cap = 6, industrial = 5, scitech = 2 }",
    )
    found = problems(bad)
    assert [(p.path, p.message) for p in found if p.path.startswith("units[0]")] == [
        ("units[0].quotas.medal", "预留名额合计 7，超过上限 6")
    ]
    assert found[0].line == line_of(bad, "industrial = 5, scitech = 2")


def test_a_nested_sub_quota_larger_than_its_parent() -> None:
    old = "quotas.pioneer = { cap = 3, enterprise = { count = 2, nonpublic = 1 } }"
    bad = edit(ZZ_TEXT, old, old.replace("nonpublic = 1", "nonpublic = 3"))
    p = the_problem(bad)
    assert (p.path, p.message) == ("units[9].quotas.pioneer.enterprise", "预留名额合计 3，超过上限 2")
    assert p.line == line_of(bad, "nonpublic = 3")


def test_a_nested_sub_quota_that_can_never_be_filled() -> None:
    bad = edit(
        ZZ_TEXT,
        "quotas.medal = { cap = 6, frontline = 6 }",
        "quotas.medal = { cap = 6, industrial = { count = 4, scitech = 1 } }",
    )
    p = the_problem(bad)
    assert p.path == "units[36].quotas.medal.industrial.scitech"
    assert "没有交集" in p.message
    assert p.line == line_of(bad, "industrial = { count = 4, scitech = 1 }")


def test_allocations_whose_sum_differs_from_the_award_total() -> None:
    bad = edit(ZZ_TEXT, "quotas.medal = { cap = 6, frontline = 6 }", "quotas.medal = { cap = 7, frontline = 6 }")
    p = the_problem(bad)
    assert (p.path, p.message) == ("units", "郑州市五一劳动奖章：各单位名额合计 121，与总数 120 不符")
    assert p.line == line_of(bad, "[[units]]")


def test_an_office_adding_a_zhangjiakou_allocation_that_misses_the_totals() -> None:
    units = """
[[units]]
name = "桥东区"
quotas.model = { cap = 100 }
quotas.worker = 40
quotas.collective = 100

[[units]]
name = "桥西区"
quotas.model = 9
"""
    found = problems(ZJK_TEXT + units, "zhangjiakou-2025.toml")
    assert [str(p) for p in found] == [
        f"zhangjiakou-2025.toml:{line_of(ZJK_TEXT + units, '[[units]]')}: units: "
        "张家口市劳动模范：各单位名额合计 109，与总数 110 不符"
    ]
    fixed = (ZJK_TEXT + units).replace("quotas.model = 9", "quotas.model = 10")
    assert [u.quotas["model"].cap for u in parse(fixed).units] == [100, 10]


def test_duplicate_units() -> None:
    bad = edit(ZZ_TEXT, 'name = "郑煤集团"', 'name = "长铝公司"')
    p = the_problem(bad)
    assert (p.path, p.message) == ("units[25].name", "推荐单位 “长铝公司” 重复（另见 units[24]）")
    assert p.line == line_of(bad, 'name = "长铝公司"', nth=1)


def test_an_unknown_reserved_kind_lists_the_known_ones() -> None:
    bad = edit(ZZ_TEXT, "quotas.medal = { cap = 1, frontline = 1 }", "quotas.medal = { cap = 1, frontlne = 1 }")
    p = the_problem(bad)
    assert p.path == "units[35].quotas.medal.frontlne"
    assert (
        p.message
        == "未知的预留类别 “frontlne”（郑州市五一劳动奖章 可用：industrial、scitech、migrant、np_migrant、frontline）"
    )
    assert p.line == line_of(bad, "frontlne = 1")


def test_overlapping_sibling_sub_quotas_must_be_nested() -> None:
    bad = edit(
        ZZ_TEXT,
        "quotas.medal = { cap = 4, frontline = 4 }",
        "quotas.medal = { cap = 4, frontline = 2, industrial = 2 }",
    )
    p = the_problem(bad)
    assert (p.path, p.message) == (
        "units[23].quotas.medal.industrial",
        "与同级预留类别 “frontline” 有重叠：请改为嵌套（其中）",
    )
    assert p.line == line_of(bad, "frontline = 2, industrial = 2")
    # the nested form is accepted: 一线职工 4, of which 产业工人 2
    nested = edit(
        ZZ_TEXT,
        "quotas.medal = { cap = 4, frontline = 4 }",
        "quotas.medal = { cap = 4, frontline = { count = 4, industrial = 2 } }",
    )
    assert parse(nested).unit("市机关工会").quotas["medal"].reserved[0].children[0].count == 2


def test_every_problem_is_reported_at_once() -> None:
    bad = edit(ZZ_TEXT, 'name = "郑煤集团"', 'name = "长铝公司"')
    bad = edit(bad, "quotas.medal = { cap = 1, frontline = 1 }", "quotas.medal = { cap = 1, frontlne = 1 }")
    bad = edit(bad, "quotas.medal = { cap = 6, frontline = 6 }", "quotas.medal = { cap = 7, frontline = 6 }")
    assert [p.path for p in problems(bad)] == ["units[25].name", "units[35].quotas.medal.frontlne", "units"]


def test_a_problem_string_without_a_line_still_names_the_file_and_key() -> None:
    bad = edit(ZZ_TEXT, 'office = "郑州市总工会劳动和经济工作部"\n', "")
    p = the_problem(bad)
    assert str(p) == f"{ZZ_FILE}: office: 缺少此项"


# --------------------------------------------------------------------------- files on disk


def test_a_file_is_loaded_by_path_and_named_in_its_problems(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text(ZZ_TEXT, encoding="utf-8")
    assert isinstance(load_path(good), Campaign)
    assert load(str(good)).digest == load_builtin("zhengzhou-2024").digest
    bad = tmp_path / "bad.toml"
    bad.write_text(edit(ZZ_TEXT, "total = 120", 'total = "120"'), encoding="utf-8")
    with pytest.raises(DefinitionError) as info:
        load_path(bad)
    assert str(info.value).startswith(f"{bad}:44: awards[1].total: ")


def test_a_utf8_file_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + ZZ_TEXT.encode())
    assert load_path(path).id == "zhengzhou-2024"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "无法读取文件"),
        (ZZ_TEXT.encode("gb18030"), "不是 UTF-8 编码"),
        (b"#" * 5_000_001, "文件过大"),
    ],
)
def test_unreadable_files_are_problems_not_tracebacks(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "campaign.toml"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DefinitionError) as info:
        load_path(path)
    (p,) = info.value.problems
    assert p.source == str(path)
    assert p.message.startswith(message)


def test_a_sub_quota_kind_is_found_under_its_own_table_header() -> None:
    bad = edit(ZZ_TEXT, 'where = { category = ["一线科教人员"] }\n[awards', 'where = { category = ["科教"] }\n[awards')
    p = the_problem(bad)
    assert p.path == "awards[1].reserved.scitech.where.category"
    # not the first `scitech =` of the allocation table further down
    assert p.line == line_of(bad, '["科教"]') < line_of(bad, "[[units]]")


def test_an_element_of_an_inline_array_is_located_on_its_own_line() -> None:
    bad = edit(ZJK_TEXT, '{ title = "职称", source = "title" }', '{ title = "职称", source = "titel" }')
    p = the_problem(bad, "zhangjiakou-2024.toml")
    assert (p.path, p.message) == ("tables[1].columns[7].source", "未知数据来源 “titel”")
    assert p.line == line_of(bad, '"titel"')

    bad = edit(ZJK_TEXT, '"skill_level", "org_type", "ownership"', '"skill_level", "org_typ", "ownership"')
    p = the_problem(bad, "zhangjiakou-2024.toml")
    assert (p.path, p.message, p.line) == (
        "awards[0].fields[9]",
        "未定义的字段 “org_typ”；是否要找 org_type？",
        line_of(bad, '"org_typ"'),
    )


def test_a_division_sum_that_misses_the_award_total() -> None:
    bad = edit(ZJK_TEXT, "total = 15", "total = 16")
    p = the_problem(bad, "zhangjiakou-2024.toml")
    assert (p.path, p.message) == ("awards[0].divisions", "各部分合计 111，与奖项总数 110 不符")
    assert p.line == line_of(bad, "[[awards.divisions]]")


def test_reading_stops_at_the_size_limit_even_for_an_endless_file() -> None:
    with pytest.raises(DefinitionError) as info:
        load_path(Path("/dev/zero"))
    assert info.value.problems[0].message.startswith("文件过大")


def test_a_directory_or_a_nul_in_the_path_is_a_problem(tmp_path: Path) -> None:
    for path in (tmp_path, Path("bad\0name.toml")):
        with pytest.raises(DefinitionError) as info:
            load_path(path)
        assert info.value.problems[0].message.startswith("无法读取文件")


@pytest.mark.parametrize(
    "text",
    [
        "x = " + "[" * 5000 + "]" * 5000,
        "x = " + "{ a = " * 3000 + "1" + " }" * 3000,
        'id = "x"\n' + "a" + ".a" * 100_000 + " = 1",  # tomllib would need gigabytes for this one
    ],
)
def test_pathologically_nested_text_is_refused_quickly(text: str) -> None:
    with pytest.raises(DefinitionError) as info:
        parse(text, "deep.toml")
    assert "过深" in str(info.value)


def test_a_string_with_many_dots_is_not_a_deep_key() -> None:
    bad = edit(ZZ_TEXT, 'office = "郑州市总工会劳动和经济工作部"', 'office = "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s"')
    assert parse(bad).office.startswith("a.b.c")


def test_a_question_asked_only_after_an_answer_must_follow_that_question_in_every_award() -> None:
    bad = edit(ZZ_TEXT, 'when_answered = ["title"]', 'when_answered = ["deeds"]')
    found = {(p.path, p.message) for p in problems(bad)}
    assert ("awards[1].fields[7]", "“title_level” 的显示条件依赖后面的字段 “deeds”") in found


def test_a_question_asked_only_after_a_question_its_award_lacks_is_a_problem() -> None:
    bad = edit(ZZ_TEXT, 'when_answered = ["title"]', 'when_answered = ["team_name"]')
    found = {(p.path, p.message) for p in problems(bad)}
    assert ("awards[1].fields[7]", "“title_level” 的显示条件依赖本奖项没有的字段 “team_name”") in found


def test_an_unknown_key_in_when_answered_is_refused_by_the_schema() -> None:
    bad = edit(ZZ_TEXT, 'when_answered = ["title"]', 'when_answered = ["Title"]')
    assert any(p.path.startswith("fields.title_level.when_answered") for p in problems(bad))
