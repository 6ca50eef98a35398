"""What a reminder, a date notice and the office's summary of a round say (in the reader's language,
set by the caller: the scheduler renders each clerk's message in their own)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from app.ports import Delivery
from app.reminders import Missing
from core.campaign import Campaign, Stage
from core.clock import local_time
from core.deadlines import closes_at
from core.quota import ReservedStatus
from handlers.i18n import _, _n, pick
from handlers.labels import award_name, clip, draft_title, esc, nominee_title
from handlers.problems import ask_office
from handlers.procedure_texts import open_names


def when_text(campaign: Campaign, stage: Stage) -> str:
    """ "2024-03-20" or "2024-03-20 17:00" (the stage's closing hour, local time)."""
    assert stage.deadline is not None
    return stage.deadline.isoformat() + ("" if stage.time is None else f" {stage.time:%H:%M}")


def _open_places(nodes: Sequence[ReservedStatus], depth: int, lines: list[str]) -> None:
    for node in nodes:
        if node.needed > 0:
            lines.append(
                "    " * depth
                + _("    · of which {name}: {n} still to fill").format(
                    name=esc(pick(node.name, node.name_en)), n=node.needed
                )
            )
        _open_places(node.children, depth + 1, lines)


def missing_lines(campaign: Campaign, missing: Missing) -> list[str]:
    """The bullet lines of what the unit still has to do (empty: nothing)."""
    lines: list[str] = []
    for status in missing.awards:
        if status.cap is None or status.competitive or not status.left:
            continue
        name = award_name(campaign, status.award)
        lines.append(
            _n("• {award}: {n} place still open", "• {award}: {n} places still open", status.left).format(
                award=name, n=status.left
            )
        )
        _open_places(status.reserved, 0, lines)
    if missing.drafts:
        n = len(missing.drafts)
        titles = "、".join(esc(draft_title(campaign, d)) for d in missing.drafts[:5])
        lines.append(
            _n("• {n} nominee not completed: {titles}", "• {n} nominees not completed: {titles}", n).format(
                n=n, titles=titles
            )
        )
    for info, steps in missing.steps:
        lines.append(
            _("• {nominee}: procedure steps open: {steps}").format(
                nominee=esc(nominee_title(campaign, info)), steps=open_names(steps)
            )
        )
    if not missing.submitted:
        lines.append(_("• the list has not been submitted yet (/submit when it is complete)"))
    return lines


def reminder_text(campaign: Campaign, stage: Stage, missing: Missing, now: datetime) -> str:
    """A clerk's reminder: the stage, its date and the days left, and exactly what is missing."""
    closes = closes_at(campaign, stage)
    assert closes is not None and stage.deadline is not None
    days = (stage.deadline - local_time(now, campaign).date()).days
    left = _n("{n} day left", "{n} days left", days).format(n=days) if days > 0 else _("today is the last day")
    lines = [
        _("<b>Reminder: {stage} by {date}</b> ({left}).").format(
            stage=esc(pick(stage.name, stage.name_en)), date=when_text(campaign, stage), left=left
        ),
        _("{unit} still has to complete:").format(unit=esc(missing.unit)),
        *missing_lines(campaign, missing),
        "",
        _("After the deadline the list can no longer be changed. Questions: {office}.").format(
            office=ask_office(campaign)
        ),
    ]
    return clip("\n".join(lines))


def manual_text(campaign: Campaign, missing: Missing) -> str:
    """A reminder the office sends now (/remind), without a deadline to name when none is dated."""
    lines = [
        _("<b>Reminder from the office</b>"),
        _("{unit} still has to complete:").format(unit=esc(missing.unit)),
        *missing_lines(campaign, missing),
        "",
        _("Questions: {office}.").format(office=ask_office(campaign)),
    ]
    return clip("\n".join(lines))


def date_notice(campaign: Campaign, stage: Stage) -> str:
    """Every clerk is told of a stage's date the office set or moved."""
    name = esc(pick(stage.name, stage.name_en))
    return "\n".join(
        [
            _("<b>Date notice:</b> {stage} by {date}.").format(stage=name, date=when_text(campaign, stage)),
            _("Times are {zone} time. /deadlines lists every date.").format(zone=campaign.timezone),
        ]
    )


def round_title(campaign: Campaign, stage: Stage | None, days_before: int | None) -> str:
    """The heading of the office's summary: which reminder went out."""
    if stage is None or days_before is None:
        return _("Reminder sent now (/remind)")
    name = pick(stage.name, stage.name_en)
    if days_before == 0:
        return _("Reminder on the last day of {stage}").format(stage=name)
    return _n("Reminder {n} day before {stage}", "Reminder {n} days before {stage}", days_before).format(
        n=days_before, stage=name
    )


def summary_text(campaign: Campaign, title: str, deliveries: Sequence[Delivery]) -> str:
    """The office's summary of a round: how many were reminded, of which units, who could not be
    reached (blocked the bot, or failed), and whose delivery is not confirmed."""
    sent = [d for d in deliveries if d.outcome == "sent"]
    blocked = [d for d in deliveries if d.outcome == "blocked"]
    failed = [d for d in deliveries if d.outcome == "failed"]
    unknown = [d for d in deliveries if d.outcome is None]
    units = sorted({d.unit for d in sent})
    lines = [
        f"<b>{esc(title)}</b>",
        _n(
            "Reminded {n} clerk of {units} unit.",
            "Reminded {n} clerks of {units} units.",
            len(sent),
        ).format(n=len(sent), units=len(units)),
    ]
    if blocked:
        lines.append(_("Could not be reached (they blocked the bot):"))
        lines += [f"• {esc(d.unit)} (id {d.tg_id})" for d in blocked]
    if failed:
        lines.append(_("Could not be reached (Telegram refused the message):"))
        lines += [f"• {esc(d.unit)} (id {d.tg_id})" for d in failed]
    if unknown:
        lines.append(_("Not confirmed (the bot stopped while sending; not sent again):"))
        lines += [f"• {esc(d.unit)} (id {d.tg_id})" for d in unknown]
    if not deliveries:
        lines.append(_("Every unit has finished: nobody needed a reminder."))
    return clip("\n".join(lines))


__all__ = ["date_notice", "manual_text", "missing_lines", "reminder_text", "round_title", "summary_text", "when_text"]
