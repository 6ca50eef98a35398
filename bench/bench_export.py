"""Time and peak memory to export a campaign of 10,000 nominees as the official summary table.

    python bench/bench_export.py [--nominees 10000] [--repeat 3]

Two ways, each in a fresh Python process, in the same run:

- ``export``: what /export_all and ``nominee-bot export`` do once the nominees are read — the
  rows built from the answers (core.tables.summary: ages, 备注, the 推荐单位 column) and the
  styled, print-ready sheet written through openpyxl's public API (sheets.exports.summary_xlsx:
  merged title, borders, widths, wrapped text, frozen header, A4 landscape, formula-safe cells);
- ``write-only``: openpyxl's write-only mode writing the same cells unstyled (the rows built
  beforehand, not timed) — the floor for any openpyxl export.

"time" is the best of ``--repeat`` runs (wall clock); "peak" is the process's high-water mark
(VmHWM, reset through /proc/self/clear_refs once the nominees are in memory) minus that idle
VmRSS, and "RSS" the absolute high-water mark. The campaign is Zhengzhou's 五一劳动奖章 table.
Goal (issue 10): export within 1.3× the write-only time, under 150 MB. The first line says
whether openpyxl streams through lxml (``openpyxl.LXML``: when lxml is installed), which changes
both times.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _status() -> dict[str, int]:
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) // 1024
    return out


def _nominees(n: int) -> list[Any]:
    from core.loader import load_builtin
    from core.records import NomineeInfo
    from tests.nominees import person

    campaign = load_builtin("zhengzhou-2024")
    units = [u.name for u in campaign.units]
    now = datetime(2024, 3, 1, tzinfo=UTC)
    cats = ["一线产业工人", "一线科教人员", "农民工", "其他一线职工和专业技术人员"]
    return [
        NomineeInfo(i, campaign.id, units[i % len(units)], "medal", "submitted",
                    person(i, cats[i % 4], sensitive="是" if i % 50 == 0 else "否"), None, 1, now, now)
        for i in range(1, n + 1)
    ]  # fmt: skip


def _export(campaign: Any, nominees: Any, filler: Any) -> bytes:
    from core.tables import summary
    from sheets.exports import summary_xlsx

    return summary_xlsx(summary(campaign, campaign.tables[0], nominees, filler, date(2024, 3, 1), city_wide=True))


def _write_only(rows: Any) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Sheet")
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def child(mode: str, n: int, repeat: int) -> None:
    """One process: the nominees (and the rows the write-only run writes) in memory, then
    ``repeat`` runs of each mode alternating (``mode`` "both"), or of one mode (for its memory)."""
    from core.loader import load_builtin
    from core.tables import Filler, summary

    campaign = load_builtin("zhengzhou-2024")
    nominees = _nominees(n)
    filler = Filler(campaign.office, "李经办", "0371-67883217")
    rows = summary(campaign, campaign.tables[0], nominees, filler, date(2024, 3, 1), city_wide=True).rows
    modes = ["write-only", "export"] if mode == "both" else [mode]
    idle = _status()["VmRSS"]
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM
    best = dict.fromkeys(modes, float("inf"))
    size = dict.fromkeys(modes, 0)
    for _ in range(repeat):  # alternating: the machine's other load falls on both alike
        for m in modes:
            start = time.perf_counter()
            data = _export(campaign, nominees, filler) if m == "export" else _write_only(rows)
            best[m] = min(best[m], time.perf_counter() - start)
            size[m] = len(data)
            del data
    hwm = _status()["VmHWM"]
    print(json.dumps({"seconds": best, "peak_mb": hwm - idle, "rss_mb": hwm, "bytes": size}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nominees", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.nominees, args.repeat)
        return

    def run(mode: str) -> dict[str, Any]:
        cmd = [
            sys.executable,
            __file__,
            "--child",
            mode,
            "--nominees",
            str(args.nominees),
            "--repeat",
            str(args.repeat),
        ]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT).stdout
        return dict(json.loads(out.strip().splitlines()[-1]))

    timed = run("both")["seconds"]
    memory = {mode: run(mode) for mode in ("write-only", "export")}
    base = timed["write-only"]
    import openpyxl

    print(f"openpyxl {openpyxl.__version__}, lxml {'yes' if openpyxl.LXML else 'no'}")
    print(f"{args.nominees} nominees, Zhengzhou 五一劳动奖章 summary, best of {args.repeat} (alternating)")
    print(f"{'':<12}{'time s':>8}{'× w-o':>8}{'peak MB':>9}{'RSS MB':>8}{'file KB':>9}")
    for mode in ("write-only", "export"):
        r = memory[mode]
        print(
            f"{mode:<12}{timed[mode]:>8.2f}{timed[mode] / base:>8.2f}{r['peak_mb']:>9}{r['rss_mb']:>8}"
            f"{r['bytes'][mode] // 1024:>9}"
        )
    ok = timed["export"] <= 1.3 * base and memory["export"]["rss_mb"] < 150
    print("goal (≤ 1.3× write-only, < 150 MB):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
