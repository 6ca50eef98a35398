"""The office's dashboard: where a campaign stands, per award, per unit and per city-wide proportion.

Pure: built from the definition, the units' states and the place-holding nominees by
:func:`dashboard`. The counts and proportions are :func:`core.quota.campaign_standing`'s (one
rule for required counts and reachability); this module adds how far each unit has got.

How far a unit has got — its **phase**, for its whole list and for each award (:func:`phase`):

- ``not_started``: no place-holding nominee (of that award) and the list not handed in;
- ``in_progress``: some nominee saved, the list not handed in (or reopened by the office);
- ``submitted``: the list handed in (locked), not every nominee of it accepted yet — a nominee
  the office returned keeps its unit here; a list handed in with nothing in it too (every place
  given up);
- ``accepted``: handed in, and every place-holding nominee accepted (初审通过) or approved.

An award's phases count the units that have places of it (or, for a competitive award and for a
campaign without per-unit allocations, every unit).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from core.campaign import Campaign
from core.checklist import checklist
from core.quota import AwardStanding, LimitStatus, ProportionStatus, campaign_standing, unit_status
from core.refusals import ReservedOpen

Phase = Literal["not_started", "in_progress", "submitted", "accepted"]
PHASES: tuple[Phase, ...] = ("not_started", "in_progress", "submitted", "accepted")
REVIEWED = frozenset({"accepted", "approved"})  # what the office has passed (初审通过, then approved)
Verdict = Literal["met", "reachable", "unreachable"]
BEHIND = 5  # units shown as furthest behind, per award


def phase(submitted: bool, statuses: Sequence[str]) -> Phase:
    """A unit's phase from whether its list is handed in and its place-holding nominees' statuses."""
    if not submitted:
        return "in_progress" if statuses else "not_started"
    return "accepted" if statuses and all(s in REVIEWED for s in statuses) else "submitted"


def verdict(p: ProportionStatus) -> Verdict:
    """``met`` now; else ``reachable`` — a minimum still met if every place left of its base went to
    its category (a maximum only by withdrawing: never reachable once exceeded); else ``unreachable``."""
    if p.met:
        return "met"
    return "reachable" if p.reachable else "unreachable"


def places_left(p: ProportionStatus) -> int:
    """The places of the proportion's base not yet taken (by anyone)."""
    return max(0, p.base - p.scope_count)


@dataclass(frozen=True)
class Placed:
    """A place-holding nominee (alternates take none and are left out)."""

    unit: str
    award: str
    status: str
    answers: Mapping[str, Any]
    procedure: Mapping[str, str] = field(default_factory=dict)  # steps recorded (core.checklist)


@dataclass(frozen=True)
class UnitProgress:
    """A unit's state as stored: its list handed in or not, and the reserved places it gave up."""

    name: str
    submitted: bool
    given_up: tuple[ReservedOpen, ...] = ()


@dataclass(frozen=True)
class UnitFill:
    """One unit's places of one award: ``cap`` None when no per-unit allocation is loaded (for a
    competitive award the per-unit maximum); ``given_up``: reserved places given up at /submit."""

    unit: str
    award: str
    cap: int | None
    used: int
    phase: Phase
    given_up: int = 0

    @property
    def share(self) -> float | None:
        """used / cap in 0..1 (more than 1 never: a cap is enforced); None without a cap."""
        if self.cap is None:
            return None
        return self.used / self.cap if self.cap else 1.0

    @property
    def missing(self) -> int:
        return 0 if self.cap is None else max(0, self.cap - self.used)


@dataclass(frozen=True)
class UnitRow:
    """A unit's whole list: its phase, its places per award and what it gave up."""

    name: str
    phase: Phase
    fills: tuple[UnitFill, ...]
    given_up: tuple[ReservedOpen, ...] = ()
    competitive: frozenset[str] = frozenset()  # awards whose "cap" is only a nomination limit
    # procedure steps not finished: (step key, how many of its place-holding nominees), in the
    # definition's order; only steps open for someone
    open_steps: tuple[tuple[str, int], ...] = ()

    @property
    def cap(self) -> int:
        """Its allocated places over the non-competitive awards."""
        return sum(f.cap or 0 for f in self.fills if f.award not in self.competitive)

    @property
    def used(self) -> int:
        return sum(f.used for f in self.fills if f.award not in self.competitive and f.cap is not None)

    @property
    def share(self) -> float | None:
        return self.used / self.cap if self.cap else None


@dataclass(frozen=True)
class AwardBoard:
    """One award: places used of the total, the units per phase, its proportions, divisions and
    pools, and the open units furthest behind (least filled share first)."""

    standing: AwardStanding
    allocated: int | None  # the units' caps summed; None: no per-unit allocation loaded
    phases: Mapping[Phase, int]
    proportions: tuple[ProportionStatus, ...]
    limits: tuple[LimitStatus, ...]
    behind: tuple[UnitFill, ...]
    given_up: int

    @property
    def key(self) -> str:
        return self.standing.award


@dataclass(frozen=True)
class Dashboard:
    """Everything the office's /dashboard shows. ``across``: proportions over several awards
    (Zhengzhou's 非公 ≥ 25 % of all three)."""

    awards: tuple[AwardBoard, ...]
    across: tuple[ProportionStatus, ...]
    units: tuple[UnitRow, ...]
    phases: Mapping[Phase, int]

    @property
    def proportions(self) -> tuple[ProportionStatus, ...]:
        return tuple(p for a in self.awards for p in a.proportions) + self.across


def open_steps(campaign: Campaign, nominees: Sequence[Placed], today: date) -> tuple[tuple[str, int], ...]:
    """Per procedure step (definition order) how many of ``nominees`` have it unfinished on ``today``."""
    counts = dict.fromkeys((s.key for s in campaign.steps), 0)
    for n in nominees:
        for state in checklist(campaign, n.award, n.answers, n.procedure, today):
            if not state.finished:
                counts[state.step.key] += 1
    return tuple((k, n) for k, n in counts.items() if n)


def dashboard(
    campaign: Campaign,
    units: Sequence[UnitProgress],
    placed: Sequence[Placed],
    *,
    behind: int = BEHIND,
    today: date | None = None,
) -> Dashboard:
    """The dashboard of ``campaign``: ``units`` are its active units (in the order to show),
    ``placed`` every place-holding nominee of the campaign (any unit); with ``today`` (the
    campaign's zone) each unit's open procedure steps are counted."""
    standing = campaign_standing(campaign, [(n.award, n.answers) for n in placed])
    by_unit: dict[str, list[Placed]] = {}
    for n in placed:
        by_unit.setdefault(n.unit, []).append(n)
    allocated = bool(campaign.units)
    competitive = frozenset(a.key for a in campaign.awards if a.competitive)
    rows: list[UnitRow] = []
    for progress in units:
        mine = by_unit.get(progress.name, [])
        definition = next((u for u in campaign.units if u.name == progress.name), None)
        fills = []
        for award in campaign.awards:
            of_award = [n for n in mine if n.award == award.key]
            status = unit_status(campaign, definition, award.key, [n.answers for n in of_award])
            if allocated and not award.competitive and not status.cap:
                continue  # no places of this award: not part of its progress
            given = sum(g.open for g in progress.given_up if g.award == award.key)
            fills.append(
                UnitFill(
                    progress.name,
                    award.key,
                    status.cap,
                    status.used,
                    phase(progress.submitted, [n.status for n in of_award]),
                    given,
                )
            )
        rows.append(
            UnitRow(
                progress.name,
                phase(progress.submitted, [n.status for n in mine]),
                tuple(fills),
                progress.given_up,
                competitive,
                () if today is None else open_steps(campaign, mine, today),
            )
        )
    # a range share (min_pct and max_pct) is two standings of one definition key
    awards_of = {d.key: d.awards for d in campaign.proportions}
    boards = []
    for award_standing in standing.awards:
        key = award_standing.award
        fills = [f for row in rows for f in row.fills if f.award == key]
        caps = [f.cap for f in fills if f.cap is not None]
        # behind on allocated places; a competitive award's 1–2 per unit are a limit, not a share
        open_fills = [
            f
            for f in fills
            if not award_standing.competitive and f.phase in ("not_started", "in_progress") and f.missing > 0
        ]
        open_fills.sort(key=lambda f: (f.share if f.share is not None else 1.0, -f.missing, f.unit))
        boards.append(
            AwardBoard(
                award_standing,
                sum(caps) if allocated and not award_standing.competitive else None,
                {p: sum(1 for f in fills if f.phase == p) for p in PHASES},
                tuple(p for p in standing.proportions if awards_of[p.key] == [key]),
                tuple(s for s in standing.limits if s.limit.award == key and s.limit.kind != "award"),
                tuple(open_fills[:behind]),
                sum(f.given_up for f in fills),
            )
        )
    across = tuple(p for p in standing.proportions if len(awards_of[p.key]) > 1)
    return Dashboard(tuple(boards), across, tuple(rows), {p: sum(1 for r in rows if r.phase == p) for p in PHASES})


__all__ = [
    "BEHIND",
    "PHASES",
    "AwardBoard",
    "Dashboard",
    "Phase",
    "Placed",
    "UnitFill",
    "UnitProgress",
    "UnitRow",
    "Verdict",
    "dashboard",
    "open_steps",
    "phase",
    "places_left",
    "verdict",
]
