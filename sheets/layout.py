"""Shared styling of every exported sheet, for print: a merged title, thin borders, column widths,
wrapped text, a frozen header, A4 fitted to the page width, header rows repeated on each page —
and safe cell writing.

Sheets are written in openpyxl's write-only mode with styled cells: one prototype cell per column
is styled once (:class:`StyledCell`) and reused for every row. A big table's body rows
(:class:`Body`) are then written as sheet XML straight into the saved file (:func:`save`), with the
prototypes' styles: cell by cell through openpyxl a styled 10,000-row table took 1.7× the time of
openpyxl's unstyled write-only mode, this way it takes about a quarter of it
(``bench/bench_export.py``). The tests read every export back with openpyxl and python-calamine.

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
    "print_setup",
    "put",
    "sheet_name",
    "styled",
    "widths",
    "workbook",
]


# --------------------------------------------------------------------------- big tables

_XML_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def cell_xml(ref: str, style: int, value: Any) -> str:
    """One ``<c>`` element as openpyxl's writer would write it: a number as ``n``, a text as an
    inline string (never a formula), nothing but the style for None or ""."""
    if value is None or value == "":
        return f'<c r="{ref}" s="{style}"/>'
    if isinstance(value, bool):
        return f'<c r="{ref}" s="{style}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}" s="{style}" t="n"><v>{value}</v></c>'
    text = ILLEGAL.sub("\ufffd", str(value)).translate(_XML_ESCAPE)
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


class Body:
    """The body rows of a big table, written as sheet XML straight into the saved file (see
    :func:`save`) instead of cell by cell through openpyxl: the cells are the same — the
    prototypes' styles (their ids in the workbook's style table), strings as inline strings,
    quote-prefixed when they start like a formula — at a fraction of the cost.

    ``first``: the sheet row the body starts at (the rows above it written through openpyxl)."""

    def __init__(self, line: Line, first: int, rows: Sequence[Sequence[Any]]) -> None:
        self.plain = [c.style_id for c in line.plain]
        self.quoted = [c.style_id for c in line.quoted]
        self.first = first
        self.rows = rows
        self.tail: list[str] = []  # further rows' XML (a footer), after the body

    def banner(self, ncols: int, text: str, cell: StyledCell, height: float) -> None:
        """A row of one text across ``ncols`` columns after the body (merge it on the sheet)."""
        r = self.first + len(self.rows)
        cells = "".join(cell_xml(f"{get_column_letter(i + 1)}{r}", cell.style_id, text if i == 0 else None)
                        for i in range(ncols))  # fmt: skip
        self.tail.append(f'<row r="{r}" ht="{height}" customHeight="1">{cells}</row>')

    def xml(self, batch: int = 500) -> Iterable[str]:
        letters = [get_column_letter(i + 1) for i in range(max((len(r) for r in self.rows), default=0))]
        out: list[str] = []
        for n, values in enumerate(self.rows, self.first):
            cells = []
            for i, value in enumerate(values):
                quoted = isinstance(value, str) and value.startswith(FORMULA_START)
                cells.append(cell_xml(f"{letters[i]}{n}", (self.quoted if quoted else self.plain)[i], value))
            out.append(f'<row r="{n}">{"".join(cells)}</row>')
            if len(out) >= batch:
                yield "".join(out)
                out = []
        out.extend(self.tail)
        yield "".join(out)


def save(wb: Any, bodies: dict[int, Body]) -> bytes:
    """The workbook's .xlsx with each ``bodies[i]`` (i: the sheet's position, from 1) written at
    the end of that sheet's rows. openpyxl writes sheet *i* as ``xl/worksheets/sheet{i}.xml``."""
    import io
    import zipfile

    buf = io.BytesIO()
    wb.save(buf)
    if not bodies:
        return buf.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            index = _sheet_index(info.filename)
            if index not in bodies:
                dst.writestr(info, data)
                continue
            head, sep, tail = data.decode().partition("</sheetData>")
            if not sep:  # a sheet without rows: openpyxl wrote <sheetData />
                head, sep, tail = data.decode().partition("<sheetData />")
                head, sep = head + "<sheetData>", "</sheetData>"
            entry = zipfile.ZipInfo(info.filename, info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(entry, "w") as stream:
                stream.write(head.encode())
                for chunk in bodies[index].xml():
                    stream.write(chunk.encode())
                stream.write((sep + tail).encode())
    return out.getvalue()


def _sheet_index(name: str) -> int | None:
    prefix, suffix = "xl/worksheets/sheet", ".xml"
    if name.startswith(prefix) and name.endswith(suffix) and name[len(prefix) : -len(suffix)].isdigit():
        return int(name[len(prefix) : -len(suffix)])
    return None
