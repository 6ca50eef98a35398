"""Reading an exported workbook back the two ways an office's software would: openpyxl and
python-calamine (the same values both ways), and its sheet XML (no formula anywhere)."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import openpyxl
from python_calamine import CalamineWorkbook


def read_both(data: bytes) -> dict[str, list[list[Any]]]:
    """Sheet name → rows of values, as openpyxl reads them; asserts calamine reads the same texts
    and that no cell of any sheet is a formula."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    by_openpyxl = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    cal = CalamineWorkbook.from_filelike(io.BytesIO(data))
    for name in cal.sheet_names:
        rows = cal.get_sheet_by_name(name).to_python(skip_empty_area=False)
        mine = by_openpyxl[name]
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                theirs = mine[r][c] if r < len(mine) and c < len(mine[r]) else None
                if isinstance(theirs, str) or isinstance(value, str):
                    assert (value or "") == (theirs or ""), (name, r, c, value, theirs)
                elif theirs is not None:
                    assert value == theirs, (name, r, c, value, theirs)
    assert set(cal.sheet_names) == set(by_openpyxl)
    assert no_formula(data)
    return by_openpyxl


def no_formula(data: bytes) -> bool:
    """No ``<f>`` element in any sheet, and every cell starting like a formula is a string cell."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = zf.read(name).decode()
                if re.search(r"<f[ >/]", xml):
                    return False
    return True


def sheet_xml(data: bytes, index: int = 1) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(f"xl/worksheets/sheet{index}.xml").decode()


def header_row(rows: list[list[Any]], first: str = "序号") -> int:
    """The index of the column-header row (the one starting with 序号)."""
    return next(i for i, r in enumerate(rows) if r and r[0] == first)


def body(rows: list[list[Any]], first: str = "序号") -> list[list[Any]]:
    """The rows under the column headers that hold a record (a 序号)."""
    start = header_row(rows, first) + 1
    return [r for r in rows[start:] if isinstance(r[0], int)]
