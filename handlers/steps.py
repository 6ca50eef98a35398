"""Showing the intake's screens (core.flow): a question with its buttons, the summary card, the
award menu. Each stores the draft first — the draft is the conversation's state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from aiogram.types import InlineKeyboardButton, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from app import drafts, prechecks, queries
from core.campaign import Campaign
from core.flow import Ask, ChooseAward, Screen, Summary, form_of, is_first, kept, record_reply, resume
from core.form import IntakeForm, Step
from core.records import Draft, UnitQuota
from handlers import intake_texts, keyboards, labels, texts
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
    names = [labels.category_label(form.award, cat) for cat in cats]
    if draft.alternate_for is not None:  # an alternate takes no place: nothing to mark
        return names, None
    partials = [{"category": cat} for cat in cats]
    view = await prechecks.category_view(turn.ports, turn.user, form.award.key, partials, exclude=draft.editing)
    marked = [label if d.ok else "✕ " + label for label, d in zip(names, view.decisions, strict=True)]
    places = None if view.places is None else UnitQuota(turn.user.unit or "", (view.places,), ())
    return marked, places


async def ask(
    turn: Turn, draft: Draft, step: Step, notice: str = "", *, edit: bool = True, chosen: Sequence[str] | None = None
) -> None:
    """The question ``step`` with its buttons (and, for the category, the unit's places).
    ``chosen``: a multiple-choice question's selection being made (default: its saved answer)."""
    form = form_of(turn.campaign, draft)
    buttons, quota = await category_labels(turn, form, draft) if step.kind == "category" else (None, None)
    text = intake_texts.prompt(form, step, draft.answers, turn.today, with_lead(turn, notice))
    if quota is not None and quota.awards and quota.awards[0].cap is not None:
        text += "\n\n" + texts.quota_text(turn.campaign, quota)
    markup = keyboards.step_keyboard(
        form,
        step,
        first=is_first(form, draft, step),
        keep=kept(draft, step),
        to_summary=draft.in_summary,
        category_labels=buttons,
        chosen=chosen if chosen is not None else saved_choices(draft, step),
    )
    await show(turn.event, text, markup, edit=edit)
    turn.deliveries.delivered(turn.user.tg_id)


async def show_summary(turn: Turn, draft: Draft, notice: str = "", *, edit: bool) -> None:
    """The summary card: every answer, a button to change each, and 确认保存 when complete."""
    form = form_of(turn.campaign, draft)
    complete = not form.missing(draft.answers)
    markup = keyboards.summary_keyboard(form, form.steps(draft.answers), draft.answers, complete=complete)
    await show(
        turn.event, intake_texts.summary(form, draft.answers, turn.today, with_lead(turn, notice)), markup, edit=edit
    )
    turn.deliveries.delivered(turn.user.tg_id)


def saved_choices(draft: Draft, step: Step) -> list[str]:
    value = draft.answers.get(step.key)
    return [str(v) for v in value] if isinstance(value, list) else []


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
    """Continue the draft? — with where it would go on (a paused draft: its first missing question)."""
    _draft, screen = resume(campaign, draft)
    if isinstance(screen, Ask):
        i, n = form_of(campaign, draft).progress(draft.answers, screen.step.key)
        where = _("step {i}/{n}").format(i=i, n=n)
    else:
        where = _("the summary")
    if draft.editing is not None:
        return _(
            "You have an unfinished edit of #{id} ({title}), stopped at {where}. Continue where you left off?"
        ).format(id=draft.editing, title=labels.esc(labels.draft_title(campaign, draft)), where=where)
    return _("You have an unfinished draft ({award}), stopped at {where}. Continue where you left off?").format(
        award=labels.award_name(campaign, draft.award or ""), where=where
    )


def is_stale(draft: Draft, started_at: datetime, now: datetime) -> bool:
    """True after a restart or a long pause: then a message first offers to continue."""
    if draft.updated_at is None:
        return False
    return draft.updated_at < started_at or now - draft.updated_at > IDLE_RESUME


def cancel_question(campaign: Campaign, draft: Draft) -> str:
    """/cancel (or 取消): what is being cancelled — the draft by its award and name, or the edit of
    #N — and the two ways out: pause (kept, /new continues it) or discard."""
    title = labels.esc(labels.draft_title(campaign, draft))
    if draft.editing is not None:
        return _(
            "You are editing #{id} ({title}).\n\n"
            "<b>Pause</b>: your changes are kept; send /new later to continue editing.\n"
            "<b>Discard the changes</b>: nothing is changed; #{id} stays as it was saved."
        ).format(id=draft.editing, title=title)
    return _(
        "You are entering: {title}.\n\n"
        "<b>Pause</b>: the draft is kept; send /new later to continue where you stopped.\n"
        "<b>Discard</b>: the draft and its answers are deleted."
    ).format(title=title)


async def offer_cancel(turn: Turn, draft: Draft) -> None:
    """The cancel question as a new message (the question it came from stays visible above)."""
    markup = keyboards.cancel_keyboard(draft)
    await show(turn.event, cancel_question(turn.campaign, draft), markup, edit=False)


def paused_text(campaign: Campaign, draft: Draft) -> str:
    title = labels.esc(labels.draft_title(campaign, draft))
    if draft.editing is not None:
        return _("Your changes to #{id} ({title}) are kept. Send /new to continue editing.").format(
            id=draft.editing, title=title
        )
    return _("The draft ({title}) is kept. Send /new to continue where you stopped.").format(title=title)


__all__ = [
    "IDLE_RESUME",
    "ask",
    "award_menu",
    "cancel_question",
    "is_stale",
    "offer_cancel",
    "paused_text",
    "render",
    "resume_offer",
    "show_summary",
]
