"""The allocation table (名额分配表) as an Excel file: the template the office fills (the
campaign's units already in it, if it has any) and reading a filled one back.

Layout (core/imports.py): a title row, the header row (序号, 推荐单位, then per allocated award its
name and a ``其中：…`` column per reserved kind), one row per unit, and a 合计 row the office
fills by hand (formulas are refused on upload, so it holds numbers).
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from core.campaign import Campaign
from core.imports import (
    ALLOCATION_SHEET,
    UNIT_HEADER,
    AllocationRead,
    allocation_header,
    allocation_row,
    read_allocation,
)
from core.sheetproblems import NotOurTemplate, SheetError
from sheets.reading import DEFAULT, Limits, Upload, opened
from sheets.template import marker_of, write_marker

TITLE_ROW = 1
HEADER_ROW = 2


def allocation_template(campaign: Campaign) -> bytes:
    """An .xlsx to fill: the header, the campaign's units with their places (none for a campaign
    without units: the office types its units in), and the 合计 row with the awards' totals."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = ALLOCATION_SHEET
    columns = allocation_header(campaign)
    sheet.cell(TITLE_ROW, 1, f"{campaign.name}名额分配表").font = Font(bold=True, size=14)
    for ci, title in enumerate(["序号", UNIT_HEADER, *(c[0] for c in columns)], 1):
        cell = sheet.cell(HEADER_ROW, ci, title)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    row = HEADER_ROW + 1
    for n, unit in enumerate(campaign.units, 1):
        sheet.cell(row, 1, n)
        sheet.cell(row, 2, unit.name).data_type = "s"
        for ci, value in enumerate(allocation_row(campaign, unit), 3):
            if value is not None:
                sheet.cell(row, ci, value)
        row += 1
    if not campaign.units:  # room for the units, numbered
        for n in range(1, 21):
            sheet.cell(row, 1, n)
            row += 1
    sheet.cell(row, 2, "合计").font = Font(bold=True)
    awards = {a.key: a for a in campaign.awards}
    for ci, (_title, award, kind) in enumerate(columns, 3):
        if kind is None:
            sheet.cell(row, ci, awards[award].total).font = Font(bold=True)
    sheet.column_dimensions["B"].width = 28
    for ci in range(3, 3 + len(columns)):
        sheet.column_dimensions[sheet.cell(HEADER_ROW, ci).column_letter].width = 14
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 3)
    write_marker(book, "allocation", campaign.id, "", "")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_allocation_file(campaign: Campaign, data: bytes | Upload, limits: Limits = DEFAULT) -> AllocationRead:
    """A filled table's units, or its problems with their cells. Raises
    :class:`core.sheetproblems.SheetError` for a file that cannot be read as one (not a workbook,
    too large, a formula, no 名额分配表 sheet, a column missing, another campaign's template)."""
    upload = opened(data, limits)
    marker = marker_of(upload)
    if marker is not None and (marker.kind != "allocation" or marker.campaign != campaign.id):
        raise SheetError(NotOurTemplate("kind" if marker.kind != "allocation" else "campaign"))
    return read_allocation(campaign, upload.read(ALLOCATION_SHEET))


def is_allocation(data: bytes | Upload, limits: Limits = DEFAULT) -> bool:
    """Whether an upload looks like an allocation table (it has the sheet); raises SheetError
    for a file that is no readable workbook."""
    return ALLOCATION_SHEET in opened(data, limits).sheet_names


__all__ = ["allocation_template", "is_allocation", "read_allocation_file"]
