"""Texts of the procedure checklist (a nominee's steps, the card's summary line, /submit's
warning, the dashboard's and a reminder's open steps)."""

from __future__ import annotations

from collections.abc import Sequence

from core.campaign import Campaign, ProcedureStep
from core.checklist import StepState
from handlers.i18n import _, _n, pick
from handlers.labels import esc


def step_name(step: ProcedureStep) -> str:
    return esc(pick(step.name, step.name_en))


def stage_name(campaign: Campaign, key: str | None) -> str:
    for stage in campaign.stages:
        if stage.key == key:
            return esc(pick(stage.name, stage.name_en))
    return esc(key or "")


def step_line(campaign: Campaign, s: StepState) -> str:
    """One step with its state: ✓ done, ◔ a notice still running, ○ open."""
    name = step_name(s.step)
    if s.status == "done" and s.on is not None:
        return _("✓ {step} — done {date}").format(step=name, date=s.on.isoformat())
    if s.status == "complete" and s.on is not None and s.ends is not None:
        return _("✓ {step} — notice {start} to {end}, complete").format(
            step=name, start=s.on.isoformat(), end=s.ends.isoformat()
        )
    if s.status == "running" and s.on is not None:
        if s.ends is None:
            return _(
                "◔ {step} — notice from {start}; its end cannot be counted: the official holidays of {year} are "
                "not known yet"
            ).format(step=name, start=s.on.isoformat(), year=s.beyond)
        return _("◔ {step} — notice from {start}, runs until {end} ({days} working days)").format(
            step=name, start=s.on.isoformat(), end=s.ends.isoformat(), days=s.step.working_days
        )
    if s.step.required_by:
        return _("○ {step} — open (before “{stage}”)").format(step=name, stage=stage_name(campaign, s.step.required_by))
    return _("○ {step} — open").format(step=name)


def procedure_text(campaign: Campaign, title: str, states: Sequence[StepState], lead: str = "") -> str:
    lines = [lead, ""] if lead else []
    lines.append(_("<b>Procedure of {nominee}</b>").format(nominee=esc(title)))
    if not states:
        lines.append(_("The campaign lists no procedure steps for this nominee."))
        return "\n".join(lines)
    lines += [step_line(campaign, s) for s in states]
    lines.append("")
    lines.append(
        _(
            "Tap a step to record the date it was done (for a notice: the day it began). A notice is complete "
            "only after its last working day has passed."
        )
    )
    return "\n".join(lines)


def card_line(states: Sequence[StepState]) -> str:
    """The nominee card's summary of its checklist ("" when it has none)."""
    if not states:
        return ""
    done = sum(s.finished for s in states)
    return _("Procedure: {done} of {total} steps complete.").format(done=done, total=len(states))


def open_names(states: Sequence[StepState]) -> str:
    return "、".join(step_name(s.step) for s in states)


def submit_warning(campaign: Campaign, open_steps: Sequence[tuple[str, Sequence[StepState]]]) -> str:
    """/submit's warning: per nominee (its title) the steps the stage requires that are still open."""
    if not open_steps:
        return ""
    lines = [
        _n(
            "⚠ {count} nominee still has procedure steps open that are due before this submission "
            "(you may submit all the same):",
            "⚠ {count} nominees still have procedure steps open that are due before this submission "
            "(you may submit all the same):",
            len(open_steps),
        ).format(count=len(open_steps))
    ]
    lines += [
        _("  · {nominee}: {steps}").format(nominee=esc(title), steps=open_names(states)) for title, states in open_steps
    ]
    return "\n".join(lines)


__all__ = ["card_line", "open_names", "procedure_text", "stage_name", "step_line", "step_name", "submit_warning"]
