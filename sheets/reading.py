"""Reading an uploaded .xlsx workbook safely: it comes from a chat, so it is untrusted.

Before anything parses it: its size (:data:`MAX_BYTES`); that it is a zip holding a workbook;
the unpacked size of every part and of all of them, and each part's compression ratio, from the
zip's directory (a zip bomb is refused before a byte is inflated); the worksheets' XML scanned
for formulas (``<f>``: refused, the office's tables and the templates hold values only), read in
bounded chunks. Then python-calamine (Rust, no XML entity expansion) reads the values of the
one expected sheet — and nothing else of the file. openpyxl, which this package uses to write,
parses XML through defusedxml when it is installed (:func:`defused`, checked by the tests).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from core.sheetproblems import FileTooLarge, FormulaFound, Inflates, NotWorkbook, SheetError, SheetMissing, TooManyRows

MB = 1024 * 1024
MAX_BYTES = 5 * MB  # an allocation table or 2,000 nominees' rows are far below
MAX_UNPACKED = 50 * MB  # all parts together, unpacked
MAX_RATIO = 100  # a part's unpacked size ÷ its packed size; real sheets stay under 20
MAX_ROWS = 2000  # rows under the header
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_CELL_REF = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c\b[^>]*?\br="([A-Z]{1,3}[0-9]{1,7})"')
_CHUNK = 256 * 1024

Value = str | int | float | bool | date | datetime | time | timedelta | None


@dataclass(frozen=True)
class Limits:
    max_bytes: int = MAX_BYTES
    max_unpacked: int = MAX_UNPACKED
    max_ratio: int = MAX_RATIO
    max_rows: int = MAX_ROWS


DEFAULT = Limits()


def defused() -> bool:
    """Whether openpyxl parses XML through defusedxml (it does when defusedxml is installed)."""
    from openpyxl.xml import DEFUSEDXML

    return bool(DEFUSEDXML)


def check_package(data: bytes, limits: Limits = DEFAULT) -> None:
    """Raises :class:`SheetError` unless ``data`` is a plain .xlsx within the limits and free of
    formulas. Reads the zip's directory, then only the worksheets' XML, in chunks."""
    if len(data) > limits.max_bytes:
        raise SheetError(FileTooLarge(limits.max_bytes // MB))
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise SheetError(NotWorkbook())
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            infos = package.infolist()
            names = {info.filename for info in infos}
            if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
                raise SheetError(NotWorkbook())
            total = 0
            for info in infos:
                total += info.file_size
                ratio = info.file_size / max(info.compress_size, 1)
                if total > limits.max_unpacked or (info.file_size > 64 * 1024 and ratio > limits.max_ratio):
                    raise SheetError(Inflates(limits.max_unpacked // MB, limits.max_ratio))
            for info in infos:
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    _no_formula(package, info, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError):
        raise SheetError(NotWorkbook()) from None


def _no_formula(package: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> None:
    """Scans one worksheet's XML for a formula element; the directory's sizes are not trusted:
    reading stops at the limit whatever the header said."""
    read = 0
    tail = b""
    with package.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            read += len(chunk)
            if read > limits.max_unpacked:
                raise SheetError(Inflates(limits.max_unpacked // MB, limits.max_ratio))
            window = tail + chunk
            found = _FORMULA.search(window)
            if found is not None:
                refs = _CELL_REF.findall(window, 0, found.start())
                raise SheetError(FormulaFound(refs[-1].decode() if refs else "?"))
            tail = window[-512:]


class Upload:
    """An uploaded workbook, checked once (:func:`check_package`) and opened once by calamine;
    then only the sheets asked for are read. Raises :class:`SheetError` (NotWorkbook, too large,
    a zip bomb, a formula) when made."""

    def __init__(self, data: bytes, limits: Limits = DEFAULT) -> None:
        check_package(data, limits)
        self.limits = limits
        try:
            self._book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            self.sheet_names: list[str] = list(self._book.sheet_names)
        except CalamineError:
            raise SheetError(NotWorkbook()) from None

    def read(self, sheet: str) -> list[list[Value]]:
        """The values of sheet ``sheet`` from A1 (row i of the result is Excel's row i + 1).
        Raises :class:`SheetError` (SheetMissing, TooManyRows, NotWorkbook)."""
        if sheet not in self.sheet_names:
            raise SheetError(SheetMissing(sheet))
        try:
            rows: list[list[Any]] = self._book.get_sheet_by_name(sheet).to_python(
                skip_empty_area=False, nrows=self.limits.max_rows + 2
            )
        except CalamineError:
            raise SheetError(NotWorkbook()) from None
        while rows and all(v in ("", None) for v in rows[-1]):
            rows.pop()
        if len(rows) > self.limits.max_rows + 1:
            raise SheetError(TooManyRows(self.limits.max_rows))
        return [[None if v == "" else v for v in row] for row in rows]


def opened(data: bytes | Upload, limits: Limits = DEFAULT) -> Upload:
    """``data`` checked and opened, or the :class:`Upload` it already is."""
    return data if isinstance(data, Upload) else Upload(data, limits)


def read_sheet(data: bytes, sheet: str, limits: Limits = DEFAULT) -> list[list[Value]]:
    """The values of one sheet of an upload (:class:`Upload`)."""
    return Upload(data, limits).read(sheet)


__all__ = [
    "MAX_BYTES",
    "MAX_ROWS",
    "Limits",
    "Upload",
    "Value",
    "check_package",
    "defused",
    "opened",
    "read_sheet",
]
