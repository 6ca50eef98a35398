"""Excel imports: how long reading and importing a filled template takes.

    python bench/bench_import.py [--rows 2000] [--save 90] [--repeat 3]

- "check": the safety checks of an upload (sheets.reading.check_package: size, the zip's
  directory, every worksheet's XML scanned for formulas).
- "calamine": the template's values read with python-calamine (what the bot does);
  "openpyxl read-only": the same values with openpyxl (``read_only=True, data_only=True``), for
  comparison.
- "form": every row answered through core.form.IntakeForm (core.imports.read_template).
- "save": ``--save`` rows imported through app.imports.save_rows (trial, then commit) on an
  SQLite file, one unit of the Zhangjiakou campaign with 110 places of 劳动模范 (95 of them for
  企业职工: at most 95 rows fit).

Prints one table; the best of ``--repeat`` runs per row.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import load_workbook

from app import campaigns, imports, joining
from core.imports import TEMPLATE_SHEET, read_template
from core.loader import builtin_text, load_builtin, parse
from sheets.reading import check_package, read_sheet
from sheets.template import nominee_template, read_nominees
from storage import open_ports
from storage.db import Database, make_engine, upgrade
from tests.nominees import id_number, labour_model

NAME = "zhangjiakou-2024"
UNIT = "桥东区总工会"
TODAY = date(2024, 3, 15)
UNITS = f'\n[[units]]\nname = "{UNIT}"\nquotas.model = 110\nquotas.worker = 40\nquotas.collective = 100\n'


def filled(rows: int) -> bytes:
    campaign = load_builtin(NAME)
    book = load_workbook(io.BytesIO(nominee_template(campaign, "model")))
    sheet = book[TEMPLATE_SHEET]
    header = [c.value for c in sheet[1]]
    for n in range(rows):
        answers = labour_model(f"劳模{chr(0x4E00 + n)}", id_number(30000 + n))
        answers.pop("photo")
        row: dict[str, Any] = {"人员类别": answers.pop("category")}
        row |= {campaign.fields[k].label: v for k, v in answers.items()}
        for title, value in row.items():
            sheet.cell(n + 2, header.index(title) + 1, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def openpyxl_values(data: bytes) -> list[tuple[Any, ...]]:
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return list(book[TEMPLATE_SHEET].iter_rows(values_only=True))
    finally:
        book.close()


async def save(data: bytes, rows: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        engine = make_engine(f"sqlite+aiosqlite:///{path}")
        await upgrade(engine)
        await engine.dispose()
        db = Database(make_engine(f"sqlite+aiosqlite:///{path}"))
        ports = open_ports(db, Path(tmp) / "files", lambda: datetime(2024, 3, 15, 2, tzinfo=UTC), cache_drafts=True)
        try:
            text = builtin_text(NAME) + UNITS
            await campaigns.load(ports, parse(text), text=text)
            code = await joining.create_invite(ports, NAME, UNIT, "clerk", 14)
            clerk = await joining.join(ports, code, 1, "zh")
            campaign = load_builtin(NAME)
            read = read_nominees(campaign, "model", data, TODAY)
            found = [(r.row, r.answers) for r in read.rows[:rows]]
            start = time.perf_counter()
            trial = await imports.save_rows(ports, clerk, "model", found, commit=False)
            done = await imports.save_rows(ports, clerk, "model", found, commit=True)
            took = time.perf_counter() - start
            assert len(trial.saved) == len(done.saved) == rows, (len(trial.saved), len(done.saved))
            return took
        finally:
            await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--save", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = filled(args.rows)
    campaign = load_builtin(NAME)
    values = read_sheet(data, TEMPLATE_SHEET)
    lines = [
        ("check", best(lambda: check_package(data), args.repeat)),
        ("calamine", best(lambda: read_sheet(data, TEMPLATE_SHEET), args.repeat)),
        ("openpyxl read-only", best(lambda: openpyxl_values(data), args.repeat)),
        ("form", best(lambda: read_template(campaign, "model", values, TODAY), args.repeat)),
    ]
    print(f"template of {args.rows} rows, {len(data) / 1024:.0f} KB")
    print(f"{'step':<22}{'rows':>6}{'ms':>10}{'µs/row':>10}")
    for name, seconds in lines:
        print(f"{name:<22}{args.rows:>6}{seconds * 1000:>10.1f}{seconds * 1e6 / args.rows:>10.0f}")
    seconds = asyncio.run(save(data, args.save))
    print(f"{'save (trial + commit)':<22}{args.save:>6}{seconds * 1000:>10.1f}{seconds * 1e6 / args.save:>10.0f}")


if __name__ == "__main__":
    main()
