"""The office's dashboard (core.dashboard) with the notices' own numbers, its reachability at the
edges, and its pages and pictures as the office gets them."""

from __future__ import annotations

import io
import warnings
from datetime import UTC, datetime
from typing import Any, Literal

import pytest
from aiogram.utils.i18n import I18n
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from charts.dashboard import cjk_font, pictures
from core.dashboard import Placed, UnitProgress, dashboard, phase, places_left, verdict
from core.loader import load_builtin
from core.quota import ProportionStatus, required_count
from core.refusals import ReservedOpen
from handlers import dashboard_texts

ZZ = load_builtin("zhengzhou-2024")
ZJK = load_builtin("zhangjiakou-2024")
NOW = datetime(2024, 3, 15, 2, 0, tzinfo=UTC)


def medal(unit: str, category: str, status: str = "saved", **more: Any) -> Placed:
    return Placed(unit, "medal", status, {"category": category, **more})


def open_units() -> list[UnitProgress]:
    return [UnitProgress(u.name, False) for u in ZZ.units]


# --------------------------------------------------------------------------- the notices' numbers


def test_zhengzhou_required_counts_are_the_notices() -> None:
    board = dashboard(ZZ, open_units(), [])
    required = {p.name: (p.bound, p.base, p.required) for p in board.proportions}
    # 郑工办〔2024〕6号: of the 120 medals 一线职工 ≥ 66 (55 %), 产业工人 ≥ 42 (35 %), 科教 ≥ 20 %,
    # 农民工 ≥ 10 %, 科级 ≤ 4 %, 企业负责人 ≤ 6 %; 先锋号 企业班组 ≥ 70 % of 80; 非公 ≥ 25 % of all three
    assert required["奖章：一线产业工人"] == ("min", 120, 42)
    assert required["奖章：一线职工"] == ("min", 120, 66)
    assert required["奖章：科教人员"] == ("min", 120, 24)
    assert required["奖章：农民工"] == ("min", 120, 12)
    assert required["奖章：机关和事业单位科级领导干部"] == ("max", 120, 4)
    assert required["奖章：企业负责人"] == ("max", 120, 7)
    assert required["先锋号：企业一线班组"] == ("min", 80, 56)
    assert required["三项合计：非公有制企业及其职工"] == ("min", 230, 58)
    medal_board = next(a for a in board.awards if a.key == "medal")
    assert (medal_board.standing.total, medal_board.allocated) == (120, 120)  # the table adds up
    assert next(a for a in board.awards if a.key == "pioneer").allocated == 80
    assert {s.limit.name: s.limit.cap for s in medal_board.limits} == {"科级领导干部": 4, "企业负责人": 7}
    assert len(board.units) == 37 and board.phases["not_started"] == 37


def test_zhangjiakou_required_counts_are_the_notices_without_a_unit_allocation() -> None:
    board = dashboard(ZJK, [], [])
    model = next(a for a in board.awards if a.key == "model")
    required = {p.name: (p.bound, p.base, p.required) for p in model.proportions}
    # ≥ 65 % of 95 → 62 frontline/technical, ≤ 15 % → 14 heads; the farmers' 15: ≤ 3, ≤ 3, ≥ 3
    assert required["一线工人和专业技术人员"] == ("min", 95, 62)
    assert required["企业负责人和实际控制人"] == ("max", 95, 14)
    assert required["村“两委”班子成员"] == ("max", 15, 3)
    assert required["规模以上农业生产经营负责人"] == ("max", 15, 3)
    assert required["农民工"] == ("min", 15, 3)
    assert model.allocated is None and model.behind == ()
    assert {s.limit.name: s.limit.cap for s in model.limits} == {"企业职工和其他劳动者": 95, "农民": 15}


def test_a_share_stated_as_a_range_shows_both_bounds_on_its_award() -> None:
    # "应占 20 %" written as min_pct and max_pct together: one definition, two lines on the board
    props = [p.model_copy(update={"max_pct": 25.0}) if p.key == "medal_other_frontline" else p for p in ZZ.proportions]
    board = dashboard(
        ZZ.model_copy(update={"proportions": props}), open_units(), [medal("金水区", "其他一线职工和专业技术人员")]
    )
    medal_board = next(a for a in board.awards if a.key == "medal")
    ranged = [(p.bound, p.required, p.count) for p in medal_board.proportions if p.key == "medal_other_frontline"]
    assert ranged == [("min", 24, 1), ("max", 30, 1)]


def test_units_by_phase_fill_and_furthest_behind() -> None:
    units = [
        UnitProgress("长铝公司", True),  # handed in, both nominees passed
        UnitProgress("金水区", False),  # one of 6 medals entered
        UnitProgress("市文教卫工会", True, (ReservedOpen("medal", "scitech", "一线科教", "sci", 2, 2),)),
        *[UnitProgress(u.name, False) for u in ZZ.units if u.name not in ("长铝公司", "金水区", "市文教卫工会")],
    ]
    placed = [
        medal("长铝公司", "一线产业工人", "accepted"),
        Placed("长铝公司", "pioneer", "accepted", {"org_type": "企业", "ownership": "国有"}),
        medal("金水区", "一线科教人员"),
        medal("市文教卫工会", "其他一线职工和专业技术人员", "submitted"),
    ]
    board = dashboard(ZZ, units, placed)
    assert dict(board.phases) == {"not_started": 34, "in_progress": 1, "submitted": 1, "accepted": 1}
    medal_board = next(a for a in board.awards if a.key == "medal")
    assert medal_board.standing.count == 3
    assert dict(medal_board.phases) == {"not_started": 33, "in_progress": 1, "submitted": 1, "accepted": 1}
    assert medal_board.given_up == 2
    # handed-in units are not behind; among the open ones the emptiest and largest come first
    assert [f.unit for f in medal_board.behind][:3] == [
        "中央、省驻郑单位及其他",
        "市农业交通建设工会",
        "经济技术开发区",
    ]
    assert "长铝公司" not in [f.unit for f in medal_board.behind]
    rows = {r.name: r for r in board.units}
    assert (rows["长铝公司"].used, rows["长铝公司"].cap, rows["长铝公司"].phase) == (2, 2, "accepted")
    assert (rows["金水区"].used, rows["金水区"].cap) == (1, 8)
    assert rows["市文教卫工会"].given_up[0].open == 2
    # no places of an award: not counted among its units
    pioneer = next(a for a in board.awards if a.key == "pioneer")
    assert sum(pioneer.phases.values()) == sum(
        1 for u in ZZ.units if u.quotas.get("pioneer", None) and u.quotas["pioneer"].cap
    )


def test_a_unit_phase_follows_its_list() -> None:
    assert phase(False, []) == "not_started"
    assert phase(False, ["saved", "accepted"]) == "in_progress"  # reopened: open again
    assert phase(True, []) == "submitted"  # handed in empty: every place given up
    assert phase(True, ["accepted", "returned"]) == "submitted"  # a returned nominee is not passed
    assert phase(True, ["accepted", "approved"]) == "accepted"


# --------------------------------------------------------------------------- reachability at the edges


def status(bound: Literal["min", "max"], pct: float, base: int, count: int, scope: int) -> ProportionStatus:
    return ProportionStatus("k", "n", "n", bound, pct, base, count, required_count(pct, base, bound), scope)


def test_a_minimum_reachable_with_exactly_the_places_left_and_not_one_fewer() -> None:
    # ≥ 35 % of 120 = 42: 40 in, 118 places taken → 2 left: just reachable; 119 taken → 1 left: not
    assert verdict(status("min", 35, 120, 40, 118)) == "reachable"
    assert places_left(status("min", 35, 120, 40, 118)) == 2
    assert verdict(status("min", 35, 120, 40, 119)) == "unreachable"
    assert verdict(status("min", 35, 120, 42, 120)) == "met"  # full and met


def test_a_maximum_is_met_up_to_its_count_and_lost_one_beyond() -> None:
    assert verdict(status("max", 6, 120, 7, 7)) == "met"
    assert verdict(status("max", 6, 120, 8, 8)) == "unreachable"
    assert verdict(status("max", 4, 120, 0, 120)) == "met"


def test_a_competitive_award_over_its_places_leaves_none() -> None:
    # 奖状: 36 nominations for 30 places; ≥ 50 % enterprises = 15
    assert places_left(status("min", 50, 30, 10, 36)) == 0
    assert verdict(status("min", 50, 30, 10, 36)) == "unreachable"


@given(
    bound=st.sampled_from(["min", "max"]),
    pct=st.integers(1, 100),
    base=st.integers(1, 300),
    data=st.data(),
)
def test_reachable_means_the_places_left_could_still_meet_the_target(
    bound: Literal["min", "max"], pct: int, base: int, data: st.DataObject
) -> None:
    scope = data.draw(st.integers(0, base + 10))
    count = data.draw(st.integers(0, scope))
    p = status(bound, pct, base, count, scope)
    best = count + places_left(p) if bound == "min" else count  # every place left to it / none of them
    could = best >= p.required if bound == "min" else best <= p.required
    assert (verdict(p) != "unreachable") == could
    assert (verdict(p) == "met") == (count >= p.required if bound == "min" else count <= p.required)


# --------------------------------------------------------------------------- as the office gets it


def busy_zhengzhou() -> tuple[list[UnitProgress], list[Placed]]:
    """Every unit with its places filled and long lists of places given up: the longest text."""
    units, placed = [], []
    for u in ZZ.units:
        gave = tuple(ReservedOpen("medal", f"k{i}", "非公新业态农民工" * 3, "x" * 60, 9, 9) for i in range(4))
        units.append(UnitProgress(u.name, True, gave))
        for key, alloc in u.quotas.items():
            placed += [Placed(u.name, key, "submitted", {"category": "一线产业工人"})] * alloc.cap
    return units, placed


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_page_reaches_telegrams_limit_with_every_zhengzhou_unit(catalogues: I18n, lang: str) -> None:
    units, placed = busy_zhengzhou()
    board = dashboard(ZZ, units, placed)
    with catalogues.use_locale(lang):
        pages = dashboard_texts.pages(ZZ, board, NOW)
    assert len(pages) >= 6
    assert all(len(page) < 4096 for page in pages), [len(p) for p in pages]
    text = "\n".join(pages)
    assert all(u.name in text for u in ZZ.units)  # every unit is on some page


def test_the_pictures_are_pngs_1080_pixels_wide(catalogues: I18n) -> None:
    units, placed = busy_zhengzhou()
    with catalogues.use_locale("zh"):
        panels = dashboard_texts.panels(ZZ, dashboard(ZZ, units, placed))
    for png in pictures(panels):
        with Image.open(io.BytesIO(png)) as image:
            assert image.format == "PNG" and image.width == 1080 and image.height <= 4 * 1080


def test_chinese_is_drawn_with_a_cjk_font_not_as_boxes(catalogues: I18n) -> None:
    if cjk_font() is None:
        pytest.skip("no CJK font installed (Debian: apt-get install fonts-noto-cjk); Chinese would be boxes")
    with catalogues.use_locale("zh"):
        panels = dashboard_texts.panels(ZZ, dashboard(ZZ, open_units(), [medal("金水区", "农民工")]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pictures(panels)
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert missing == []


def test_without_a_cjk_font_the_picture_still_renders(catalogues: I18n, monkeypatch: pytest.MonkeyPatch) -> None:
    import charts.dashboard as chart

    monkeypatch.setattr(chart, "cjk_font", lambda: None)
    with catalogues.use_locale("zh"):
        panels = dashboard_texts.panels(ZZ, dashboard(ZZ, open_units(), []))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert all(png.startswith(b"\x89PNG") for png in pictures(panels))
    # boxes for Chinese, and matplotlib says so: what the test above would catch
    assert any("missing from font" in str(w.message) for w in caught)
