"""What the bot answers outside the intake: joining, help, the unit's places, a nominee's card and
the deadlines. No business rule here: only wording (labels in handlers.labels, the intake's texts
in handlers.intake_texts, refused answers in handlers.answer_texts).

Our sentences go through gettext (English msgids, Chinese in locales/zh); campaign data
(award, category, field and rule names) comes bilingual from the definition.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from core.campaign import Campaign
from core.clock import local_time
from core.form import IntakeForm
from core.imports import ALLOCATION_SHEET
from core.quota import LimitStatus, UnitAwardStatus
from core.records import HistoryEntry, NomineeInfo, UnitQuota
from core.workdays import days_left
from handlers.i18n import _, _n, pick
from handlers.labels import (
    action_label,
    award_name,
    clip,
    display_value,
    esc,
    nominee_title,
    status_label,
    step_label,
)

# ------------------------------------------------------------------------------ joining


def join_help() -> str:
    return _(
        "This bot collects nominations for the honours campaign of your trade union.\n\n"
        "To use it you need an invitation code from the office of the selection committee. "
        "Open the invitation link you received, or send the code here as a message.\n\n"
        "If you have no code, please contact the office."
    )


def joined(user_unit: str | None, campaign: Campaign, role: str, closed_note: str | None = None) -> str:
    """The welcome; ``closed_note``: why the clerk's unit takes no more nominees now (its list
    handed in, or entry closed), said instead of an invitation to /new that would be refused."""
    if role == "office":
        return _(
            "Welcome. You are registered as office staff of “{campaign}”.\n\n"
            "Send /review to review the units' lists, /help for all commands."
        ).format(campaign=esc(pick(campaign.name, campaign.name_en)))
    if closed_note is not None:
        welcome = _("Welcome. You are registered as the clerk of <b>{unit}</b> for “{campaign}”.").format(
            unit=esc(user_unit), campaign=esc(pick(campaign.name, campaign.name_en))
        )
        return f"{welcome}\n\n{closed_note}\n\n" + _("/list shows the unit's nominees, /help all commands.")
    return _(
        "Welcome. You are registered as the clerk of <b>{unit}</b> for “{campaign}”.\n\n"
        "Send /new to enter a nominee, /quota to see the places left, /help for all commands."
    ).format(unit=esc(user_unit), campaign=esc(pick(campaign.name, campaign.name_en)))


# ------------------------------------------------------------------------------ answer problems


# ------------------------------------------------------------------------------ quota and refusals


def places_button(campaign: Campaign, status: UnitAwardStatus) -> str:
    name = award_name(campaign, status.award)
    if status.cap is None:
        return _("{award} · no unit quota").format(award=name)
    if status.competitive:
        return _("{award} · may nominate {left}/{cap}").format(award=name, left=status.left, cap=status.cap)
    return _("{award} · left {left}/{cap}").format(award=name, left=status.left, cap=status.cap)


def _reserved_lines(status: UnitAwardStatus) -> list[str]:
    lines = []

    def visit(nodes: Sequence[Any], depth: int) -> None:
        for node in nodes:
            lines.append(
                "    " * depth
                + _("  · reserved for {name}: {filled}/{count}").format(
                    name=esc(pick(node.name, node.name_en)), filled=min(node.filled, node.count), count=node.count
                )
            )
            visit(node.children, depth + 1)

    visit(status.reserved, 0)
    return lines


def quota_text(campaign: Campaign, quota: UnitQuota) -> str:
    lines = [_("<b>Places of {unit}</b>").format(unit=esc(quota.unit))]
    for status in quota.awards:
        name = award_name(campaign, status.award)
        if status.cap is None:
            lines.append(
                _("<b>{award}</b>: {used} entered; no unit quota loaded, city totals apply.").format(
                    award=name, used=status.used
                )
            )
        elif status.competitive:
            lines.append(
                _("<b>{award}</b>: {used} of at most {cap} nominations (competitive).").format(
                    award=name, used=status.used, cap=status.cap
                )
            )
        elif status.cap == 0:
            lines.append(_("<b>{award}</b>: no places.").format(award=name))
        else:
            lines.append(
                _("<b>{award}</b>: {used}/{cap} used, {left} left, of which {free} free.").format(
                    award=name, used=status.used, cap=status.cap, left=status.left, free=status.free
                )
            )
            lines.extend(_reserved_lines(status))
    pools = [p for p in quota.pools if p.limit.kind != "award"]
    if pools:
        lines.append("")
        lines.append(_("<b>City-wide limits</b>"))
        lines.extend(limit_line(campaign, p) for p in pools)
    return "\n".join(lines)


def limit_line(campaign: Campaign, status: LimitStatus) -> str:
    return _("  · {award} — {name}: {used}/{cap} used, {left} left").format(
        award=award_name(campaign, status.limit.award),
        name=esc(pick(status.limit.name, status.limit.name_en)),
        used=status.used,
        cap=status.limit.cap,
        left=status.left,
    )


# ------------------------------------------------------------------------------ the wizard


# ------------------------------------------------------------------------------ lists and records


def nominee_card(
    campaign: Campaign, n: NomineeInfo, history: Sequence[HistoryEntry], missing: Sequence[str], today: date
) -> str:
    form = IntakeForm(campaign, n.award, alternate=n.alternate_for is not None)
    lines = [
        f"<b>{esc(nominee_title(campaign, n))}</b>",
        _("Status: {status}").format(status=status_label(n.status, alternate=n.alternate_for is not None)),
    ]
    if n.note:
        lines.append(_("Office's note: {note}").format(note=esc(n.note)))
    if n.alternate_for:
        lines.append(_("Alternate for #{id}").format(id=n.alternate_for))
    for step in form.steps(n.answers):
        lines.append(
            _("{label}: {value}").format(
                label=esc(step_label(form, step)), value=display_value(form, step.key, n.answers, today)
            )
        )
    if missing:
        lines.append(_("Missing: {fields}").format(fields=esc("、".join(missing))))
    if history:
        lines.append("")
        lines.append(_("<b>History</b>"))
        for h in history[-10:]:
            lines.append(
                f"{local_time(h.at, campaign):%Y-%m-%d %H:%M} · {esc(action_label(h.action))}"
                + (f" · {esc(h.note)}" if h.note else "")
            )
    return clip("\n".join(lines))


def deadlines_text(campaign: Campaign, today: date) -> str:
    lines = [_("<b>Deadlines of “{campaign}”</b>").format(campaign=esc(pick(campaign.name, campaign.name_en)))]
    if not campaign.stages:
        lines.append(_("No dates have been set."))
    for stage in campaign.stages:
        name = esc(pick(stage.name, stage.name_en))
        if stage.deadline is None:
            lines.append(_("• {name}: date to be announced").format(name=name))
            continue
        left = days_left(stage.deadline, today)
        if left > 0:
            when = _n("{n} day left", "{n} days left", left).format(n=left)
        elif left == 0:
            when = _("today is the last day")
        else:
            when = _("closed")  # 已截止: how many days ago helps nobody
        day = stage.deadline.isoformat() + ("" if stage.time is None else f" {stage.time:%H:%M}")
        lines.append(_("• {name}: {date} ({when})").format(name=name, date=day, when=when))
    return "\n".join(lines)


def help_text() -> str:
    commands = _(
        "<b>Commands</b>\n"
        "/new — enter a nominee\n"
        "/quota — places left for your unit\n"
        "/list — your unit's nominees\n"
        "/status N — one nominee's record and history\n"
        "/edit N — change a nominee\n"
        "/withdraw N — withdraw a nominee (frees the place)\n"
        "/submit — hand the list to the office\n"
        "/deadlines — dates and days left\n"
        "/lang — 中文 / English\n"
        "/cancel — stop the current step\n\n"
        "Your answers are saved at every step; if you stop, /new continues where you left off."
    )
    template = _("/template — an Excel template of an award, to enter many nominees at once; send it back filled in.")
    exports = _("/export — your unit's tables as Excel files to print, sign and stamp; the photos")
    return f"{commands}\n\n{template}\n{exports}"


def office_help(*, clerk_command: bool = False) -> str:
    """The commands of office staff; ``clerk_command``: after one that only a unit's clerk can use."""
    lines = []
    if clerk_command:
        lines += [_("This command is for the clerks of the recommending units; office staff have no unit list."), ""]
    lines.append(
        _(
            "<b>Commands for office staff</b>\n"
            "/review — review the units' lists: a nominee's record, pass, return with a reason, final results, "
            "an alternate in its head's place, reopen a unit's list\n"
            "/list — the nominees of all units, and the reserved places units gave up\n"
            "/status N — one nominee's record and history\n"
            "/audit N — a nominee's full change history\n"
            "/deadlines — dates of the campaign\n"
            "/deadline — set or move a stage's date (every clerk is told)\n"
            "/remind — remind the clerks of unfinished units now\n"
            "/lang — 中文 / English\n"
            "/help — this list"
        )
    )
    lines.append(_("/dashboard — where the campaign stands: places, units, proportions, with charts"))
    lines.append(
        _("/export_all — every unit's tables, the public-notice list, the allocation table, the photos (Excel, zip); "
          "/export_all UNIT — one unit's")
    )  # fmt: skip
    lines += [
        "",
        _("To load the allocation table, send it here as an .xlsx file (sheet “{sheet}”).").format(
            sheet=ALLOCATION_SHEET
        ),
    ]
    return "\n".join(lines)
