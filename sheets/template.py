"""The nominee template a clerk fills instead of chatting: one row per nominee, one column per
question of the award's form (core/imports.py ``template_columns``).

Choice questions get a drop-down (a data validation list from a hidden sheet, so long lists such
as the 56 民族 fit); ID and phone columns are formatted as text (``@``), so Excel keeps an ID's 18
digits and a phone's leading 0. A very hidden sheet (``nominee-bot``) says what the workbook is
for — campaign, award, the form's digest — so a random workbook, another award's template or one
made before the form changed is refused with a clear word instead of row after row of errors.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from core.campaign import Campaign
from core.imports import (
    MARKER,
    MARKER_SHEET,
    TEMPLATE_SHEET,
    TemplateRead,
    cell_text,
    form_digest,
    read_template,
    template_columns,
)
from core.sheetproblems import NotOurTemplate, SheetError
from sheets.reading import DEFAULT, Limits, Upload, opened

LISTS_SHEET = "选项"
ROWS = 200  # rows prepared with drop-downs and text format (more may be typed)
TEXT_TYPES = ("id_number", "phone", "text", "longtext", "person_name", "org_name")


@dataclass(frozen=True)
class Marker:
    kind: str  # "nominees" | "allocation"
    campaign: str
    award: str
    digest: str


def write_marker(book: Workbook, kind: str, campaign: str, award: str, digest: str) -> None:
    sheet = book.create_sheet(MARKER_SHEET)
    for ri, (key, value) in enumerate(
        [("marker", MARKER), ("kind", kind), ("campaign", campaign), ("award", award), ("digest", digest)], 1
    ):
        sheet.cell(ri, 1, key)
        sheet.cell(ri, 2, value)
    sheet.sheet_state = "veryHidden"
    sheet.protection.sheet = True


def marker_of(upload: Upload) -> Marker | None:
    """The marker of a workbook made by this bot, or None (no marker sheet, or not ours)."""
    if MARKER_SHEET not in upload.sheet_names:
        return None
    rows = upload.read(MARKER_SHEET)
    values = {cell_text(r[0]): cell_text(r[1]) for r in rows if len(r) >= 2}
    if values.get("marker") != MARKER:
        return None
    return Marker(values.get("kind", ""), values.get("campaign", ""), values.get("award", ""), values.get("digest", ""))


def nominee_template(campaign: Campaign, award_key: str) -> bytes:
    """The .xlsx template of ``award_key``'s nominees for a clerk of ``campaign``."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = TEMPLATE_SHEET
    lists = book.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    award = campaign.award(award_key)
    for ci, col in enumerate(template_columns(campaign, award_key), 1):
        letter = get_column_letter(ci)
        head = sheet.cell(1, ci, col.title)
        head.font = Font(bold=True)
        head.alignment = Alignment(wrap_text=True, vertical="center")
        fdef = campaign.fields.get(col.key)
        options = award.categories if col.key == "category" else (fdef.options if fdef else [])
        sheet.column_dimensions[letter].width = 40 if fdef and fdef.type == "longtext" else max(12, len(col.title) * 2)
        if options:
            for ri, option in enumerate(options, 1):
                lists.cell(ri, ci, option)
            source = f"{quote_sheetname(LISTS_SHEET)}!${letter}$1:${letter}${len(options)}"
            validation = DataValidation(type="list", formula1=source, allow_blank=True)
            validation.error = "请从下拉列表中选择"
            validation.errorTitle = col.title
            validation.prompt = "请从下拉列表中选择"
            validation.showErrorMessage = True
            validation.showInputMessage = True
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{ROWS + 1}")
        elif (fdef and fdef.type in TEXT_TYPES) or col.key.startswith("reason."):
            for ri in range(2, ROWS + 2):
                sheet.cell(ri, ci).number_format = "@"
    sheet.freeze_panes = "A2"
    write_marker(book, "nominees", campaign.id, award_key, form_digest(campaign, award_key))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_marker(data: bytes | Upload, limits: Limits = DEFAULT) -> Marker | None:
    """The marker of an upload (None: not a template of this bot); raises SheetError for a file
    that is no readable workbook."""
    return marker_of(opened(data, limits))


def read_nominees(
    campaign: Campaign, award_key: str, data: bytes | Upload, today: date, limits: Limits = DEFAULT
) -> TemplateRead:
    """The rows of a filled template of ``award_key``, each answered through the intake form.
    Raises SheetError: not a workbook, too large, a formula, not this award's current template,
    a column missing, nothing filled."""
    upload = opened(data, limits)
    marker = marker_of(upload)
    if marker is None or marker.kind != "nominees":
        raise SheetError(NotOurTemplate("none" if marker is None else "kind"))
    if marker.campaign != campaign.id:
        raise SheetError(NotOurTemplate("campaign"))
    if marker.award != award_key:
        raise SheetError(NotOurTemplate("award"))
    if marker.digest != form_digest(campaign, award_key):
        raise SheetError(NotOurTemplate("outdated"))
    return read_template(campaign, award_key, upload.read(TEMPLATE_SHEET), today)


__all__ = ["Marker", "marker_of", "nominee_template", "read_nominees", "template_marker", "write_marker"]
