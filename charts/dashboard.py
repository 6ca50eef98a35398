"""The dashboard as pictures readable on a phone: 1080 px wide, large type, horizontal bars.

:func:`render` draws one :class:`charts.spec.Panel` (the office's two: every unit's fill, and
each city-wide proportion's share with its target marked — handlers.dashboard_texts.panels).

Chinese text needs a CJK font: :func:`cjk_font` registers the first one installed (Debian
``fonts-noto-cjk``); without one the pictures still render, with boxes for Chinese characters.
Figures are built with the object API (no pyplot state, nothing to close), so a render may run
in a worker thread (``asyncio.to_thread``) and its memory goes with the figure. Renders take
turns (:data:`_TURN`): the type settings are matplotlib's process-wide ``rcParams``, which one
render's ``rc_context`` would otherwise restore under another one still drawing.
"""

from __future__ import annotations

import functools
import io
import threading
from collections.abc import Sequence
from pathlib import Path

from matplotlib import font_manager, rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from charts.spec import Bar, Panel, Tone

WIDTH_PX = 1080
DPI = 100
FONT_PT = 20  # about 28 px on the 1080 px picture: readable on a phone without zooming
ROW_IN = 0.55  # height of one bar's row
HEAD_IN = 2.4  # title, axis and legend

# Font files of CJK fonts Debian installs, best first (fonts-noto-cjk, then others).
CJK_FILES = (
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJKsc-Regular.otf",
    "NotoSerifCJK-Regular.ttc",
    "wqy-microhei.ttc",
    "wqy-zenhei.ttc",
    "SourceHanSansSC-Regular.otf",
)
FALLBACK = "DejaVu Sans"  # matplotlib's own font: digits, Latin, ≥ ≤

COLOURS: dict[Tone, str] = {
    "good": "#2e7d32",
    "done": "#1565c0",
    "warn": "#ef6c00",
    "bad": "#c62828",
    "idle": "#9e9e9e",
}


_TURN = threading.Lock()


@functools.cache
def cjk_font() -> str | None:
    """The family name of an installed CJK font, registered with matplotlib (None when none).
    Looked up once per process."""
    found = {Path(p).name: p for p in font_manager.findSystemFonts()}
    for name in CJK_FILES:
        if name in found:
            font_manager.fontManager.addfont(found[name])
            return font_manager.FontProperties(fname=found[name]).get_name()
    return None


def render(panel: Panel) -> bytes:
    """One panel as a PNG, ``WIDTH_PX`` wide and as tall as its rows need."""
    fonts = [f for f in (cjk_font(), FALLBACK) if f]
    with _TURN, rc_context({"font.family": fonts, "font.size": FONT_PT, "axes.titlesize": FONT_PT + 4}):
        row = ROW_IN * (2 if panel.labels_above else 1)
        fig = Figure(figsize=(WIDTH_PX / DPI, HEAD_IN + row * max(len(panel.bars), 2)), dpi=DPI)
        FigureCanvasAgg(fig)
        fig.set_layout_engine("constrained")
        ax = fig.add_subplot()
        ax.set_title(panel.title, loc="left", fontweight="bold")
        if not panel.bars:
            ax.axis("off")
            ax.text(0.5, 0.5, panel.empty, ha="center", va="center", wrap=True, transform=ax.transAxes)
        else:
            _bars(ax, panel)
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=DPI, facecolor="white")
    return out.getvalue()


def _bars(ax: Axes, panel: Panel) -> None:
    bars = panel.bars
    ys = list(range(len(bars)))[::-1]  # the first row on top
    above = panel.labels_above
    height = 0.45 if above else 0.7
    ax.barh(ys, [min(b.value, 1.0) for b in bars], height=height, color=[COLOURS[b.tone] for b in bars])
    for y, b in zip(ys, bars, strict=True):
        end = max(min(b.value, 1.0), b.target or 0.0)  # the numbers right of the bar and of its target
        ax.text(end + 0.015, y, b.text, va="center", fontsize=FONT_PT - 2)
        if b.target is not None:
            reach = height / 2 + 0.05  # a little beyond the bar, never into the label above
            ax.vlines(b.target, y - reach, y + reach, colors="black", linewidth=3)
        if above:
            ax.text(0.005, y + 0.3, b.label, va="bottom", ha="left")
    if above:
        ax.set_yticks([])
        ax.set_ylim(-0.5, len(bars) - 0.1)
    else:
        ax.set_yticks(ys, [b.label for b in bars])
        ax.set_ylim(-0.6, len(bars) - 0.4)
    ax.set_xlim(0, 1.3)  # room for the text after a full bar
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0", "25%", "50%", "75%", "100%"])
    ax.set_xlabel(panel.axis)
    ax.grid(axis="x", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    if panel.legend:
        handles = [Patch(color=COLOURS[tone], label=text) for tone, text in panel.legend]
        # below the axis, outside the bars: a legend over them hides the last rows' numbers
        ax.figure.legend(handles=handles, loc="outside lower center", ncols=2, fontsize=FONT_PT - 2, frameon=False)


def pictures(panels: Sequence[Panel]) -> list[bytes]:
    """Every panel rendered, in order."""
    return [render(p) for p in panels]


__all__ = ["COLOURS", "DPI", "WIDTH_PX", "Bar", "Panel", "Tone", "cjk_font", "pictures", "render"]
