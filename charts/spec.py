"""What a picture shows, as plain data (no matplotlib here: the bot imports this at start-up and
matplotlib only when the first picture is drawn — :mod:`charts.dashboard`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Tone = Literal["good", "done", "warn", "bad", "idle"]


@dataclass(frozen=True)
class Bar:
    """One row: ``label`` on the left, a bar of ``value`` (0..1 of the axis), ``text`` at its end."""

    label: str
    value: float
    text: str
    tone: Tone = "good"
    target: float | None = None  # 0..1 of the axis: a marker line (a proportion's required share)


@dataclass(frozen=True)
class Panel:
    title: str
    bars: tuple[Bar, ...]
    axis: str  # what the axis measures, e.g. "places used of the allocation"
    empty: str = ""  # said instead of bars when there are none
    legend: tuple[tuple[Tone, str], ...] = ()
    labels_above: bool = False  # long labels: on a line of their own above each bar, full width


__all__ = ["Bar", "Panel", "Tone"]
