"""Shared styling of every exported sheet, for print: a merged title, thin borders, column widths,
wrapped text, a frozen header, A4 fitted to the page width, header rows repeated on each page —
and safe cell writing.

Sheets are written through openpyxl's public API only, in write-only mode: every cell is a
``WriteOnlyCell`` of a named style (:func:`style`: registered once per workbook, assigned by
name), and a table's rows reuse one styled cell per column (:class:`Line`), given each row's
values in turn. No private name of openpyxl, no XML of our own: what openpyxl writes is the file.
It costs time — about twice openpyxl's unstyled write-only mode for a 10,000-row table
(``bench/bench_export.py``) — which we pay for a library that keeps the format right.

Safe cells (:func:`put`, :meth:`Line.cells`): a text is always a string cell (``t="inlineStr"``),
never a formula — a value starting with ``=`` would otherwise be stored as one — and a text
starting with ``= + - @`` gets Excel's quote prefix, so that editing the cell later keeps it
literal too. ID and phone numbers are strings, shown with the text number format ``@``: never
``1.1e+17``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from copy import copy
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties

FORMULA_START = ("=", "+", "-", "@")
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what XML 1.0 cannot hold
FONT = "宋体"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TITLE_FONT = Font(name=FONT, size=16, bold=True)
HEAD_FONT = Font(name=FONT, size=11, bold=True)
BODY_FONT = Font(name=FONT, size=10)
LINE_FONT = Font(name=FONT, size=11)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
TEXT_FORMAT = "@"
MAX_WIDTH = 60.0  # characters; longer texts wrap
SHEET_NAME_MAX = 31  # Excel's limit
SHEET_NAME_BAD = str.maketrans({c: "_" for c in "[]:*?/\\"})


def workbook() -> Workbook:
    """A write-only workbook (no default sheet)."""
    return Workbook(write_only=True)


def sheet_name(name: str, taken: set[str]) -> str:
    """``name`` as Excel allows it (31 characters, none of ``[]:*?/\\``), unique among ``taken``."""
    base = name.translate(SHEET_NAME_BAD).strip("'") or "Sheet"
    candidate, n = base[:SHEET_NAME_MAX], 1
    while candidate.casefold() in {t.casefold() for t in taken}:
        n += 1
        suffix = f"({n})"
        candidate = base[: SHEET_NAME_MAX - len(suffix)] + suffix
    taken.add(candidate)
    return candidate


def put(cell: Cell, value: Any) -> Cell:
    """``value`` into ``cell``, a text always as a string (never a formula)."""
    cell.value = clean(value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would store "=…" as a formula
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True
    return cell


def style(
    ws: Any,
    *,
    font: Font = BODY_FONT,
    alignment: Alignment = CENTER,
    border: bool = True,
    number_format: str | None = None,
) -> str:
    """The name of the workbook's named style of these properties, registered with the workbook
    the first time it is asked for (e.g. ``"宋体 10, center/center, wrap, border"``). A cell takes it
    by name (``cell.style = name``): one look-up instead of adding a font, a border and an
    alignment to the workbook's style tables for every cell."""
    bold = " bold" if font.b else ""
    name = f"{font.name} {font.sz:g}{bold}, {alignment.horizontal}/{alignment.vertical}"
    name += ", wrap" if alignment.wrap_text else ""
    name += ", border" if border else ""
    name += f", {number_format}" if number_format else ""
    wb = ws.parent
    if name not in wb.named_styles:
        named = NamedStyle(name=name, font=copy(font), alignment=copy(alignment))
        if border:
            named.border = copy(BORDER)
        if number_format:
            named.number_format = number_format
        wb.add_named_style(named)
    return name


def styled(
    ws: Any,
    *,
    font: Font = BODY_FONT,
    alignment: Alignment = CENTER,
    border: bool = True,
    number_format: str | None = None,
    quote: bool = False,
) -> WriteOnlyCell:
    """An empty cell of the named style of these properties (:func:`style`), quote-prefixed when
    ``quote``."""
    cell = WriteOnlyCell(ws)
    cell.style = style(ws, font=font, alignment=alignment, border=border, number_format=number_format)
    if quote:
        cell.quotePrefix = True
    return cell


class Line:
    """The cells of one kind of row, styled once and given each row's values in turn: a plain and
    a quote-prefixed cell per column (the latter for a text that starts like a formula). A
    write-only sheet writes a row as it is appended ("writing rows just in time", openpyxl's
    documentation), so the same cells serve the next row."""

    def __init__(
        self,
        ws: Any,
        n: int,
        *,
        font: Font = BODY_FONT,
        alignments: Sequence[Alignment] | None = None,
        text: Iterable[int] = (),
        border: bool = True,
    ) -> None:
        text = set(text)
        aligns = list(alignments) if alignments is not None else [CENTER] * n
        self.plain = [
            styled(ws, font=font, alignment=aligns[i], border=border, number_format=TEXT_FORMAT if i in text else None)
            for i in range(n)
        ]
        self.quoted = [
            styled(ws, font=font, alignment=aligns[i], border=border, number_format=TEXT_FORMAT, quote=True)
            for i in range(n)
        ]

    def cells(self, values: Sequence[Any]) -> list[WriteOnlyCell]:
        """The row's cells holding ``values`` (valid until the next call: append them at once). A
        text with characters XML cannot hold (control characters) has them replaced by U+FFFD."""
        try:
            return self._cells(values)
        except IllegalCharacterError:
            return self._cells([clean(v) for v in values])

    def _cells(self, values: Sequence[Any]) -> list[WriteOnlyCell]:
        out = []
        for i, value in enumerate(values):
            if isinstance(value, str):
                cell = self.quoted[i] if value.startswith(FORMULA_START) else self.plain[i]
                cell.value = value
                cell.data_type = "s"  # openpyxl would store "=…" as a formula
            else:
                cell = self.plain[i]
                cell.value = value
            out.append(cell)
        return out


def clean(value: Any) -> Any:
    return ILLEGAL.sub("\ufffd", value) if isinstance(value, str) else value


def widths(
    ws: Any, columns: Sequence[str], rows: Sequence[Sequence[Any]], long: Iterable[int] = (), sample: int = 200
) -> list[float]:
    """Column widths in characters from the header and the first ``sample`` rows (a CJK
    character counts two), between 6 and :data:`MAX_WIDTH`; long-text columns get the maximum.
    Set on ``ws`` before any row is written (write-only mode)."""
    long = set(long)
    out: list[float] = []
    for i, title in enumerate(columns):
        if i in long:
            w = MAX_WIDTH
        else:
            longest = max(
                [_display(title) / 2 + 1] + [_display(r[i]) for r in rows[:sample] if i < len(r) and r[i] is not None]
            )
            w = min(MAX_WIDTH, max(6.0, longest + 2))
        out.append(w)
        ws.column_dimensions[get_column_letter(i + 1)].width = w
    return out


def _display(value: Any) -> float:
    text = str(value)
    return float(sum(2 if ord(ch) > 0x2E80 else 1 for ch in text))


def print_setup(ws: Any, *, landscape: bool = True, title_rows: str | None = None, freeze: str | None = None) -> None:
    """A4, landscape (or portrait), fitted to one page wide, ``title_rows`` ("3:3") on every page."""
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.5, header=0.3, footer=0.3)
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows
    if freeze:
        ws.freeze_panes = freeze


def banner(
    ws: Any,
    row: int,
    ncols: int,
    text: str,
    *,
    font: Font = TITLE_FONT,
    alignment: Alignment = CENTER,
    height: float | None = None,
    border: bool = False,
) -> None:
    """A row of one text merged across ``ncols`` columns (title, 填报单位 line, signatures)."""
    if height is not None:
        ws.row_dimensions[row].height = height
    first = styled(ws, font=font, alignment=alignment, border=border)
    put(first, text)
    # the merged cells only need a cell each for the border: without one, nothing to write
    rest = [styled(ws, font=font, alignment=alignment, border=True) if border else None for _ in range(ncols - 1)]
    ws.append([first, *rest])
    if ncols > 1:
        ws.merged_cells.add(f"A{row}:{get_column_letter(ncols)}{row}")


__all__ = [
    "BODY_FONT",
    "BORDER",
    "CENTER",
    "FORMULA_START",
    "HEAD_FONT",
    "LEFT",
    "LINE_FONT",
    "TITLE_FONT",
    "Line",
    "banner",
    "print_setup",
    "put",
    "sheet_name",
    "style",
    "styled",
    "widths",
    "workbook",
]
