"""The intake's texts: a question's prompt (limits said once), the note after an accepted answer,
the summary card before saving, the saved/edited reply and the alternate notice."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from core.campaign import Campaign, FieldDef
from core.form import IntakeForm, Step
from core.records import NomineeInfo, UnitQuota
from core.selectors import listed
from core.textcheck import visible_length
from handlers.i18n import _, _n, pick, sentences
from handlers.labels import (
    award_name,
    category_label,
    clip,
    display_value,
    esc,
    step_label,
    who,
)


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
        case "multichoice":
            return _("Tap every answer that applies (tap again to undo), then ✔ Done; or type them separated by 、.")
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
    name = who(nominee.answers)
    status = next((s for s in quota.awards if s.award == nominee.award), None)
    done = _("Changed: #{id} {who} · {award}.") if edited else _("Saved: #{id} {who} · {award}.")
    lines = [done.format(id=nominee.id, who=esc(name), award=award)]
    if status is not None and status.cap is not None and not status.competitive:
        lines.append(
            _n(
                "{award}: {left} place left for your unit, {free} of them free.",
                "{award}: {left} places left for your unit, {free} of them free.",
                status.left,
            ).format(award=award, left=status.left, free=status.free)
        )
    return "\n".join(lines)


def alternate_notice(campaign: Campaign, award_key: str) -> str:
    """After saving an enterprise head or 科级 cadre: the alternate owed, and of which categories
    (郑工办〔2024〕6号: 同时推荐1名同类别一线职工作为备选)."""
    award = campaign.award(award_key)
    kinds = listed(award.alternate.alternate_where, "category") if award.alternate else []
    if not kinds:
        return _(
            "A nominee of this category needs one alternate, nominated at the same time; otherwise the place "
            "is cancelled. The alternate takes no place of its own."
        )
    return _(
        "A nominee of this category needs one alternate, nominated at the same time, of the category {kinds}; "
        "otherwise the place is cancelled. The alternate takes no place of its own."
    ).format(kinds=_(" or ").join(f"“{esc(category_label(award, k))}”" for k in kinds))


__all__ = ["accepted_note", "alternate_notice", "prompt", "saved_text", "split_rest", "summary"]
