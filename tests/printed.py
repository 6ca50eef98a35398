"""Exports as they print: the sample workbooks (tests and the README's pictures) and LibreOffice's
PDF of them (``libreoffice-calc-nogui``; poppler-utils reads the PDF)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from core.campaign import Campaign
from core.loader import load_builtin
from core.records import NomineeInfo
from core.tables import Filler, allocation, opinions, publicity, summary
from sheets import exports as sheets
from tests.nominees import id_number, labour_model, person, stored, team

MISSING = [tool for tool in ("soffice", "pdfinfo", "pdftoppm", "pdftotext") if shutil.which(tool) is None]


def samples(n: int = 40) -> dict[str, bytes]:
    """One workbook of each layout: 附件3 (Zhangjiakou individuals), the Zhengzhou medal and
    pioneer tables, the 签署意见表 (3 people), the 公示 list and the allocation table."""
    zz, zjk = load_builtin("zhengzhou-2024"), load_builtin("zhangjiakou-2024")
    now = datetime(2024, 3, 1, tzinfo=UTC)
    units = [u.name for u in zz.units]

    def info(i: int, c: Campaign, unit: str, award: str, answers: dict) -> NomineeInfo:  # type: ignore[type-arg]
        return NomineeInfo(i, c.id, unit, award, "submitted", answers, None, 1, now, now)

    medals = [info(i, zz, units[i % 6], "medal", person(i, "一线产业工人")) for i in range(1, n + 1)]
    teams = [info(1000 + i, zz, units[i % 6], "pioneer", team(i)) for i in range(1, 9)]
    models = [info(i, zjk, "桥西区", "model", stored(labour_model(f"王{i}", id_number(i)))) for i in range(1, n + 1)]
    out = {
        "附件3-张家口劳模汇总表": sheets.summary_xlsx(
            summary(zjk, zjk.tables[1], models, Filler("桥西区", "赵经办", "0313-8012345"), date(2024, 3, 25),
                    city_wide=False)
        ),
        "郑州奖章情况汇总表": sheets.summary_xlsx(
            summary(zz, zz.tables[0], medals, Filler(zz.office, "李经办", "67883217"), date(2024, 3, 1),
                    city_wide=True)
        ),
        "郑州先锋号情况汇总表": sheets.summary_xlsx(
            summary(zz, zz.tables[2], teams, Filler(units[0], "李经办", "67883217"), date(2024, 3, 1),
                    city_wide=False)
        ),
        "签署意见表": sheets.opinions_xlsx(zjk.opinion_form, opinions(zjk, models[:3])),  # type: ignore[arg-type]
        "公示名单": sheets.publicity_xlsx(publicity(zz, [*medals[:6], *teams[:3]], city_wide=True)),
        "名额分配表": sheets.allocation_xlsx(allocation(zz, {}, [("科级领导干部", 4, 1), ("企业负责人", 7, 2)])),
    }  # fmt: skip
    return out


@dataclass(frozen=True)
class Printed:
    pdf: Path
    pages: int
    sizes: list[tuple[float, float]]  # points, per page

    def text(self, page: int) -> str:
        args = ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(self.pdf), "-"]
        return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def to_pdf(xlsx: bytes, workdir: Path, stem: str) -> Printed:
    """LibreOffice's PDF of the workbook (every sheet), with its own profile (runs in parallel)."""
    src = workdir / f"{stem}.xlsx"
    src.write_bytes(xlsx)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
             "--outdir", str(workdir), str(src)],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip
    pdf = workdir / f"{stem}.pdf"
    sizes = []
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "9999", str(pdf)], check=True, capture_output=True, text=True)
    for m in re.finditer(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info.stdout):
        sizes.append((float(m.group(1)), float(m.group(2))))
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))  # type: ignore[union-attr]
    return Printed(pdf, pages, sizes)


def to_png(printed: Printed, out: Path, dpi: int = 70) -> Path:
    """Page 1 of the PDF as ``out`` (a PNG)."""
    stem = out.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(printed.pdf), str(stem)],
        check=True,
    )
    return out
