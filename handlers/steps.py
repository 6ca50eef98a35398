"""Showing the intake's screens (core.flow): a question with its buttons, the summary card, the
award menu. Each stores the draft first — the draft is the conversation's state."""

from __future__ import annotations

from datetime import datetime, timedelta

from aiogram.types import InlineKeyboardButton, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from app import drafts, nominees, queries
from core.campaign import Campaign
from core.flow import SUMMARY, Ask, ChooseAward, Screen, Summary, form_of, is_first, record_reply
from core.form import IntakeForm, Step
from core.records import Draft, UnitQuota
from handlers import keyboards, texts
from handlers.callbacks import AwardCb
from handlers.common import Turn, show
from handlers.i18n import _

IDLE_RESUME = timedelta(minutes=30)  # after this pause a message first offers to continue the draft


async def award_menu(turn: Turn) -> None:
    quota = await queries.unit_quota(turn.ports, turn.user)
    kb = InlineKeyboardBuilder()
    for status in quota.awards:
        label = texts.places_button(turn.campaign, status)
        kb.row(InlineKeyboardButton(text=label, callback_data=AwardCb(key=status.award).pack()))
    await show(turn.event, _("Which award is the nominee for?"), kb.as_markup())
    turn.deliveries.delivered(turn.user.tg_id)


async def category_labels(turn: Turn, form: IntakeForm, draft: Draft) -> tuple[list[str], UnitQuota | None]:
    """The category buttons (✕ for those that cannot be added now) and the unit's places for the
    award (None for an alternate, which takes no place)."""
    cats = form.categories()
    labels = [texts.category_label(form.award, cat) for cat in cats]
    if draft.alternate_for is not None:  # an alternate takes no place: nothing to mark
        return labels, None
    partials = [{"category": cat} for cat in cats]
    view = await nominees.category_view(turn.ports, turn.user, form.award.key, partials, exclude=draft.editing)
    marked = [label if d.ok else "✕ " + label for label, d in zip(labels, view.decisions, strict=True)]
    places = None if view.places is None else UnitQuota(turn.user.unit or "", (view.places,), ())
    return marked, places


async def ask(turn: Turn, draft: Draft, step: Step, notice: str = "", *, edit: bool = True) -> None:
    """The question ``step`` with its buttons (and, for the category, the unit's places)."""
    form = form_of(turn.campaign, draft)
    labels, quota = await category_labels(turn, form, draft) if step.kind == "category" else (None, None)
    text = texts.prompt(form, step, draft.answers, turn.today, with_lead(turn, notice))
    if quota is not None and quota.awards and quota.awards[0].cap is not None:
        text += "\n\n" + texts.quota_text(turn.campaign, quota)
    markup = keyboards.step_keyboard(form, step, first=is_first(form, draft, step), category_labels=labels)
    await show(turn.event, text, markup, edit=edit)
    turn.deliveries.delivered(turn.user.tg_id)


async def show_summary(turn: Turn, draft: Draft, notice: str = "", *, edit: bool) -> None:
    """The summary card: every answer, a button to change each, and 确认保存 when complete."""
    form = form_of(turn.campaign, draft)
    complete = not form.missing(draft.answers)
    markup = keyboards.summary_keyboard(form, form.steps(draft.answers), draft.answers, complete=complete)
    await show(turn.event, texts.summary(form, draft.answers, turn.today, with_lead(turn, notice)), markup, edit=edit)
    turn.deliveries.delivered(turn.user.tg_id)


def with_lead(turn: Turn, notice: str) -> str:
    return "\n\n".join(part for part in (turn.lead, notice) if part)


async def render(turn: Turn, draft: Draft, screen: Screen, notice: str = "", *, edit: bool = True) -> None:
    """Stores the draft, then shows the screen the flow chose. A message that answered the
    question the turn found the draft at is remembered as that answer (core.flow.record_reply:
    editing it later replaces the answer)."""
    if isinstance(turn.event, Message) and turn.draft is not None:
        draft = record_reply(turn.draft, draft, turn.event.message_id)
    await drafts.save(turn.ports, draft)
    turn.deliveries.recorded(turn.user.tg_id, turn.event)
    match screen:
        case Ask(step=step):
            await ask(turn, draft, step, notice, edit=edit)
        case Summary():
            await show_summary(turn, draft, notice, edit=edit)
        case ChooseAward():
            await award_menu(turn)


def resume_offer(campaign: Campaign, draft: Draft) -> str:
    form = form_of(campaign, draft)
    award = texts.award_name(campaign, draft.award or "")
    if draft.step and draft.step != SUMMARY and form.step(draft.step, draft.answers):
        i, n = form.progress(draft.answers, draft.step)
        where = _("step {i}/{n}").format(i=i, n=n)
    else:
        where = _("the summary")
    return _("You have an unfinished draft ({award}), stopped at {where}. Continue where you left off?").format(
        award=award, where=where
    )


def is_stale(draft: Draft, started_at: datetime, now: datetime) -> bool:
    """True after a restart or a long pause: then a message first offers to continue."""
    if draft.updated_at is None:
        return False
    return draft.updated_at < started_at or now - draft.updated_at > IDLE_RESUME


def discard_question(draft: Draft) -> str:
    if draft.editing is not None:
        return _("Stop editing #{id}? The changes are dropped; the saved nominee stays as it was.").format(
            id=draft.editing
        )
    return _("Discard this draft? The answers given so far will be lost.")


__all__ = [
    "IDLE_RESUME",
    "ask",
    "award_menu",
    "discard_question",
    "is_stale",
    "render",
    "resume_offer",
    "show_summary",
]
