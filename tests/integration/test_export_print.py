"""The exports printed: LibreOffice renders each layout to PDF (A4 landscape for the tables, fitted
to the width with the column headers on every page; portrait, one page per person, for the
签署意见表)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.printed import MISSING, samples, to_pdf

pytestmark = pytest.mark.skipif(
    bool(MISSING), reason=f"needs {', '.join(MISSING)} (apt-get install libreoffice-calc-nogui poppler-utils)"
)

A4 = (841.9, 595.3)  # points, landscape


def _a4(size: tuple[float, float], landscape: bool) -> bool:
    w, h = size
    want = A4 if landscape else (A4[1], A4[0])
    return abs(w - want[0]) < 2 and abs(h - want[1]) < 2


def test_every_layout_prints_on_a4_in_its_orientation_with_headers_on_every_page(tmp_path: Path) -> None:
    files = samples(120)
    medal = to_pdf(files["郑州奖章情况汇总表"], tmp_path, "medal")
    assert medal.pages >= 2 and all(_a4(s, landscape=True) for s in medal.sizes)
    assert "2024年郑州市五一劳动奖章推荐对象情况汇总表" in medal.text(1)
    last = medal.text(medal.pages)
    assert "序号" in last and "工作单位及职务" in last  # the column headers repeated
    assert "推荐单位领导（签名）" in last  # signatures and seal after the last row
    for page in range(1, medal.pages + 1):  # fitted to the width: every column on every page
        assert "备注" in medal.text(page)

    zjk = to_pdf(files["附件3-张家口劳模汇总表"], tmp_path, "zjk")
    assert all(_a4(s, landscape=True) for s in zjk.sizes)
    assert "填报单位：桥西区" in zjk.text(1) and "人员结构" in zjk.text(1)

    forms = to_pdf(files["签署意见表"], tmp_path, "forms")
    assert forms.pages == 3 and all(_a4(s, landscape=False) for s in forms.sizes)
    assert "纪检监察部门意见" in forms.text(2) and "王2" in forms.text(2)

    for name in ("公示名单", "名额分配表", "郑州先锋号情况汇总表"):
        printed = to_pdf(files[name], tmp_path, name)
        assert printed.pages >= 1 and all(_a4(s, landscape=True) for s in printed.sizes), name
