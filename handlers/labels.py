"""How campaign data and stored values read in the chat: award, category, field, option, step and
status labels, a nominee's or draft's title, one answer as shown (ID and phone numbers masked),
HTML escaping and the message-length clip. Wording only, no rule."""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import date
from typing import Any

from core.campaign import Award, Campaign, FieldDef
from core.form import IntakeForm, Step, age_on
from core.idcard import mask_id
from core.phone import mask_phone
from core.records import Draft, NomineeInfo
from core.selectors import fields_of
from core.textcheck import visible_length, visible_prefix
from handlers.i18n import _, lang, pick

MAX_MESSAGE = 4000  # Telegram allows 4096; keep room for markup


def esc(value: Any) -> str:
    return html.escape(str(value), quote=False)


def clip(text: str, limit: int = MAX_MESSAGE) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


PREVIEW = 60  # characters of a long text shown in a card; the rest on 📄 (long_answers)


def long_answers(campaign: Campaign, answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, whole text) of each long answer a card shows clipped (the 简要事迹 of about 2,000
    characters): the office reviews it and the clerk copies it to correct it."""
    out = []
    for key, fdef in campaign.fields.items():
        value = answers.get(key)
        if fdef.type == "longtext" and isinstance(value, str) and visible_prefix(value, PREVIEW) != value:
            out.append((field_label(fdef), value))
    return out


def split_text(text: str, size: int) -> list[str]:
    """``text`` in parts of at most ``size`` characters a reader sees, never inside one."""
    parts = []
    while text:
        part = visible_prefix(text, size)
        parts.append(part)
        text = text[len(part) :]
    return parts


def step_label(form: IntakeForm, step: Step) -> str:
    if step.kind == "category":
        return _("Person category") if form.award.kind == "individual" else _("Kind of collective")
    if step.kind == "reason":
        # one reason step per soft rule that fires: named after the answer that made it fire, so
        # two of them on one card are told apart
        fields = form.campaign.fields
        about = [fields[key] for key in fields_of(step.rule.when if step.rule else {}) if key in fields]
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
        "promoted": _("alternate promoted: holds the place"),
        "replaced": _("not approved: the alternate holds the place"),
        "procedure": _("procedure step recorded"),
    }
    return labels.get(action, action)


def who(answers: Mapping[str, Any]) -> str:
    """Whom answers are about: the person's, team's or organisation's name ("" before it is typed)."""
    return str(answers.get("name") or answers.get("team_name") or answers.get("org_name") or "")


def draft_who(draft: Draft) -> str:
    """Whom a draft is about, as far as typed ("" before)."""
    return who(draft.answers)


def draft_title(campaign: Campaign, draft: Draft) -> str:
    """A draft as the clerk knows it: its award and, once typed, its name."""
    award = award_name(campaign, draft.award or "")
    who = draft_who(draft)
    return f"{award} · {who}" if who else award


def nominee_title(campaign: Campaign, n: NomineeInfo) -> str:
    alt = " · " + _("alternate") if n.alternate_for else ""
    return f"#{n.id} {who(n.answers) or '?'} · {award_name(campaign, n.award)}{alt}"


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
        if fdef.type == "multichoice" and isinstance(value, list):
            return esc("、".join(option_label(fdef, str(v)) for v in value)) if value else _("none")
        if fdef.options:
            return esc(option_label(fdef, str(value)))
        if fdef.type == "longtext":
            text = str(value)
            preview = visible_prefix(text, PREVIEW)
            return (
                esc(preview + ("…" if preview != text else ""))
                + " "
                + _("({n} characters)").format(n=visible_length(text))
            )
    return esc(value)


__all__ = [
    "MAX_MESSAGE",
    "action_label",
    "award_name",
    "category_label",
    "clip",
    "display_value",
    "draft_title",
    "draft_who",
    "esc",
    "field_label",
    "nominee_title",
    "option_label",
    "short_label",
    "status_label",
    "step_label",
    "who",
]
