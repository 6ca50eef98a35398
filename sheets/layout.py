"""Shared styling of every exported sheet, for print: a merged title, thin borders, column widths,
wrapped text, a frozen header, A4 fitted to the page width, header rows repeated on each page —
and safe cell writing.

Sheets are written in openpyxl's write-only mode (rows streamed to the file, constant memory) with
styled cells: one prototype cell per column is styled once and reused for every row, so a styled
row costs about what an unstyled one does (``bench/bench_export.py``).

Safe cells (:func:`put`): a text is always a string cell (``t="inlineStr"``), never a formula —
a value starting with ``=`` would otherwise be stored as one — and a text starting with
``= + - @`` gets Excel's quote prefix, so that editing the cell later keeps it literal too. ID and
phone numbers are strings, shown with the text number format ``@``: never ``1.1e+17``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
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


def literal(value: Any) -> bool:
    """Would this text read as a formula if typed into a cell?"""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def put(cell: Cell, value: Any) -> Cell:
    """``value`` into ``cell``, a text always as a string (never a formula)."""
    cell.value = clean(value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would store "=…" as a formula
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True
    return cell


class StyledCell(Cell):  # type: ignore[misc]  # openpyxl has no type information
    """A prototype cell whose style is fixed once it is set up (:meth:`fix`): the writer asks every
    cell for its style's index, which openpyxl otherwise looks up by hashing the style each time
    — for a 10,000-row table most of the cost of styling it."""

    __slots__ = ("fixed",)

    def __init__(self, ws: Any) -> None:
        super().__init__(ws, row=1, column=1)
        self.fixed: int | None = None

    def fix(self) -> StyledCell:
        self.fixed = super().style_id
        return self

    @property
    def style_id(self) -> int:
        return super().style_id if self.fixed is None else self.fixed

    @property
    def has_style(self) -> bool:
        return True if self.fixed is not None else bool(super().has_style)

    def __repr__(self) -> str:  # said when the writer tries the cell as a value (write-only mode)
        return "<StyledCell>"


def styled(
    ws: Any,
    *,
    font: Font = BODY_FONT,
    alignment: Alignment = CENTER,
    border: bool = True,
    number_format: str | None = None,
    quote: bool = False,
) -> StyledCell:
    """A prototype cell, its style fixed (:class:`StyledCell`)."""
    cell = StyledCell(ws)
    cell.font = font
    cell.alignment = alignment
    if border:
        cell.border = BORDER
    if number_format:
        cell.number_format = number_format
    if quote:
        cell.quotePrefix = True
    return cell.fix()


class Line:
    """Prototype cells for one kind of row, reused for every row of that kind: a plain and a
    quote-prefixed one per column (the latter for a text that starts like a formula)."""

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

    def cells(self, values: Sequence[Any]) -> list[StyledCell]:
        """The prototypes holding ``values`` (valid until the next call: append them at once). A
        text with characters XML cannot hold (control characters) has them replaced by U+FFFD."""
        try:
            return self._cells(values)
        except IllegalCharacterError:
            return self._cells([clean(v) for v in values])

    def _cells(self, values: Sequence[Any]) -> list[StyledCell]:
        out = []
        for i, value in enumerate(values):
            if isinstance(value, str):
                cell = self.quoted[i] if value.startswith(FORMULA_START) else self.plain[i]
                cell.value = value
                cell.data_type = "s"
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
    first = WriteOnlyCell(ws)
    first.font, first.alignment = font, alignment
    if border:
        first.border = BORDER
    put(first, text)
    rest = [styled(ws, font=font, alignment=alignment, border=border) for _ in range(ncols - 1)]
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
    "literal",
    "print_setup",
    "put",
    "sheet_name",
    "styled",
    "widths",
    "workbook",
]
