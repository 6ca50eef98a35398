"""The office's review in words: the chooser of units, a unit's list, a nominee's record, the
decisions, what the unit's clerks are told, and the full history (/audit N). Every text fits one
Telegram message (4,096 characters): lists are paged, a record is clipped and its whole history
is /audit's."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from app.review import OfficeRecord, UnitList, UnitOverview
from core.campaign import Campaign
from core.clock import local_time
from core.eligibility import evaluate, reason_key
from core.quota import limits
from core.records import HistoryEntry, NomineeInfo
from handlers import texts
from handlers.i18n import _, pick
from handlers.labels import action_label, award_name, clip, esc, nominee_title, status_label, who
from handlers.problems import answer_label, given_up_lines

AUDIT_PAGE = 15  # history entries per /audit page: about 150 characters each


def when(campaign: Campaign, at: Any) -> str:
    return f"{local_time(at, campaign):%Y-%m-%d %H:%M}"


def units_text(campaign: Campaign, overviews: Sequence[UnitOverview], offset: int, shown: int) -> str:
    waiting = sum(o.waiting for o in overviews)
    lines = [
        _("<b>Review</b>: {waiting} nominees of {units} units await a decision.").format(
            waiting=waiting, units=sum(1 for o in overviews if o.waiting)
        ),
        _("Choose a unit ({first}–{last} of {total}):").format(
            first=offset + 1, last=offset + shown, total=len(overviews)
        ),
    ]
    return "\n".join(lines)


def unit_button(o: UnitOverview, today: date) -> str:
    """``today`` (the campaign's zone): a unit reopened until that day or later says until when."""
    state = _("submitted") if o.submitted_at is not None else _("not submitted")
    if o.submitted_at is None and o.open_until is not None and today <= o.open_until:
        state = _("open until {date}").format(date=o.open_until.isoformat())
    return _("{unit} · {waiting}/{total} to review · {state}").format(
        unit=o.name, waiting=o.waiting, total=o.total, state=state
    )


def unit_list_text(campaign: Campaign, listing: UnitList, offset: int, page: int, today: date) -> str:
    """``today`` (the campaign's zone): a unit reopened until a day says until when."""
    state = listing.state
    items = listing.nominees[offset : offset + page]
    if state.submitted_at is not None:
        handed = _("List submitted {date}.").format(date=when(campaign, state.submitted_at))
    else:
        handed = _("List not submitted yet (the clerks may still change it).")
    lines = [f"<b>{esc(state.name)}</b>", handed]
    if state.submitted_at is None and state.open_until is not None:
        lines.append(open_until_line(state.open_until, today))
    if not items:
        lines.append(_("No nominees."))
    else:
        lines.append(
            _("Nominees {first}–{last} of {total}:").format(
                first=offset + 1, last=offset + len(items), total=len(listing.nominees)
            )
        )
    award = None
    for n in items:
        if n.award != award:
            award = n.award
            lines.append(f"【{esc(award_name(campaign, award))}】")
        alternate = " · " + _("alternate for #{id}").format(id=n.alternate_for) if n.alternate_for else ""
        status = status_label(n.status, alternate=n.alternate_for is not None)
        lines.append(f"#{n.id} {esc(who(n.answers) or '?')}{alternate} · {status}")
    if state.submitted_at is not None and state.given_up:
        lines += ["", _("<b>Reserved places given up at submission</b>"), *given_up_lines(campaign, state.given_up)]
    lines.append(_("Tap a nominee to review it."))
    return clip("\n".join(lines))


def soft_lines(campaign: Campaign, n: NomineeInfo) -> list[str]:
    """The soft rules (原则上, 一般) the nominee meets, each with the clerk's written reason."""
    lines = []
    for rule in evaluate(campaign, n.award, n.answers).soft:
        reason = n.answers.get(reason_key(rule))
        lines.append(f"⚠ <b>{esc(pick(rule.message, rule.message_en))}</b>")
        lines.append(_("   Reason given: {reason}").format(reason=esc(reason)) if reason else _("   No reason given."))
    return lines


def places_lines(campaign: Campaign, n: NomineeInfo, claims: Sequence[str]) -> list[str]:
    by_key = {lim.key: lim for lim in limits(campaign)}
    out = []
    for key in claims:
        lim = by_key.get(key)
        if key == "unit":
            out.append(_("• {unit}'s place for {award}").format(unit=esc(n.unit), award=award_name(campaign, n.award)))
        elif lim is None:
            out.append(f"• {esc(key)}")
        elif lim.kind == "award":  # the award's city-wide total, shared by every unit
            out.append(
                _("• one of the {cap} places of {award} city-wide").format(
                    cap=lim.cap, award=esc(award_name(campaign, lim.award))
                )
            )
        else:  # a pool, a division or an enforced share: a city-wide cap of its own
            out.append(
                _("• one of the {cap} city-wide places of “{name}”").format(
                    cap=lim.cap, name=esc(pick(lim.name, lim.name_en))
                )
            )
    return out


def history_line(campaign: Campaign, h: HistoryEntry, actors: dict[int, str]) -> str:
    by = actors.get(h.actor) if h.actor is not None else None
    if by == "office":
        person = _("the office")
    elif by:
        person = _("clerk of {unit}").format(unit=esc(by))
    else:
        person = _("the system")
    line = f"{when(campaign, h.at)} · {person} · {esc(action_label(h.action))}"
    status = h.changes.get("status")
    if status is not None:
        line += " · " + _("{old} → {new}").format(old=status_label(str(status[0])), new=status_label(str(status[1])))
    # which answers an edit changed (never their values); a creation answered them all
    fields = [k for k in h.changes if k == "category" or k in campaign.fields]
    if fields and h.action != "created":
        line += " · " + _("changed: {fields}").format(fields="、".join(esc(answer_label(campaign, k)) for k in fields))
    if h.note:
        line += " · " + esc(h.note)
    return line


def record_text(campaign: Campaign, rec: OfficeRecord, today: date, lead: str = "") -> str:
    """The whole record: answers, the soft rules met with their reasons, the places it holds, its
    alternates, the latest history (the whole with /audit N)."""
    n = rec.info
    lines = [lead, ""] if lead else []
    lines.append(texts.nominee_card(campaign, n, [], [], today))
    lines.append(_("Unit: {unit}").format(unit=esc(n.unit)))
    soft = soft_lines(campaign, n)
    if soft:
        lines += ["", _("<b>Conditions that need a reason</b>"), *soft]
    lines += ["", _("<b>Places held</b>")]
    lines += places_lines(campaign, n, rec.claims) or [_("none")]
    if rec.alternates:
        lines += ["", _("<b>Alternates</b>")]
        lines += [
            f"• {esc(nominee_title(campaign, a))} · {status_label(a.status, alternate=True)}" for a in rec.alternates
        ]
    if rec.history:
        lines += ["", _("<b>History</b> (the latest; /audit {id} shows all)").format(id=n.id)]
        lines += [history_line(campaign, h, rec.actors) for h in rec.history[-5:]]
    return clip("\n".join(lines))


def audit_text(campaign: Campaign, rec: OfficeRecord, offset: int) -> str:
    page = rec.history[offset : offset + AUDIT_PAGE]
    lines = [
        _("<b>Change history of {title}</b>").format(title=esc(nominee_title(campaign, rec.info))),
        _("Entries {first}–{last} of {total}:").format(
            first=offset + 1 if page else 0, last=offset + len(page), total=len(rec.history)
        ),
    ]
    lines += [f"{offset + i + 1}. {history_line(campaign, h, rec.actors)}" for i, h in enumerate(page)]
    return clip("\n".join(lines))


def decided(action: str, n: NomineeInfo, campaign: Campaign) -> str:
    """What the office is told after its decision."""
    title = esc(nominee_title(campaign, n))
    words = {
        "accept": _("{title}: passed initial review."),
        "return": _("{title}: returned to the unit for correction."),
        "approve": _("{title}: approved (final)."),
        "not_approve": _("{title}: not approved (final)."),
        "reopen": _("{title}: the decision is taken back; it awaits review again."),
    }
    return words[action].format(title=title)


def told(count: int, clerks: int) -> str:
    if clerks == 0:
        return _("The unit has no clerk registered: nobody was told.")
    if count == clerks:
        return _("The unit's clerks were told ({count}).").format(count=count)
    return _("{count} of the unit's {clerks} clerks were told (the others could not be reached).").format(
        count=count, clerks=clerks
    )


def clerk_notice(campaign: Campaign, n: NomineeInfo, note: str | None = None) -> str:
    """What the unit's clerks read at once after the office's decision on their nominee."""
    lines = [
        _("<b>From the office</b>: your unit's nominee {title} is now “{status}”.").format(
            title=esc(nominee_title(campaign, n)), status=status_label(n.status, alternate=n.alternate_for is not None)
        )
    ]
    if note:
        lines.append(_("Reason: {note}").format(note=esc(note)))
    if n.status == "returned":
        lines.append(_("Please correct it with /edit {id}, then hand it in again with /submit.").format(id=n.id))
    return "\n".join(lines)


def promoted_notice(campaign: Campaign, alternate: NomineeInfo, principal: NomineeInfo) -> str:
    return _("<b>From the office</b>: {principal} is not approved; its alternate {alternate} takes its place.").format(
        principal=esc(nominee_title(campaign, principal)), alternate=esc(nominee_title(campaign, alternate))
    )


def reopened_notice(unit: str, until: date | None = None, zone: str = "") -> str:
    """What the unit's clerks are told; ``until``: the last day it stays open (``zone``'s calendar)."""
    if until is None:
        return _(
            "<b>From the office</b>: the list of {unit} has been reopened. Nominees may be entered and changed "
            "again; please hand the list in again with /submit."
        ).format(unit=esc(unit))
    return _(
        "<b>From the office</b>: the list of {unit} has been reopened until {date} (through that day, {zone} "
        "time); it closes again after that day. Nominees may be entered and changed until then; please hand the "
        "list in again with /submit."
    ).format(unit=esc(unit), date=until.isoformat(), zone=zone)


def ask_reason(n: NomineeInfo, campaign: Campaign) -> str:
    return _(
        "Returning {title}. Please type the reason for the clerks (it is sent to them as typed). "
        "/cancel or the button stops without returning."
    ).format(title=esc(nominee_title(campaign, n)))


def ask_reopen(unit: str) -> str:
    return _(
        "Reopen the whole list of {unit}? Its submitted nominees become editable again and the unit must hand "
        "the list in again; the unit's clerks are told. Reopen it with no end date, or until a day you type "
        "(after the entry deadline it closes again when that day ends)?"
    ).format(unit=esc(unit))


def ask_until(unit: str, zone: str) -> str:
    return _(
        "Please type the last day the list of {unit} stays open, as YYYY-MM-DD or as a Chinese date (year, "
        "month, day), in {zone} time; it stays open through that day. /cancel stops without reopening."
    ).format(unit=esc(unit), zone=zone)


def confirm_until(unit: str, until: date, zone: str) -> str:
    return _(
        "Reopen the whole list of {unit} until {date} ({zone} time)? Its submitted nominees become editable "
        "again; after the entry deadline it closes again when {date} ends. The unit's clerks are told."
    ).format(unit=esc(unit), date=until.isoformat(), zone=zone)


def reopened(unit: str, count: int, until: date | None = None) -> str:
    if until is None:
        return _("The list of {unit} is reopened; {count} submitted nominees are editable again.").format(
            unit=esc(unit), count=count
        )
    return _("The list of {unit} is reopened until {date}; {count} submitted nominees are editable again.").format(
        unit=esc(unit), count=count, date=until.isoformat()
    )


def open_until_line(until: date, today: date) -> str:
    """On a unit's list: the day the office reopened it until, whether still ahead or passed."""
    if today <= until:
        return _("Reopened by the office until {date} (through that day).").format(date=until.isoformat())
    return _("Reopened by the office until {date}; closed again since that day ended.").format(date=until.isoformat())


def photo_caption(campaign: Campaign, n: NomineeInfo) -> str:
    return esc(nominee_title(campaign, n))[:1000]


__all__ = [
    "AUDIT_PAGE",
    "ask_reason",
    "ask_reopen",
    "ask_until",
    "audit_text",
    "button_title",
    "clerk_notice",
    "confirm_until",
    "decided",
    "open_until_line",
    "photo_caption",
    "promoted_notice",
    "record_text",
    "reopened",
    "reopened_notice",
    "told",
    "unit_button",
    "unit_list_text",
    "units_text",
]


def button_title(campaign: Campaign, n: NomineeInfo) -> str:
    """A nominee's title for a button (buttons show plain text: nothing to escape)."""
    return f"{nominee_title(campaign, n)} · {status_label(n.status, alternate=n.alternate_for is not None)}"
