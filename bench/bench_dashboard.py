"""Time and memory of the office's /dashboard pictures.

    python bench/bench_dashboard.py [--rounds 5]

Builds the Zhengzhou dashboard with every one of its 37 units' places filled (core.dashboard),
then renders its two pictures (charts.dashboard) ``--rounds`` times: the median and worst wall
time per render of both, the PNGs' sizes, and the process's peak resident memory (VmHWM) above
what it was after the first render (matplotlib and the font loaded) — what each further
/dashboard costs the bot process.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiogram.utils.i18n import I18n  # noqa: E402

from charts.dashboard import cjk_font, pictures  # noqa: E402
from core.dashboard import Placed, UnitProgress, dashboard  # noqa: E402
from core.loader import load_builtin  # noqa: E402
from handlers import dashboard_texts  # noqa: E402


def vm(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) // 1024
    return 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    zz = load_builtin("zhengzhou-2024")
    units = [UnitProgress(u.name, False) for u in zz.units]
    placed = [
        Placed(u.name, key, "saved", {"category": "一线产业工人"})
        for u in zz.units
        for key, alloc in u.quotas.items()
        for _ in range(alloc.cap)
    ]
    i18n = I18n(path=ROOT / "locales", default_locale="zh", domain="messages")
    with i18n.context(), i18n.use_locale("zh"):
        board = dashboard(zz, units, placed)
        panels = dashboard_texts.panels(zz, board)
    pictures(panels)  # warm: matplotlib and the font loaded
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to now
    base = vm("VmRSS")
    times = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        pngs = pictures(panels)
        times.append(time.perf_counter() - start)
    print(f"font: {cjk_font()}; units: {len(board.units)}; proportions: {len(board.proportions)}")
    print("| rounds | median s | worst s | PNG sizes KB | peak MB above warm |")
    print("|---|---|---|---|---|")
    sizes = "/".join(str(len(p) // 1024) for p in pngs)
    print(f"| {args.rounds} | {statistics.median(times):.2f} | {max(times):.2f} | {sizes} | {vm('VmHWM') - base} |")


if __name__ == "__main__":
    main()
