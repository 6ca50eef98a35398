"""Inline keyboards. Buttons carry ids and indexes, never names (64-byte callback data)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.form import IntakeForm, Step
from core.records import Draft, NomineeInfo
from handlers.callbacks import (
    DashCb,
    DraftAskCb,
    DraftCb,
    GoCb,
    ItemCb,
    LangCb,
    MultiCb,
    NavCb,
    PageCb,
    PickCb,
    ProcCb,
    SubmitCb,
    SummaryCb,
)
from handlers.i18n import _
from handlers.labels import category_label, draft_who, option_label, short_label


class _Rows:
    """``row()`` and ``as_markup()`` of InlineKeyboardBuilder for the keyboards sent at every step,
    without the deep copy of every button its ``as_markup()`` makes (2% of a busy bot's CPU)."""

    def __init__(self) -> None:
        self.rows: list[list[InlineKeyboardButton]] = []

    def row(self, *buttons: InlineKeyboardButton, width: int = 8) -> None:
        self.rows.extend(list(buttons[i : i + width]) for i in range(0, len(buttons), width))

    def as_markup(self) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(inline_keyboard=self.rows)


def nav_row(step: Step, *, first: bool, keep: bool = False, to_summary: bool = False) -> list[InlineKeyboardButton]:
    """◀ 上一步 (◀ 返回核对页 for a question opened from the summary card), 保持不变 (a question
    answered before: go on without typing it again), 跳过, 取消."""
    row = []
    if to_summary:
        back = _("◀ Back to the summary")
        row.append(InlineKeyboardButton(text=back, callback_data=NavCb(step=step.key, action="back").pack()))
    elif not first:
        row.append(InlineKeyboardButton(text=_("◀ Back"), callback_data=NavCb(step=step.key, action="back").pack()))
    if keep:
        row.append(
            InlineKeyboardButton(text=_("Keep unchanged"), callback_data=NavCb(step=step.key, action="keep").pack())
        )
    if not step.required:
        row.append(InlineKeyboardButton(text=_("Skip"), callback_data=NavCb(step=step.key, action="skip").pack()))
    row.append(InlineKeyboardButton(text=_("Cancel"), callback_data=NavCb(step=step.key, action="cancel").pack()))
    return row


def step_keyboard(
    form: IntakeForm,
    step: Step,
    *,
    first: bool,
    keep: bool = False,
    to_summary: bool = False,
    category_labels: Sequence[str] | None = None,
    chosen: Sequence[str] = (),
) -> InlineKeyboardMarkup:
    """The buttons under a question; ``chosen``: a multiple-choice question's current selection."""
    kb = _Rows()
    if step.field is not None and step.field.type == "multichoice":
        fdef = step.field
        mask = sum(1 << j for j, value in enumerate(fdef.options) if value in chosen)
        toggles = [
            InlineKeyboardButton(
                text=("☑ " if mask >> j & 1 else "☐ ") + option_label(fdef, value),
                callback_data=MultiCb(step=step.key, m=mask, i=j).pack(),
            )
            for j, value in enumerate(fdef.options)
        ]
        kb.row(*toggles, width=2 if max(len(b.text) for b in toggles) <= 10 else 1)
        done = _("✔ Done ({n} chosen)").format(n=bin(mask).count("1"))
        kb.row(InlineKeyboardButton(text=done, callback_data=MultiCb(step=step.key, m=mask, i=-1).pack()))
    elif step.kind == "category":
        cats = form.categories()
        labels = category_labels or [category_label(form.award, c) for c in cats]
        for i, label in enumerate(labels):
            kb.row(InlineKeyboardButton(text=label, callback_data=PickCb(step=step.key, i=i).pack()))
    elif step.field is not None and step.field.options:
        fdef = step.field
        shown = fdef.options[: fdef.common] if fdef.common else fdef.options
        buttons = [
            InlineKeyboardButton(
                text=option_label(fdef, value), callback_data=PickCb(step=step.key, i=fdef.options.index(value)).pack()
            )
            for value in shown
        ]
        width = 2 if fdef.type == "yesno" or max(len(b.text) for b in buttons) <= 8 else 1
        if len(buttons) > 6 and width == 2 and max(len(b.text) for b in buttons) <= 5:
            width = 3
        kb.row(*buttons, width=width)
    kb.row(*nav_row(step, first=first, keep=keep, to_summary=to_summary))
    return kb.as_markup()


def fingerprint(answers: Mapping[str, Any]) -> str:
    blob = json.dumps(answers, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.blake2s(blob.encode(), digest_size=5).hexdigest()


def summary_keyboard(
    form: IntakeForm, steps: Sequence[Step], answers: Mapping[str, Any], *, complete: bool
) -> InlineKeyboardMarkup:
    kb = _Rows()
    edit = [
        InlineKeyboardButton(
            text=_("✎ {label}").format(label=short_label(form, s))[:24],
            callback_data=SummaryCb(action="edit", key=s.key).pack(),
        )
        for s in steps
    ]
    kb.row(*edit, width=2)
    if complete:
        kb.row(
            InlineKeyboardButton(
                text=_("✔ Confirm and save"), callback_data=SummaryCb(action="confirm", v=fingerprint(answers)).pack()
            )
        )
    else:
        kb.row(InlineKeyboardButton(text=_("Continue answering"), callback_data=SummaryCb(action="resume").pack()))
    kb.row(InlineKeyboardButton(text=_("Cancel"), callback_data=SummaryCb(action="cancel").pack()))
    return kb.as_markup()


def continue_keyboard() -> InlineKeyboardMarkup:
    """Under a reminder: 继续填报 does what /new does."""
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=_("Continue entering"), callback_data=GoCb().pack())]]
    )


def resume_keyboard() -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.row(
        InlineKeyboardButton(text=_("Continue the draft"), callback_data=DraftCb(action="continue").pack()),
        InlineKeyboardButton(text=_("Discard it"), callback_data=DraftAskCb().pack()),
    )
    return kb.as_markup()


def draft_mark(draft: Draft) -> str:
    """Which draft a 放弃 button was offered for: its award, the nominee it edits or backs up, and
    whom it is about, as 12 hex digits. A button left from an earlier draft no longer matches."""
    raw = f"{draft.award}|{draft.editing}|{draft.alternate_for}|{draft_who(draft)}"
    return hashlib.blake2s(raw.encode(), digest_size=6).hexdigest()


def cancel_keyboard(draft: Draft) -> InlineKeyboardMarkup:
    """The answers to /cancel: pause and keep, discard (naming what), or go on answering."""
    kb = InlineKeyboardBuilder()
    who = draft_who(draft)
    if draft.editing is not None:
        pause, discard = _("Pause, keep the changes"), _("Discard the changes")
    else:
        pause = _("Pause, keep the draft")
        discard = _("Discard “{who}”").format(who=who[:20]) if who else _("Discard the draft")
    kb.row(
        InlineKeyboardButton(text=pause, callback_data=DraftCb(action="pause").pack()),
        InlineKeyboardButton(text=discard, callback_data=DraftCb(action="discard", d=draft_mark(draft)).pack()),
    )
    kb.row(InlineKeyboardButton(text=_("Continue answering"), callback_data=DraftCb(action="continue").pack()))
    return kb.as_markup()


def list_keyboard(items: Sequence[tuple[int, str]], offset: int, total: int, page: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for nominee_id, title in items:
        kb.row(InlineKeyboardButton(text=title[:60], callback_data=ItemCb(action="show", id=nominee_id).pack()))
    nav = []
    if offset > 0:
        nav.append(
            InlineKeyboardButton(text=_("◀ Previous"), callback_data=PageCb(offset=max(0, offset - page)).pack())
        )
    if offset + page < total:
        nav.append(InlineKeyboardButton(text=_("Next ▶"), callback_data=PageCb(offset=offset + page).pack()))
    if nav:
        kb.row(*nav)
    return kb.as_markup()


def dashboard_keyboard(page: int, pages: int) -> InlineKeyboardMarkup | None:
    """◀ and ▶ between the dashboard's pages, with where the reader is."""
    if pages <= 1:
        return None
    kb = InlineKeyboardBuilder()
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton(text=_("◀ Previous"), callback_data=DashCb(page=page - 1).pack()))
    nav.append(InlineKeyboardButton(text=f"{page + 1}/{pages}", callback_data=DashCb(page=page).pack()))
    if page + 1 < pages:
        nav.append(InlineKeyboardButton(text=_("Next ▶"), callback_data=DashCb(page=page + 1).pack()))
    kb.row(*nav)
    return kb.as_markup()


def full_text_button(nominee_id: int) -> InlineKeyboardButton:
    """📄: the whole of the long answers a card clips (handlers.queries.full_text)."""
    return InlineKeyboardButton(text=_("📄 Full text"), callback_data=ItemCb(action="text", id=nominee_id).pack())


def nominee_keyboard(
    n: NomineeInfo, *, editable: bool, needs_alternate: bool, procedure: bool = False, full_text: bool = False
) -> InlineKeyboardMarkup | None:
    kb = InlineKeyboardBuilder()
    if editable:
        kb.row(
            InlineKeyboardButton(text=_("✎ Edit"), callback_data=ItemCb(action="edit", id=n.id).pack()),
            InlineKeyboardButton(text=_("Withdraw"), callback_data=ItemCb(action="withdraw", id=n.id).pack()),
        )
    if needs_alternate:
        kb.row(InlineKeyboardButton(text=_("Enter the alternate"), callback_data=ItemCb(action="alt", id=n.id).pack()))
    if procedure:
        kb.row(InlineKeyboardButton(text=_("Procedure"), callback_data=ProcCb(action="list", id=n.id).pack()))
    if full_text:
        kb.row(full_text_button(n.id))
    return kb.as_markup() if kb.buttons else None


def withdraw_keyboard(nominee_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.row(
        InlineKeyboardButton(
            text=_("Yes, withdraw"), callback_data=ItemCb(action="withdraw_yes", id=nominee_id).pack()
        ),
        InlineKeyboardButton(text=_("Keep it"), callback_data=ItemCb(action="show", id=nominee_id).pack()),
    )
    return kb.as_markup()


def reopen_keyboard(nominee_id: int) -> InlineKeyboardMarkup:
    """Under "changed meanwhile": open the nominee again as it is now (the edit starts over)."""
    kb = InlineKeyboardBuilder()
    kb.row(
        InlineKeyboardButton(
            text=_("Open #{id} as it is now").format(id=nominee_id),
            callback_data=ItemCb(action="edit", id=nominee_id).pack(),
        )
    )
    return kb.as_markup()


def submit_keyboard(give_up: str | None = None) -> InlineKeyboardMarkup:
    """确定提交 / 暂不提交; with ``give_up`` (the digest of the open reserved places shown) the yes
    button says that those places are given up."""
    kb = InlineKeyboardBuilder()
    if give_up is None:
        yes = InlineKeyboardButton(text=_("Yes, submit"), callback_data=SubmitCb(action="yes").pack())
    else:
        yes = InlineKeyboardButton(
            text=_("Submit, giving up these places"), callback_data=SubmitCb(action="giveup", v=give_up).pack()
        )
    kb.row(yes, InlineKeyboardButton(text=_("Not yet"), callback_data=SubmitCb(action="no").pack()))
    return kb.as_markup()


def alternates_keyboard(nominees: Sequence[tuple[int, str]]) -> InlineKeyboardMarkup | None:
    """One "enter the alternate" button per nominee (number, name) that lacks one."""
    kb = InlineKeyboardBuilder()
    for nominee_id, name in nominees:
        label = _("Enter the alternate for {name}").format(name=name)
        kb.row(InlineKeyboardButton(text=label, callback_data=ItemCb(action="alt", id=nominee_id).pack()))
    return kb.as_markup() if kb.buttons else None


def lang_keyboard() -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.row(
        InlineKeyboardButton(text="中文", callback_data=LangCb(code="zh").pack()),
        InlineKeyboardButton(text="English", callback_data=LangCb(code="en").pack()),
    )
    return kb.as_markup()
