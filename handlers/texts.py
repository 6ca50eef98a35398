"""Everything the bot says, rendered from core results. No business rule here: only wording.

Our sentences go through gettext (English msgids, Chinese in locales/zh); campaign data
(award, category, field and rule names) comes bilingual from the definition.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, assert_never

from core.campaign import Award, Campaign, FieldDef
from core.clock import local_time
from core.errors import (
    AnswerProblem,
    CalendarUnknown,
    ChoiceEmpty,
    ChoiceInvalid,
    FieldRequired,
    IdAge,
    IdBirthDate,
    IdChars,
    IdChecksum,
    IdEmpty,
    IdFirstGeneration,
    IdFuture,
    IdLength,
    IdRegion,
    Ineligible,
    IntEmpty,
    IntInvalid,
    IntRange,
    NameEmpty,
    NameInvalid,
    NameLength,
    NoSuchStep,
    OrgEmpty,
    OrgInvalid,
    OrgLength,
    PhoneEmpty,
    PhoneInvalid,
    PhotoCorrupt,
    PhotoEmpty,
    PhotoExpected,
    PhotoFormat,
    PhotoKind,
    PhotoTooLarge,
    PhotoTooManyPixels,
    TextEmpty,
    TextExpected,
    TextTooLong,
    TextTooShort,
    TextWords,
)
from core.form import IntakeForm, Step, age_on
from core.idcard import mask_id
from core.phone import mask_phone
from core.quota import LimitStatus, UnitAwardStatus
from core.records import Draft, HistoryEntry, NomineeInfo, UnitQuota
from core.textcheck import visible_length, visible_prefix
from core.workdays import days_left
from handlers.i18n import _, _n, lang, pick, sentences

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
        # one reason step per soft rule that fires: named after the answer that made it fire, so
        # two of them on one card are told apart
        fields = form.campaign.fields
        about = [fields[key] for key in (step.rule.when if step.rule else {}) if key in fields]
        if not about:
            return _("Reason for nominating")
        fdef = about[0]
        name = pick(fdef.short, fdef.short_en) if fdef.short else field_label(fdef)
        return _("Reason for nominating ({about})").format(about=name)
    assert step.field is not None
    return field_label(step.field)


def short_label(form: IntakeForm, step: Step) -> str:
    """For buttons: the definition's short label when it has one."""
    if step.field is not None and step.field.short:
        return pick(step.field.short, step.field.short_en)
    return step_label(form, step)


def status_label(status: str, *, alternate: bool = False) -> str:
    """A nominee's status; an alternate (备选) holds no place of its own."""
    if alternate and status == "saved":
        return _("saved (alternate, holds no place)")
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


# ------------------------------------------------------------------------------ answer problems


def photo_kind(kind: PhotoKind) -> str:
    match kind:
        case "JPG" | "PNG":
            return kind
        case "progressive JPG":
            return _("progressive JPG")


def photo_hint(kind: PhotoKind) -> str:
    """What to do with a picture of too many pixels: the other kinds are decoded reduced."""
    match kind:
        case "JPG":
            return _("Please send a smaller photo.")
        case "PNG":
            return _("Please send a smaller picture, or the photo saved as JPG.")
        case "progressive JPG":
            return _("Please send a smaller picture, or the photo saved as an ordinary (baseline) JPG.")


def answer_problem(problem: AnswerProblem, step: Step | None = None) -> str:
    """Why an answer was refused, in the reader's language: one sentence (HTML) saying what to do.

    ``step`` is the question answered, or None when the refusal came from a button outside a
    question (skip); today's sentences do not depend on it. A kind without a text fails mypy."""
    match problem:
        case IdEmpty():
            return _("Please enter the ID number.")
        case IdLength(length=length):
            return _("An ID number has 18 characters; you entered {length}.").format(length=length)
        case IdFirstGeneration():
            return _(
                "This is a 15-digit first-generation ID number; first-generation cards are no longer valid. "
                "Please enter the 18-character number of the nominee's current ID card."
            )
        case IdChars():
            return _("An ID number has 17 digits followed by a digit or the letter X.")
        case IdRegion():
            return _("The region code at the start of the number is not valid. Please check the number.")
        case IdBirthDate():
            return _("The birth date in this ID number does not exist. Please check digits 7 to 14.")
        case IdFuture():
            return _("The birth date in this ID number lies in the future. Please check the number.")
        case IdAge(age=age, min_age=min_age, max_age=max_age):
            return _("The age from this ID number is {age}; nominees must be {min_age}–{max_age} years old.").format(
                age=age, min_age=min_age, max_age=max_age
            )
        case IdChecksum():
            return _(
                "The check digit (last character) does not match: one of the digits is probably mistyped. "
                "Please compare with the ID card."
            )
        case PhoneEmpty():
            return _("Please enter a phone number.")
        case PhoneInvalid():
            return _(
                "This is not a valid phone number. Enter an 11-digit mobile number or a landline with area code, "
                "e.g. 0371-67883217; a Hong Kong, Macao or Taiwan number with its code +852, +853 or +886."
            )
        case TextEmpty():
            return _("The answer is empty. Please type it again.")
        case TextTooShort(length=length, min=low):
            return _("Too short: {length} characters, at least {min} are required.").format(length=length, min=low)
        case TextTooLong(length=length, max=high):
            return _("Too long: {length} characters, at most {max} are allowed.").format(length=length, max=high)
        case TextWords():
            return _(
                "Please answer in words: emoji cannot go into the official forms, and digits or symbols alone are "
                "not an answer."
            )
        case NameEmpty():
            return _("Please enter the name.")
        case NameInvalid():
            return _(
                "A name may contain Chinese characters (with · for minority names) or Latin letters; "
                "no digits, symbols or emoji."
            )
        case NameLength(min=low, max=high):
            return _("A name has {min} to {max} characters.").format(min=low, max=high)
        case OrgEmpty():
            return _("Please enter the name of the organisation.")
        case OrgInvalid():
            return _(
                "The name contains characters that are not allowed (emoji or symbols). Letters, digits and the "
                "punctuation of registered names may be used: （）“”‘’《》·、-—/&."
            )
        case OrgLength(min=low, max=high):
            return _("An organisation name has {min} to {max} characters.").format(min=low, max=high)
        case ChoiceEmpty():
            return _("Please choose one of the buttons.")
        case ChoiceInvalid():
            fdef = step.field if step is not None else None
            if fdef is not None and fdef.common and len(fdef.options) > fdef.common:
                # only the common ones are buttons: say that every one of them may be typed
                return _(
                    "Please tap a button below, or type the {label}: any of all {n} is accepted (those without "
                    "a button too), e.g. {example}."
                ).format(
                    n=len(fdef.options),
                    label=esc(field_label(fdef)),
                    example=esc(option_label(fdef, fdef.options[fdef.common])),
                )
            return _("Please choose one of the buttons below (or type one of the listed answers).")
        case IntEmpty():
            return _("Please enter a number.")
        case IntInvalid():
            return _("Please enter a whole number using digits, e.g. 120.")
        case IntRange(min=None, max=int() as high):
            return _("The number must be at most {max}.").format(max=high)
        case IntRange(min=int() as low, max=None):
            return _("The number must be at least {min}.").format(min=low)
        case IntRange(min=low, max=high):
            return _("The number must be between {min} and {max}.").format(min=low, max=high)
        case PhotoExpected():
            return _("Please send a photo (JPG or PNG), as a picture or as a file.")
        case PhotoEmpty():
            return _("The file is empty.")
        case PhotoFormat():
            return _("Only JPG and PNG images are accepted; this file is not one. Please send a photo.")
        case PhotoCorrupt():
            return _("The image could not be read; it may be damaged. Please send another file.")
        case PhotoTooLarge(max_mb=max_mb):
            return _("The file is too large (at most {max_mb} MB).").format(max_mb=max_mb)
        case PhotoTooManyPixels(width=width, height=height, max_megapixels=max_megapixels, kind=kind):
            return _(
                "The picture is too large: {width}×{height} pixels; a {kind} file may have at most "
                "{max_megapixels} million pixels. {what_to_do}"
            ).format(
                width=width,
                height=height,
                max_megapixels=max_megapixels,
                kind=photo_kind(kind),
                what_to_do=photo_hint(kind),
            )
        case FieldRequired():
            return _("This question is required and cannot be skipped.")
        case TextExpected():
            return _("Please answer with text.")
        case NoSuchStep():
            return _("This question does not apply to the current nominee.")
        case Ineligible(message=message, message_en=message_en):
            return _(
                "According to the campaign rules this nominee cannot be nominated:\n<i>{message}</i>\n\n"
                "If the answer was a mistake, choose again; otherwise cancel this nominee."
            ).format(message=esc(pick(message, message_en)))
        case CalendarUnknown(year=year):
            return _(
                "The official calendar of working days for {year} has not been published yet, so working days "
                "in {year} cannot be counted."
            ).format(year=year)
        case _:
            assert_never(problem)


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


def display_value(
    form: IntakeForm, key: str, answers: Mapping[str, Any], today: date, *, proofread: bool = False
) -> str:
    """One answer as the chat shows it. An ID number is masked (:func:`core.idcard.mask_id`: with
    the sex and birth date beside it, at least 500 numbers stay possible) and so is a phone number,
    unless ``proofread``: the summary before saving shows both whole, once, to be proof-read."""
    value = answers.get(key)
    if value is None:
        return _("(skipped)") if key in answers else _("(not answered)")
    if key == "category":
        return esc(category_label(form.award, str(value)))
    if key == "id_number":
        age = age_on(answers, today)
        gender = answers.get("gender", "")
        gender_text = {"男": _("male"), "女": _("female")}.get(str(gender), str(gender))
        number = str(value) if proofread else mask_id(str(value))
        return _("{masked} ({gender}, born {birth}, age {age})").format(
            masked=esc(number), gender=gender_text, birth=answers.get("birth_date"), age=age
        )
    fdef = form.campaign.fields.get(key)
    if fdef is not None:
        if fdef.type == "photo":
            return _("received")
        if fdef.type == "phone":
            return esc(str(value) if proofread else mask_phone(str(value)))
        if fdef.options:
            return esc(option_label(fdef, str(value)))
        if fdef.type == "longtext":
            text = str(value)
            preview = visible_prefix(text, 60)
            return (
                esc(preview + ("…" if preview != text else ""))
                + " "
                + _("({n} characters)").format(n=visible_length(text))
            )
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
        help_text = pick(fdef.help or "", fdef.help_en) if fdef.help else ""
        # a definition's help says how to write a name; the generic sentence would contradict it
        hint = "" if help_text and fdef.type in ("person_name", "org_name") else _hint(form, fdef)
        if hint:
            parts.append(hint)
        if help_text:
            parts.append(f"<i>{esc(help_text)}</i>")
        if step.key in answers:
            parts.append(_("Current answer: {value}").format(value=display_value(form, step.key, answers, today)))
        if not fdef.required:
            parts.append(_("This question is optional."))
    if step.kind != "field" and step.key in answers:  # a category or reason gone back to
        parts.append(_("Current answer: {value}").format(value=display_value(form, step.key, answers, today)))
    if notice:
        parts.insert(0, notice + "\n")  # a blank line between what was said and the question
    return "\n".join(parts)


def _hint(form: IntakeForm, fdef: FieldDef) -> str:
    """How to answer, with the definition's limits, each said once."""
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
            if form.award.kind == "collective":
                return _(
                    "Type the nominated collective's contact phone: a mobile number (11 digits) or a landline "
                    "with area code."
                )
            return _("Type the nominee's own phone: a mobile number (11 digits) or a landline with area code.")
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
        text = sentences(
            text, _("Please shorten the whole text to at most {max} characters and send it again.").format(max=limit)
        )
    return text


def accepted_note(form: IntakeForm, key: str, answers: Mapping[str, Any], today: date) -> str:
    """A short confirmation after a typed answer (derived values shown, never asked)."""
    if key == "id_number":
        return _("ID number accepted: {value}").format(value=display_value(form, key, answers, today))
    fdef = form.campaign.fields.get(key)
    if fdef is not None and fdef.type == "longtext":
        return _("Text accepted: {n} characters.").format(n=visible_length(str(answers.get(key, ""))))
    return ""


def summary(form: IntakeForm, answers: Mapping[str, Any], today: date, notice: str = "") -> str:
    head = pick(form.award.name, form.award.name_en)
    lines = [f"<b>{esc(head)}</b>" + (" · " + _("alternate") if form.alternate else ""), _("Please check the answers:")]
    for step in form.steps(answers):
        lines.append(
            _("{label}: {value}").format(
                label=f"<b>{esc(step_label(form, step))}</b>",
                value=display_value(form, step.key, answers, today, proofread=True),
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


def saved_text(campaign: Campaign, nominee: NomineeInfo, quota: UnitQuota, *, edited: bool = False) -> str:
    """已保存 for a new nominee, 已修改 after an edit, with the places left."""
    award = award_name(campaign, nominee.award)
    who = nominee.answers.get("name") or nominee.answers.get("team_name") or nominee.answers.get("org_name") or ""
    status = next((s for s in quota.awards if s.award == nominee.award), None)
    done = _("Changed: #{id} {who} · {award}.") if edited else _("Saved: #{id} {who} · {award}.")
    lines = [done.format(id=nominee.id, who=esc(who), award=award)]
    if status is not None and status.cap is not None and not status.competitive:
        lines.append(
            _n(
                "{award}: {left} place left for your unit, {free} of them free.",
                "{award}: {left} places left for your unit, {free} of them free.",
                status.left,
            ).format(award=award, left=status.left, free=status.free)
        )
    return "\n".join(lines)


def draft_who(draft: Draft) -> str:
    """Whom a draft is about, as far as typed: the person's, team's or organisation's name ("" before)."""
    answers = draft.answers
    return str(answers.get("name") or answers.get("team_name") or answers.get("org_name") or "")


def draft_title(campaign: Campaign, draft: Draft) -> str:
    """A draft as the clerk knows it: its award and, once typed, its name."""
    award = award_name(campaign, draft.award or "")
    who = draft_who(draft)
    return f"{award} · {who}" if who else award


def alternate_notice(campaign: Campaign, award_key: str) -> str:
    """After saving an enterprise head or 科级 cadre: the alternate owed, and of which categories
    (郑工办〔2024〕6号: 同时推荐1名同类别一线职工作为备选)."""
    award = campaign.award(award_key)
    kinds = award.alternate.alternate_where.get("category", []) if award.alternate else []
    if not kinds:
        return _(
            "A nominee of this category needs one alternate, nominated at the same time; otherwise the place "
            "is cancelled. The alternate takes no place of its own."
        )
    return _(
        "A nominee of this category needs one alternate, nominated at the same time, of the category {kinds}; "
        "otherwise the place is cancelled. The alternate takes no place of its own."
    ).format(kinds=_(" or ").join(f"“{esc(category_label(award, k))}”" for k in kinds))


# ------------------------------------------------------------------------------ lists and records


def nominee_title(campaign: Campaign, n: NomineeInfo) -> str:
    who = n.answers.get("name") or n.answers.get("team_name") or n.answers.get("org_name") or "?"
    alt = " · " + _("alternate") if n.alternate_for else ""
    return f"#{n.id} {who} · {award_name(campaign, n.award)}{alt}"


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
            when = _("closed")  # 已截止: how many days ago helps nobody
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


def office_help(*, clerk_command: bool = False) -> str:
    """The commands of office staff; ``clerk_command``: after one that only a unit's clerk can use."""
    lines = []
    if clerk_command:
        lines += [_("This command is for the clerks of the recommending units; office staff have no unit list."), ""]
    lines.append(
        _(
            "<b>Commands for office staff</b>\n"
            "/list — the nominees of all units, and the reserved places units gave up\n"
            "/status N — one nominee's record and history\n"
            "/deadlines — dates of the campaign\n"
            "/lang — 中文 / English\n"
            "/help — this list"
        )
    )
    return "\n".join(lines)


def clip(text: str, limit: int = MAX_MESSAGE) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
