"""The exports, laid out for print: a summary table (汇总表), the 公示 list, the 相关部门签署意见表
(a sheet per individual), the allocation table with places used and left, and the photos as zips.

Each function takes the rows :mod:`core.tables` built and returns the file's bytes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from core.campaign import OpinionForm
from core.tables import AllocationRows, Opinion, Rows
from sheets.layout import (
    CENTER,
    HEAD_FONT,
    LEFT,
    LINE_FONT,
    TITLE_FONT,
    Line,
    banner,
    print_setup,
    sheet_name,
    widths,
    workbook,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TELEGRAM_DOCUMENT_MAX = 50 * 1024 * 1024  # a bot may send documents of up to 50 MB
BOTTOM_RIGHT = Alignment(horizontal="right", vertical="bottom", wrap_text=True)
TOP_LEFT = Alignment(horizontal="left", vertical="top", wrap_text=True)


def _save(wb: Any) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _table(wb: Any, rows: Rows, taken: set[str], name: str | None = None) -> None:
    """One table on its own sheet: title, the 填报单位 line, the column headers (repeated on every
    printed page, frozen on screen), one bordered row per record, then the footer."""
    ws = wb.create_sheet(sheet_name(name or rows.title, taken))
    n = len(rows.columns)
    widths(ws, rows.columns, rows.rows, rows.long_columns)
    head_row = 3 if rows.header else 2
    print_setup(ws, landscape=True, title_rows=f"{head_row}:{head_row}", freeze=f"A{head_row + 1}")
    banner(ws, 1, n, rows.title, font=TITLE_FONT, height=36)
    if rows.header:
        banner(ws, 2, n, rows.header, font=LINE_FONT, alignment=LEFT, height=24)
    ws.row_dimensions[head_row].height = 36
    ws.append(Line(ws, n, font=HEAD_FONT).cells(rows.columns))
    aligns = [LEFT if i in rows.long_columns else CENTER for i in range(n)]
    body = Line(ws, n, alignments=aligns, text=rows.text_columns)
    for values in rows.rows:
        ws.append(body.cells(values))
    if rows.footer:
        banner(ws, head_row + len(rows.rows) + 1, n, rows.footer, font=LINE_FONT, alignment=LEFT, height=48)


def summary_xlsx(rows: Rows) -> bytes:
    """A summary table (附件2/附件3, 情况汇总表) as an .xlsx of one sheet."""
    wb = workbook()
    _table(wb, rows, set())
    return _save(wb)


def publicity_xlsx(lists: Sequence[Rows]) -> bytes:
    """The 公示 lists, a sheet per award (one empty sheet saying so when nothing may be published)."""
    wb = workbook()
    taken: set[str] = set()
    for rows in lists:
        _table(wb, rows, taken)
    if not lists:
        ws = wb.create_sheet("公示名单")
        banner(ws, 1, 1, "没有可公示的推荐对象")
    return _save(wb)


def opinions_xlsx(form: OpinionForm, items: Sequence[Opinion]) -> bytes:
    """One 相关部门签署意见表 per individual, each on its own sheet (姓名-单位), A4 portrait:
    the title, 姓名 and 单位及职务 filled in, a box per department to sign, date and stamp."""
    wb = workbook()
    taken: set[str] = set()
    for item in items:
        ws = wb.create_sheet(sheet_name(f"{item.name}-{item.unit}", taken))
        for col, w in zip("ABCD", (16, 24, 24, 24), strict=True):
            ws.column_dimensions[col].width = w
        print_setup(ws, landscape=False)
        row = 1
        for line in form.title.split("\n"):
            banner(ws, row, 4, line, height=30)
            row += 1
        ws.row_dimensions[row].height = 40
        label = Line(ws, 4, font=LINE_FONT)
        ws.append(label.cells(["姓名", item.name, "单位及职务", item.position]))
        row += 1
        box = Line(ws, 4, font=LINE_FONT, alignments=[CENTER, BOTTOM_RIGHT, BOTTOM_RIGHT, BOTTOM_RIGHT])
        for department in form.departments:
            ws.row_dimensions[row].height = 170
            ws.append(box.cells([department, "（盖  章）\n\n年    月    日", None, None]))
            ws.merged_cells.add(f"B{row}:D{row}")
            row += 1
        if form.note:
            banner(ws, row, 4, form.note, font=LINE_FONT, alignment=TOP_LEFT, height=64)
    if not items:
        ws = wb.create_sheet("签署意见表")
        banner(ws, 1, 1, "没有个人推荐对象")
    return _save(wb)


def allocation_xlsx(table: AllocationRows) -> bytes:
    """The allocation table as the notice's 附件 lays it out — 序号, 单位, then per award its
    allocation — with 已用 and 剩余 beside each allocated number (two header rows: the award over
    its three columns); the city-wide pools below."""
    wb = workbook()
    ws = wb.create_sheet(sheet_name("名额分配表", set()))
    n = 2 + 3 * len(table.awards)
    parts = ["分配名额", "已用", "剩余"] * len(table.awards)
    widths(ws, ["序号", "单位", *parts], [*table.rows, table.total])
    print_setup(ws, landscape=True, title_rows="2:3", freeze="C4")
    banner(ws, 1, n, table.title, height=36)
    head = Line(ws, n, font=HEAD_FONT)
    ws.row_dimensions[2].height = 30
    ws.append(head.cells(["序号", "单位", *(a if i % 3 == 0 else None for a in table.awards for i in range(3))]))
    ws.append(head.cells([None, None, *parts]))
    ws.merged_cells.add("A2:A3")
    ws.merged_cells.add("B2:B3")
    for k in range(len(table.awards)):
        first = 3 + 3 * k
        ws.merged_cells.add(f"{get_column_letter(first)}2:{get_column_letter(first + 2)}2")
    body = Line(ws, n)
    for values in table.rows:
        ws.append(body.cells(values))
    ws.append(head.cells(table.total))
    if table.pools:
        pool_line = Line(ws, 5)
        ws.append(head.cells(["", "全市统筹名额", "名额", "已用", "剩余"]))
        for i, (name, cap, used, left) in enumerate(table.pools, 1):
            ws.append(pool_line.cells([i, name, cap, used, left]))
    return _save(wb)


# --------------------------------------------------------------------------- photos


@dataclass(frozen=True)
class PhotoFile:
    unit: str
    name: str
    data: bytes  # a JPEG within the campaign's pixel limit


_BAD_IN_NAME = str.maketrans({c: "_" for c in '/\\:*?"<>|\0'})


def photo_zips(
    photos: Sequence[PhotoFile], stem: str, max_bytes: int = TELEGRAM_DOCUMENT_MAX
) -> list[tuple[str, bytes]]:
    """The photos as zips of JPEGs named ``单位-姓名.jpg`` (a second of the same name gets ``(2)``),
    each zip at most ``max_bytes`` (split as needed: ``stem-1.zip``, ``stem-2.zip``; one part is
    ``stem.zip``). JPEGs are stored, not compressed again (it would gain nothing)."""
    parts: list[list[tuple[str, bytes]]] = [[]]
    size = 22  # the end-of-central-directory record
    seen: dict[str, int] = {}
    for photo in photos:
        base = f"{photo.unit}-{photo.name}".translate(_BAD_IN_NAME)
        seen[base] = seen.get(base, 0) + 1
        filename = f"{base}.jpg" if seen[base] == 1 else f"{base}({seen[base]}).jpg"
        cost = len(photo.data) + 2 * len(filename.encode()) + 30 + 46 + 16  # headers, central record
        if parts[-1] and size + cost > max_bytes:
            parts.append([])
            size = 22
        parts[-1].append((filename, photo.data))
        size += cost
    out = []
    for i, files in enumerate(parts, 1):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
            for filename, data in files:
                zf.writestr(filename, data)
        out.append((f"{stem}.zip" if len(parts) == 1 else f"{stem}-{i}.zip", buf.getvalue()))
    return out


__all__ = [
    "TELEGRAM_DOCUMENT_MAX",
    "XLSX",
    "PhotoFile",
    "allocation_xlsx",
    "opinions_xlsx",
    "photo_zips",
    "publicity_xlsx",
    "summary_xlsx",
]
