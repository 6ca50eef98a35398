"""Everything the bot says, rendered from core results. No business rule here: only wording.

Our sentences go through gettext (English msgids, Chinese in locales/zh); campaign data
(award, category, field and rule names) comes bilingual from the definition.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from core.campaign import Award, Campaign, FieldDef
from core.errors import FieldError
from core.form import IntakeForm, Step, age_on
from core.idcard import mask_id
from core.phone import mask_phone
from core.ports import HistoryEntry, NomineeInfo, UnitQuota
from core.quota import Gap, LimitStatus, Refusal, UnitAwardStatus
from core.workdays import days_left
from handlers.i18n import _, _n, lang, pick

SHANGHAI = ZoneInfo("Asia/Shanghai")  # times are shown in the campaign's time zone
MAX_MESSAGE = 4000  # Telegram allows 4096; keep room for markup


def esc(value: Any) -> str:
    return html.escape(str(value), quote=False)


def award_name(campaign: Campaign, key: str) -> str:
    try:
        award = campaign.award(key)
    except KeyError:
        return key
    return pick(award.name, award.name_en)


def category_label(award: Award, value: str) -> str:
    return award.category_en(value) if lang() == "en" else value


def field_label(fdef: FieldDef) -> str:
    return pick(fdef.label, fdef.label_en)


def option_label(fdef: FieldDef, value: str) -> str:
    return fdef.option_en(value) if lang() == "en" else value


def step_label(form: IntakeForm, step: Step) -> str:
    if step.kind == "category":
        return _("Person category") if form.award.kind == "individual" else _("Kind of collective")
    if step.kind == "reason":
        return _("Reason for nominating")
    assert step.field is not None
    return field_label(step.field)


def short_label(form: IntakeForm, step: Step) -> str:
    """For buttons: the definition's short label when it has one."""
    if step.field is not None and step.field.short:
        return pick(step.field.short, step.field.short_en)
    return step_label(form, step)


STATUS = {
    "saved": "saved",
    "submitted": "submitted",
    "returned": "returned",
    "accepted": "accepted",
    "approved": "approved",
    "not_approved": "not_approved",
    "withdrawn": "withdrawn",
}


def status_label(status: str) -> str:
    labels = {
        "saved": _("saved (holds a place)"),
        "submitted": _("submitted to the office"),
        "returned": _("returned by the office"),
        "accepted": _("passed initial review"),
        "approved": _("approved"),
        "not_approved": _("not approved"),
        "withdrawn": _("withdrawn"),
    }
    return labels.get(status, status)


# ------------------------------------------------------------------------------ joining


def join_help() -> str:
    return _(
        "This bot collects nominations for the honours campaign of your trade union.\n\n"
        "To use it you need an invitation code from the office of the selection committee. "
        "Open the invitation link you received, or send the code here as a message.\n\n"
        "If you have no code, please contact the office."
    )


def joined(user_unit: str | None, campaign: Campaign, role: str) -> str:
    if role == "office":
        return _("Welcome. You are registered as office staff of “{campaign}”.").format(
            campaign=esc(pick(campaign.name, campaign.name_en))
        )
    return _(
        "Welcome. You are registered as the clerk of <b>{unit}</b> for “{campaign}”.\n\n"
        "Send /new to enter a nominee, /quota to see the places left, /help for all commands."
    ).format(unit=esc(user_unit), campaign=esc(pick(campaign.name, campaign.name_en)))


def service_error(code: str, params: Mapping[str, Any]) -> str:
    """The storage layer's refusals (core.ports.ServiceError codes) in the clerk's words."""
    texts = {
        "invite.invalid": _(
            "This invitation code is not valid: it may be mistyped, already used or expired. "
            "Please check it or ask the office for a new one."
        ),
        "user.unknown": _("Please join first: send the invitation code."),
        "nominee.not_found": _("No such nominee in your unit's list."),
        "nominee.locked": _("This nominee can no longer be changed (status: {status}).").format(
            status=status_label(str(params.get("status", "")))
        ),
        "nominee.incomplete": _("Some required answers are missing. Please complete them and confirm again."),
        "nominee.conflict": _("This nominee was changed in the meantime. Please open it again."),
        "nominee.award_changed": _("This nominee was changed in the meantime. Please open it again."),
        "unit.submitted": _(
            "Your unit's list has been submitted and is locked. Please contact the office to reopen it."
        ),
        "unit.closed": _("The deadline has passed: your unit's list is closed. Only the office can reopen it."),
        "alternate.invalid_principal": _(
            "The nominee this alternate was for is no longer in the list; the alternate was not saved."
        ),
        "alternate.not_needed": _("This nominee does not need an alternate."),
        "alternate.exists": _("This nominee already has an alternate."),
        "alternate.category": _("An alternate must be a frontline worker of the same kind."),
        "forbidden.clerk_only": _("You are not allowed to do this."),
        "forbidden.office_only": _("You are not allowed to do this."),
        "file.too_large": _("The file is too large (at most {max_mb} MB).").format(max_mb=params.get("max_mb", 20)),
        # the office changed the campaign's definition under a clerk's feet
        "unit.unknown": _(
            "Your unit is not (or no longer) part of this campaign's allocation. Please contact the office."
        ),
        "award.unknown": _("This award is not (or no longer) part of the campaign. Please send /new to start again."),
        "campaign.unknown": _("The campaign you joined is no longer available. Please contact the office."),
    }
    return texts.get(code, _("The request could not be completed ({code}).").format(code=esc(code)))


# ------------------------------------------------------------------------------ field errors


def field_error(err: FieldError, step: Step | None = None) -> str:
    p = err.params
    texts: dict[str, str] = {
        "id.empty": _("Please enter the ID number."),
        "id.length": _("An ID number has 18 characters; you entered {length}.").format(length=p.get("length")),
        "id.chars": _("An ID number has 17 digits followed by a digit or the letter X."),
        "id.region": _("The first six digits are not a valid region code. Please check the number."),
        "id.birthdate": _("The birth date in this ID number does not exist. Please check digits 7 to 14."),
        "id.future": _("The birth date in this ID number lies in the future. Please check the number."),
        "id.age": _("The age from this ID number is {age}; nominees must be {min_age}–{max_age} years old.").format(
            age=p.get("age"), min_age=p.get("min_age"), max_age=p.get("max_age")
        ),
        "id.checksum": _(
            "The check digit (last character) does not match: one of the digits is probably mistyped. "
            "Please compare with the ID card."
        ),
        "phone.empty": _("Please enter a phone number."),
        "phone.invalid": _(
            "This is not a valid phone number. Enter an 11-digit mobile number or a landline with area code, "
            "e.g. 0371-67883217."
        ),
        "text.empty": _("The answer is empty. Please type it again."),
        "text.too_short": _("Too short: {length} characters, at least {min} are required.").format(
            length=p.get("length"), min=p.get("min")
        ),
        "text.too_long": _("Too long: {length} characters, at most {max} are allowed.").format(
            length=p.get("length"), max=p.get("max")
        ),
        "text.words": _(
            "Please answer in words: emoji cannot go into the official forms, and digits or symbols alone are not "
            "an answer."
        ),
        "name.empty": _("Please enter the name."),
        "name.invalid": _(
            "A name may contain Chinese characters (with · for minority names) or Latin letters; "
            "no digits, symbols or emoji."
        ),
        "name.length": _("A name has {min} to {max} characters.").format(min=p.get("min"), max=p.get("max")),
        "org.empty": _("Please enter the name of the organisation."),
        "org.invalid": _("The name contains characters that are not allowed (emoji or symbols)."),
        "org.length": _("An organisation name has {min} to {max} characters.").format(
            min=p.get("min"), max=p.get("max")
        ),
        "choice.empty": _("Please choose one of the buttons."),
        "choice.invalid": _("Please choose one of the buttons below (or type one of the listed answers)."),
        "int.empty": _("Please enter a number."),
        "int.invalid": _("Please enter a whole number using digits, e.g. 120."),
        "int.range": _("The number must be between {min} and {max}.").format(min=p.get("min"), max=p.get("max")),
        "photo.expected": _("Please send a photo (JPG or PNG), as a picture or as a file."),
        "photo.empty": _("The file is empty."),
        "photo.format": _("Only JPG and PNG images are accepted; this file is not one. Please send a photo."),
        "photo.corrupt": _("The image could not be read; it may be damaged. Please send another file."),
        "photo.too_large": _("The file is too large (at most {max_mb} MB).").format(max_mb=p.get("max_mb")),
        "field.required": _("This question is required and cannot be skipped."),
        "field.type": _("Please answer with text."),
        "form.no_such_step": _("This question does not apply to the current nominee."),
    }
    if err.code == "eligibility.hard":
        message = pick(str(p.get("message", "")), p.get("message_en"))
        return _(
            "According to the campaign rules this nominee cannot be nominated:\n<i>{message}</i>\n\n"
            "If the answer was a mistake, choose again; otherwise cancel this nominee."
        ).format(message=esc(message))
    return texts.get(err.code, _("This answer cannot be accepted ({code}).").format(code=esc(err.code)))


# ------------------------------------------------------------------------------ quota and refusals


def places_button(campaign: Campaign, status: UnitAwardStatus) -> str:
    name = award_name(campaign, status.award)
    if status.cap is None:
        return _("{award} · no unit quota").format(award=name)
    if status.competitive:
        return _("{award} · may nominate {left}/{cap}").format(award=name, left=status.left, cap=status.cap)
    return _("{award} · left {left}/{cap}").format(award=name, left=status.left, cap=status.cap)


def refusal_text(campaign: Campaign, refusal: Refusal) -> str:
    p = refusal.params
    award = award_name(campaign, str(p.get("award", "")))
    if refusal.rule == "no_allocation":
        return _("Your unit has no places for {award}.").format(award=award)
    if refusal.rule == "unit_full":
        return _("{award}: all {cap} places of your unit are taken.").format(award=award, cap=p["cap"])
    if refusal.rule == "per_unit_limit":
        return _(
            "{award} is competitive: each unit may nominate at most {max}, and your unit has nominated {used}."
        ).format(award=award, max=p["max"], used=p["used"])
    if refusal.rule == "reserved":
        open_parts = "、".join(
            _("{name} {count}").format(name=pick(name, name_en), count=count)
            for _kind, name, name_en, count in p["open"]
        )
        category = p.get("category")
        who = esc(category_label(campaign.award(str(p["award"])), str(category))) if category else _("this nominee")
        return _(
            "{award}: your unit has {cap} places, {used} taken. "
            "Places still reserved: {open}; free places left: {free}. "
            "“{who}” is not in these reserved groups and would need a free place, so it cannot be added now."
        ).format(award=award, cap=p["cap"], used=p["used"], open=open_parts or "—", free=p["free"], who=who)
    if refusal.rule == "limit_full":
        name = pick(str(p["name"]), p.get("name_en"))
        if p.get("kind") == "pool":
            return _(
                "The city-wide pool “{name}” ({cap} places for the whole city) is used up; no more such nominees "
                "can be added."
            ).format(name=esc(name), cap=p["cap"])
        return _("{name}: all {cap} places of the whole city are taken.").format(name=esc(name), cap=p["cap"])
    if refusal.rule == "duplicate":
        return _("This person or organisation has already been nominated by “{unit}” in this campaign.").format(
            unit=esc(p.get("unit", "?"))
        )
    if refusal.rule == "ineligible":
        return _("Not eligible: {message}").format(message=esc(pick(str(p.get("message", "")), p.get("message_en"))))
    if refusal.rule == "closed":
        return service_error(str(p.get("code", "closed")), p)
    return esc(refusal.rule)


def refusals_text(campaign: Campaign, refusals: Sequence[Refusal]) -> str:
    return "\n".join(f"• {refusal_text(campaign, r)}" for r in refusals)


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


def gaps_text(campaign: Campaign, gaps: Sequence[Gap], names: Mapping[int, str]) -> str:
    lines = [_("The list cannot be submitted yet:")]
    for gap in gaps:
        p = gap.params
        if gap.rule == "reserved_open":
            lines.append(
                _n(
                    "• {award}: {needed} place reserved for {name} is not filled.",
                    "• {award}: {needed} places reserved for {name} are not filled.",
                    p["needed"],
                ).format(
                    award=award_name(campaign, p["award"]),
                    needed=p["needed"],
                    name=esc(pick(p["name"], p.get("name_en"))),
                )
            )
        elif gap.rule == "alternate_missing":
            lines.append(
                _("• {name} (#{id}) needs an alternate frontline worker of the same kind.").format(
                    name=esc(p.get("name") or "?"), id=p["nominee"]
                )
            )
        elif gap.rule == "below_minimum":
            lines.append(
                _n(
                    "• {award}: at least {min} nomination expected.",
                    "• {award}: at least {min} nominations expected.",
                    p["min"],
                ).format(award=award_name(campaign, p["award"]), min=p["min"])
            )
        elif gap.rule == "answers_missing":
            lines.append(
                _("• #{id} {name}: answers missing.").format(id=p["nominee"], name=esc(names.get(p["nominee"], "")))
            )
    return "\n".join(lines)


# ------------------------------------------------------------------------------ the wizard


def display_value(form: IntakeForm, key: str, answers: Mapping[str, Any], today: date) -> str:
    value = answers.get(key)
    if value is None:
        return _("(skipped)") if key in answers else _("(not answered)")
    if key == "category":
        return esc(category_label(form.award, str(value)))
    if key == "id_number":
        age = age_on(answers, today)
        gender = answers.get("gender", "")
        gender_text = {"男": _("male"), "女": _("female")}.get(str(gender), str(gender))
        return _("{masked} ({gender}, born {birth}, age {age})").format(
            masked=mask_id(str(value)), gender=gender_text, birth=answers.get("birth_date"), age=age
        )
    fdef = form.campaign.fields.get(key)
    if fdef is not None:
        if fdef.type == "photo":
            return _("received")
        if fdef.type == "phone":
            return esc(mask_phone(str(value)))
        if fdef.options:
            return esc(option_label(fdef, str(value)))
        if fdef.type == "longtext":
            text = str(value)
            return esc(text[:60] + ("…" if len(text) > 60 else "")) + " " + _("({n} characters)").format(n=len(text))
    return esc(value)


def prompt(form: IntakeForm, step: Step, answers: Mapping[str, Any], today: date, notice: str = "") -> str:
    index, total = form.progress(answers, step.key)
    title = _("Step {i}/{n} · {label}").format(i=index, n=total, label=esc(step_label(form, step)))
    head = esc(pick(form.award.name, form.award.name_en))
    if form.alternate:
        head += " · " + _("alternate")
    parts = [f"<b>{head}</b>", title]
    if step.kind == "category":
        parts.append(
            _(
                "Choose the category the nominee is reported under. "
                "Categories marked ✕ cannot be added now; tap one to see why."
            )
        )
    elif step.kind == "reason":
        assert step.rule is not None
        parts.append(
            _(
                "The rules say: <i>{message}</i>\nIf you still nominate, please write the reason (5–500 characters)."
            ).format(message=esc(pick(step.rule.message, step.rule.message_en)))
        )
    else:
        fdef = step.field
        assert fdef is not None
        hint = _hint(fdef)
        if hint:
            parts.append(hint)
        help_text = pick(fdef.help or "", fdef.help_en) if fdef.help else ""
        if help_text:
            parts.append(f"<i>{esc(help_text)}</i>")
        if step.key in answers:
            parts.append(_("Current answer: {value}").format(value=display_value(form, step.key, answers, today)))
        if not fdef.required:
            parts.append(_("This question is optional."))
    if notice:
        parts.insert(0, notice)
    return "\n".join(parts)


def _hint(fdef: FieldDef) -> str:
    match fdef.type:
        case "choice":
            if fdef.common and len(fdef.choices) > fdef.common:
                return _("Choose below, or type the answer if it is not listed.")
            return _("Choose one of the buttons.")
        case "yesno":
            return _("Choose Yes or No.")
        case "id_number":
            return _("Type the 18-character ID number. Sex, birth date and age are read from it.")
        case "phone":
            return _("Type a mobile number (11 digits) or a landline with area code.")
        case "photo":
            if fdef.max_width and fdef.max_height:
                return _(
                    "Send a photo (JPG or PNG), as a picture or as a file. It is scaled to at most {w}×{h} pixels."
                ).format(w=fdef.max_width, h=fdef.max_height)
            return _("Send a photo (JPG or PNG), as a picture or as a file.")
        case "integer":
            return _("Type a number.")
        case "longtext":
            return _("Type the text: {min}–{max} characters.").format(
                min=fdef.min_length or 1, max=fdef.max_length or 5000
            )
        case "person_name":
            return _("Type the full name.")
        case "org_name":
            return _("Type the full name of the organisation.")
    if fdef.max_length:
        return _("Type the answer (at most {max} characters).").format(max=fdef.max_length)
    return _("Type the answer.")


def split_rest(step: Step) -> str:
    """For the rest of an over-long paste that Telegram sent as several messages."""
    text = _(
        "This is the rest of the over-long text above, which Telegram sent as several messages; "
        "it was not taken as the answer."
    )
    limit = step.field.max_length if step.field is not None else None
    if limit:
        text += " " + _("Please shorten the whole text to at most {max} characters and send it again.").format(
            max=limit
        )
    return text


def accepted_note(form: IntakeForm, key: str, answers: Mapping[str, Any], today: date) -> str:
    """A short confirmation after a typed answer (derived values shown, never asked)."""
    if key == "id_number":
        return _("ID number accepted: {value}").format(value=display_value(form, key, answers, today))
    fdef = form.campaign.fields.get(key)
    if fdef is not None and fdef.type == "longtext":
        return _("Text accepted: {n} characters.").format(n=len(str(answers.get(key, ""))))
    return ""


def summary(form: IntakeForm, answers: Mapping[str, Any], today: date, notice: str = "") -> str:
    head = pick(form.award.name, form.award.name_en)
    lines = [f"<b>{esc(head)}</b>" + (" · " + _("alternate") if form.alternate else ""), _("Please check the answers:")]
    for step in form.steps(answers):
        lines.append(
            _("{label}: {value}").format(
                label=f"<b>{esc(step_label(form, step))}</b>", value=display_value(form, step.key, answers, today)
            )
        )
    missing = form.missing(answers)
    if missing:
        lines.append(
            _n("Still missing: {n} answer.", "Still missing: {n} answers.", len(missing)).format(n=len(missing))
        )
    else:
        lines.append(_("Tap “Confirm and save” to save the nominee, or a button to change an answer."))
    if notice:
        lines.insert(0, notice + "\n")
    return clip("\n".join(lines))


def saved_text(campaign: Campaign, nominee: NomineeInfo, quota: UnitQuota) -> str:
    award = award_name(campaign, nominee.award)
    who = nominee.answers.get("name") or nominee.answers.get("team_name") or nominee.answers.get("org_name") or ""
    status = next((s for s in quota.awards if s.award == nominee.award), None)
    lines = [_("Saved: #{id} {who} · {award}.").format(id=nominee.id, who=esc(who), award=award)]
    if status is not None and status.cap is not None and not status.competitive:
        lines.append(
            _n(
                "{award}: {left} place left for your unit, {free} of them free.",
                "{award}: {left} places left for your unit, {free} of them free.",
                status.left,
            ).format(award=award, left=status.left, free=status.free)
        )
    return "\n".join(lines)


# ------------------------------------------------------------------------------ lists and records


def nominee_title(campaign: Campaign, n: NomineeInfo) -> str:
    who = n.answers.get("name") or n.answers.get("team_name") or n.answers.get("org_name") or "?"
    alt = " · " + _("alternate") if n.alternate_for else ""
    return f"#{n.id} {who} · {award_name(campaign, n.award)}{alt}"


def nominee_card(
    campaign: Campaign, n: NomineeInfo, history: Sequence[HistoryEntry], missing: Sequence[str], today: date
) -> str:
    form = IntakeForm(campaign, n.award, alternate=n.alternate_for is not None)
    lines = [f"<b>{esc(nominee_title(campaign, n))}</b>", _("Status: {status}").format(status=status_label(n.status))]
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
                f"{h.at:%Y-%m-%d %H:%M} · {esc(action_label(h.action))}" + (f" · {esc(h.note)}" if h.note else "")
            )
    return clip("\n".join(lines))


def action_label(action: str) -> str:
    labels = {
        "created": _("created"),
        "edited": _("edited"),
        "withdrawn": _("withdrawn"),
        "submitted": _("submitted"),
        "returned": _("returned"),
        "accepted": _("accepted"),
        "approved": _("approved"),
        "not_approved": _("not approved"),
        "reopened": _("reopened"),
    }
    return labels.get(action, action)


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
            when = _n("passed {n} day ago", "passed {n} days ago", -left).format(n=-left)
        lines.append(_("• {name}: {date} ({when})").format(name=name, date=stage.deadline.isoformat(), when=when))
    return "\n".join(lines)


def help_text() -> str:
    return _(
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


def clip(text: str, limit: int = MAX_MESSAGE) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
