"""The procedure checklist: which steps a nominee goes through, and how far each has come.

Which steps apply to whom is data (``[[steps]]`` of the campaign definition,
:class:`core.campaign.ProcedureStep`), read from the nominee's award and answers. The clerk records
the date a step was done (an approval, a consultation) or began (a notice); a notice is complete
only once its last working day (core.workdays, 公示期 counted in official working days) has passed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from core.campaign import Campaign, ProcedureStep
from core.errors import InvalidAnswer
from core.selectors import matches
from core.workdays import add_working_days

StepStatus = Literal["open", "done", "running", "complete"]


@dataclass(frozen=True)
class StepState:
    """One step for one nominee: ``on`` the date recorded (None: open); for a notice ``ends`` its
    last working day (None while open, or when no calendar knows its year: ``beyond`` that year)."""

    step: ProcedureStep
    status: StepStatus
    on: date | None = None
    ends: date | None = None
    beyond: int | None = None

    @property
    def finished(self) -> bool:
        return self.status in ("done", "complete")


def steps_for(campaign: Campaign, award: str, answers: Mapping[str, Any]) -> list[ProcedureStep]:
    """The steps that apply to a nominee of ``award`` with these answers, in the definition's order."""
    return [s for s in campaign.steps if (not s.awards or award in s.awards) and matches(s.where, answers)]


def notice_end(campaign: Campaign, step: ProcedureStep, start: date) -> date:
    """The last day of a notice begun on ``start``: ``working_days`` official working days counted
    from ``start`` (or the next working day); :class:`InvalidAnswer` (CalendarUnknown) for a year
    no calendar knows."""
    return add_working_days(start, step.working_days or 1, campaign.calendar)


def state_of(campaign: Campaign, step: ProcedureStep, on: date | None, today: date) -> StepState:
    if on is None:
        return StepState(step, "open")
    if step.kind != "notice":
        return StepState(step, "done", on)
    try:
        ends = notice_end(campaign, step, on)
    except InvalidAnswer as exc:
        year = getattr(exc.problem, "year", on.year)
        return StepState(step, "running", on, None, year)
    return StepState(step, "complete" if ends < today else "running", on, ends)


def checklist(
    campaign: Campaign, award: str, answers: Mapping[str, Any], recorded: Mapping[str, str], today: date
) -> list[StepState]:
    """Every applicable step with its state. ``recorded``: step key → ISO date, as stored with the
    nominee (keys of steps that no longer apply are ignored); ``today`` in the campaign's zone."""
    out = []
    for step in steps_for(campaign, award, answers):
        raw = recorded.get(step.key)
        out.append(state_of(campaign, step, date.fromisoformat(raw) if raw else None, today))
    return out


def due_stage(campaign: Campaign, today: date) -> str | None:
    """The stage a submission now is for: the first (in the definition's order) whose date has not
    passed, or that has no date yet; the last one once all have passed; None without stages."""
    for stage in campaign.stages:
        if stage.deadline is None or stage.deadline >= today:
            return stage.key
    return campaign.stages[-1].key if campaign.stages else None


def due_by(campaign: Campaign, states: Sequence[StepState], stage: str | None) -> list[StepState]:
    """The unfinished steps required before ``stage`` or an earlier stage (None: none)."""
    keys = [s.key for s in campaign.stages]
    if stage not in keys:
        return []
    upto = set(keys[: keys.index(stage) + 1])
    return [s for s in states if not s.finished and s.step.required_by in upto]


__all__ = [
    "StepState",
    "StepStatus",
    "checklist",
    "due_by",
    "due_stage",
    "notice_end",
    "state_of",
    "steps_for",
]
