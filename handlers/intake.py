"""/new: the intake conversation. The draft (core.ports.Draft) is the conversation state: it is
stored after every answer, so a restart, a crash or a day's pause loses nothing.

Flow: award → category → the award's questions (one at a time, with 上一步 / 跳过 / 取消) →
summary card with "change" buttons → confirm → atomic save with the full check.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.campaign import Campaign
from core.errors import FieldError
from core.form import IntakeForm, Step
from core.photo import prepare_photo
from core.ports import Draft, NomineeService, UnitQuota, UserInfo
from core.quota import needs_alternate
from handlers import keyboards, texts
from handlers.callbacks import AwardCb, DraftCb, ItemCb, NavCb, PickCb, SummaryCb
from handlers.common import Magic, Turn, outdated, show
from handlers.i18n import _

SUMMARY = "@summary"
IDLE_RESUME = timedelta(minutes=30)  # after this pause a message first offers to continue the draft
PHOTO_MIMES = {"image/jpeg", "image/png", "image/jpg"}
# Telegram carries at most 4,096 characters a message: a client sends a longer paste as several
# messages at once. After an over-long text is refused, what follows within SPLIT_WINDOW is its
# rest, not an answer (the 904 characters after 4,096 would pass as the deeds).
SPLIT_AT = 4000
SPLIT_WINDOW = 2.0  # seconds between the parts' send times (Telegram dates messages to the second)


def form_of(campaign: Campaign, draft: Draft) -> IntakeForm:
    return IntakeForm(campaign, draft.award or "", alternate=draft.alternate_for is not None)


# ------------------------------------------------------------------------------ showing steps


async def award_menu(turn: Turn) -> None:
    campaign = turn.campaign
    quota = await turn.service.unit_quota(turn.user)
    kb = InlineKeyboardBuilder()
    for status in quota.awards:
        kb.row(
            InlineKeyboardButton(
                text=texts.places_button(campaign, status), callback_data=AwardCb(key=status.award).pack()
            )
        )
    await show(turn.event, _("Which award is the nominee for?"), kb.as_markup())


async def category_choices(
    service: NomineeService, user: UserInfo, form: IntakeForm, draft: Draft
) -> tuple[list[str], UnitQuota | None]:
    """The category buttons (✕ for those that cannot be added now) and the unit's places for the
    award (None for an alternate, which takes no place)."""
    cats = form.categories()
    if draft.alternate_for is not None:  # an alternate takes no place: nothing to mark
        return [texts.category_label(form.award, cat) for cat in cats], None
    partials = [{"category": cat} for cat in cats]
    if draft.editing is None:  # buttons and places on one reading
        decisions, quota = await service.category_view(user, form.award.key, partials)
    else:  # the edited nominee's own place left out of the buttons' counts
        decisions = await service.precheck_many(user, form.award.key, partials, exclude=draft.editing)
        quota = await service.unit_quota(user)
    labels = []
    for cat, decision in zip(cats, decisions, strict=True):
        label = texts.category_label(form.award, cat)
        labels.append(label if decision.ok else "✕ " + label)
    return labels, quota


async def ask(turn: Turn, draft: Draft, step: Step, notice: str = "", *, edit: bool = True) -> None:
    """The question ``step`` of the draft, with its buttons (and, for the category, the places)."""
    campaign = turn.campaign
    form = form_of(campaign, draft)
    first = form.previous_step(draft.answers, step.key) is None and draft.editing is None
    category = step.kind == "category"
    labels, quota = await category_choices(turn.service, turn.user, form, draft) if category else (None, None)
    text = texts.prompt(form, step, draft.answers, turn.today, notice)
    if quota is not None:
        status = next((s for s in quota.awards if s.award == form.award.key), None)
        if status is not None and status.cap is not None:
            text += "\n\n" + texts.quota_text(campaign, dataclasses.replace(quota, awards=(status,), pools=()))
    await show(turn.event, text, keyboards.step_keyboard(form, step, first=first, category_labels=labels), edit=edit)


async def show_summary(turn: Turn, draft: Draft, notice: str = "", *, edit: bool) -> None:
    """The summary card: every answer, with a button to change each, and 确认保存 when complete."""
    form = form_of(turn.campaign, draft)
    draft = dataclasses.replace(draft, step=SUMMARY, in_summary=True)
    await turn.service.save_draft(draft)
    markup = keyboards.summary_keyboard(
        form, form.steps(draft.answers), draft.answers, complete=not form.missing(draft.answers)
    )
    await show(turn.event, texts.summary(form, draft.answers, turn.today, notice), markup, edit=edit)


async def advance(turn: Turn, draft: Draft, answers: dict[str, Any], notice: str = "", *, edit: bool = True) -> None:
    """Stores the new answers and shows what comes next: the next question, or the summary."""
    form = form_of(turn.campaign, draft)
    nxt = form.next_step(answers)
    if nxt is None or (draft.in_summary and not form.missing(answers)):
        await show_summary(turn, dataclasses.replace(draft, answers=answers), notice, edit=edit)
        return
    draft = dataclasses.replace(draft, answers=answers, step=nxt.key)
    await turn.service.save_draft(draft)
    await ask(turn, draft, nxt, notice, edit=edit)


async def resume(turn: Turn, draft: Draft) -> None:
    """Where the draft stopped: its question, its summary, or the award menu."""
    if draft.award is None:
        await award_menu(turn)
        return
    form = form_of(turn.campaign, draft)
    step = form.step(draft.step or "", draft.answers) if draft.step != SUMMARY else None
    if step is None:
        step = None if draft.in_summary else form.next_step(draft.answers)
    if step is None:
        await show_summary(turn, draft, edit=True)
        return
    draft = dataclasses.replace(draft, step=step.key)
    await turn.service.save_draft(draft)
    await ask(turn, draft, step)


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
    updated = draft.updated_at if draft.updated_at.tzinfo else draft.updated_at.replace(tzinfo=UTC)
    return updated < started_at or now - updated > IDLE_RESUME


def discard_question(draft: Draft) -> str:
    if draft.editing is not None:
        return _("Stop editing #{id}? The changes are dropped; the saved nominee stays as it was.").format(
            id=draft.editing
        )
    return _("Discard this draft? The answers given so far will be lost.")


# ------------------------------------------------------------------------------ router


def setup() -> Router:
    router = Router(name="intake")
    pasted: dict[int, float] = {}  # user → send time of the last part of a split paste refused

    @router.message(Command("new"))
    async def new(message: Message, turn: Turn) -> None:
        service, user, campaign = turn.service, turn.user, turn.campaign
        draft = await service.load_draft(user.tg_id)
        if draft is not None and draft.award is not None:
            await message.answer(resume_offer(campaign, draft), reply_markup=keyboards.resume_keyboard())
            return
        await award_menu(turn)

    @router.callback_query(DraftCb.filter())
    async def on_draft(query: CallbackQuery, callback_data: DraftCb, turn: Turn) -> None:
        service, user = turn.service, turn.user
        draft = await service.load_draft(user.tg_id)
        await query.answer()
        if draft is None:
            await show(query, _("There is no draft any more."))
            return
        if callback_data.action == "discard":
            await service.drop_draft(user.tg_id)
            if draft.editing is not None:
                await show(query, _("Editing stopped; the saved nominee #{id} is unchanged.").format(id=draft.editing))
            else:
                await show(query, _("The draft has been discarded. Send /new to start again."))
            return
        await resume(turn, draft)

    @router.callback_query(AwardCb.filter())
    async def on_award(query: CallbackQuery, callback_data: AwardCb, turn: Turn) -> None:
        service, user, campaign = turn.service, turn.user, turn.campaign
        draft = await service.load_draft(user.tg_id)
        if draft is not None and draft.award is not None:
            await outdated(query)
            return
        try:
            campaign.award(callback_data.key)
        except KeyError:
            await outdated(query)
            return
        await query.answer()
        alt = callback_data.alt or None
        if alt is None:
            decision = await service.precheck(user, callback_data.key, {})
            if not decision.ok:
                await show(query, texts.refusals_text(campaign, decision.refusals), edit=False)
                return
        draft = Draft(tg_id=user.tg_id, campaign_id=campaign.id, award=callback_data.key, alternate_for=alt)
        await advance(turn, draft, {})

    @router.callback_query(PickCb.filter())
    async def on_pick(query: CallbackQuery, callback_data: PickCb, turn: Turn) -> None:
        service, user, campaign = turn.service, turn.user, turn.campaign
        draft = await service.load_draft(user.tg_id)
        if draft is None or draft.award is None or draft.step != callback_data.step:
            await outdated(query)
            return
        form = form_of(campaign, draft)
        step = form.step(callback_data.step, draft.answers)
        options = form.categories() if step is not None and step.kind == "category" else (step.choices if step else [])
        if step is None or not 0 <= callback_data.i < len(options):
            await outdated(query)
            return
        value = options[callback_data.i]
        if step.kind == "category" and draft.alternate_for is None:
            decision = await service.precheck(user, form.award.key, {"category": value}, exclude=draft.editing)
            if not decision.ok:
                await query.answer()
                await ask(turn, draft, step, texts.refusals_text(campaign, decision.refusals), edit=False)
                return
        try:
            answers = form.accept_value(draft.answers, step.key, value)
        except FieldError as err:
            await query.answer()
            await ask(turn, draft, step, texts.field_error(err, step), edit=False)
            return
        await query.answer()
        await advance(turn, draft, answers)

    @router.callback_query(NavCb.filter())
    async def on_nav(query: CallbackQuery, callback_data: NavCb, turn: Turn) -> None:
        service, user, campaign = turn.service, turn.user, turn.campaign
        draft = await service.load_draft(user.tg_id)
        if draft is None or draft.award is None or draft.step != callback_data.step:
            await outdated(query)
            return
        await query.answer()
        form = form_of(campaign, draft)
        if callback_data.action == "cancel":
            await show(
                query,
                discard_question(draft),
                keyboards.discard_keyboard(editing=draft.editing is not None),
                edit=False,
            )
            return
        if callback_data.action == "skip":
            try:
                answers = form.skip(draft.answers, callback_data.step)
            except FieldError as err:
                await show(query, texts.field_error(err), edit=False)
                return
            await advance(turn, draft, answers)
            return
        prev = form.previous_step(draft.answers, callback_data.step)
        if prev is None:
            if draft.editing is None and draft.alternate_for is None:
                await service.save_draft(dataclasses.replace(draft, award=None, answers={}, step=None))
                await award_menu(turn)
            else:  # the first question of a nominee being changed: back to its card (the button did nothing)
                await show_summary(turn, draft, edit=True)
            return
        draft = dataclasses.replace(draft, step=prev.key, in_summary=False)
        await service.save_draft(draft)
        await ask(turn, draft, prev)

    @router.callback_query(SummaryCb.filter())
    async def on_summary(query: CallbackQuery, callback_data: SummaryCb, turn: Turn) -> None:
        service, user, campaign = turn.service, turn.user, turn.campaign
        draft = await service.load_draft(user.tg_id)
        if draft is None or draft.award is None or draft.step != SUMMARY:
            await outdated(query)
            return
        form = form_of(campaign, draft)
        if callback_data.action == "edit":
            step = form.step(callback_data.key, draft.answers)
            if step is None:
                await outdated(query)
                return
            await query.answer()
            draft = dataclasses.replace(draft, step=step.key, in_summary=True)
            await service.save_draft(draft)
            await ask(turn, draft, step, edit=False)
            return
        if callback_data.action == "cancel":
            await query.answer()
            await show(
                query,
                discard_question(draft),
                keyboards.discard_keyboard(editing=draft.editing is not None),
                edit=False,
            )
            return
        if callback_data.action == "resume":
            await query.answer()
            await advance(turn, dataclasses.replace(draft, in_summary=False), dict(draft.answers), edit=False)
            return
        if callback_data.v != keyboards.fingerprint(draft.answers):
            await outdated(query)  # an older card: it shows other answers than the draft now holds
            return
        await query.answer(_("Checking and saving…"))
        assert draft.award is not None
        outcome = await service.save_nominee(
            user, draft.award, draft.answers, nominee_id=draft.editing, alternate_for=draft.alternate_for
        )
        if not outcome.ok or outcome.nominee is None:
            notice = _("<b>Not saved.</b>") + "\n" + texts.refusals_text(campaign, outcome.refusals)
            await show_summary(turn, draft, notice, edit=False)
            return
        await service.drop_draft(user.tg_id)
        nominee = outcome.nominee
        quota = await service.unit_quota(user)
        text = texts.saved_text(campaign, nominee, quota)
        markup: InlineKeyboardMarkup | None = None
        if nominee.alternate_for is None and needs_alternate(campaign, nominee.award, nominee.answers):
            text += "\n\n" + _(
                "A nominee of this category needs one alternate frontline worker of the same kind, nominated "
                "at the same time; otherwise the place is cancelled. The alternate takes no place of its own."
            )
            kb = InlineKeyboardBuilder()
            kb.row(
                InlineKeyboardButton(
                    text=_("Enter the alternate now"), callback_data=ItemCb(action="alt", id=nominee.id).pack()
                )
            )
            markup = kb.as_markup()
        await show(query, text, markup)

    @router.callback_query(ItemCb.filter(F.action == "alt"))
    async def on_alternate(query: CallbackQuery, callback_data: ItemCb, turn: Turn) -> None:
        service, user, campaign = turn.service, turn.user, turn.campaign
        draft = await service.load_draft(user.tg_id)
        if draft is not None and draft.award is not None:
            await query.answer()
            await show(query, resume_offer(campaign, draft), keyboards.resume_keyboard(), edit=False)
            return
        nominee, _history = await service.nominee(user, callback_data.id)
        await query.answer()
        draft = Draft(tg_id=user.tg_id, campaign_id=campaign.id, award=nominee.award, alternate_for=nominee.id)
        await advance(turn, draft, {}, edit=False)

    @router.message(Magic(F.photo | F.document))
    async def on_file(message: Message, turn: Turn, bot: Bot) -> None:
        service, user, campaign = turn.service, turn.user, turn.campaign
        draft = await service.load_draft(user.tg_id)
        if draft is not None and draft.award is not None and draft.step == SUMMARY:
            await show_summary(turn, draft, _("Please use the buttons below the summary."), edit=False)
            return
        if draft is None or draft.award is None or draft.step is None:
            await message.answer(
                _("A file is only needed when the form asks for a photo. Send /new to enter a nominee.")
            )
            return
        form = form_of(campaign, draft)
        step = form.step(draft.step or "", draft.answers)
        if step is None:
            await resume(turn, draft)
            return
        if step.field is None or step.field.type != "photo":
            code = "choice.invalid" if step.kind == "category" or step.choices else "field.type"
            await ask(turn, draft, step, texts.field_error(FieldError(code)))
            return
        if message.photo:
            file_id, mime, name = message.photo[-1].file_id, "image/jpeg", "photo.jpg"
        else:
            assert message.document is not None
            doc = message.document
            file_id, mime, name = doc.file_id, (doc.mime_type or ""), (doc.file_name or "file")
            if mime not in PHOTO_MIMES:
                await ask(turn, draft, step, texts.field_error(FieldError("photo.format")))
                return
            if doc.file_size and doc.file_size > 20 * 1024 * 1024:
                await ask(turn, draft, step, texts.field_error(FieldError("photo.too_large", max_mb=20)))
                return
        data = await bot.download(file_id)
        raw = data.read() if data is not None else b""
        try:
            # Pillow decodes and encodes without the GIL: in a worker thread the other clerks'
            # updates go on meanwhile (tens of milliseconds for a large photo).
            photo = await asyncio.to_thread(prepare_photo, raw, step.field.max_width, step.field.max_height)
        except FieldError as err:
            await ask(turn, draft, step, texts.field_error(err))
            return
        ref = await service.store_file(photo.data, "image/jpeg", name.rsplit(".", 1)[0] + ".jpg", user.tg_id)
        answers = form.accept_value(draft.answers, step.key, ref)
        if photo.scaled:
            note = _("Photo received and scaled down to fit the limit: {w}×{h} pixels.")
        else:
            note = _("Photo received: {w}×{h} pixels.")
        note = note.format(w=photo.width, h=photo.height)
        await advance(turn, draft, answers, note, edit=False)

    @router.message(Magic(F.text & ~F.text.startswith("/")))
    async def on_text(message: Message, turn: Turn, started_at: datetime, now: datetime) -> None:
        service, user, campaign = turn.service, turn.user, turn.campaign
        today = turn.today
        draft = await service.load_draft(user.tg_id)
        if draft is None or draft.award is None:
            await message.answer(_("To enter a nominee send /new; /help lists all commands."))
            return
        if is_stale(draft, started_at, now) or draft.step is None:
            await service.save_draft(draft)  # marks it fresh: the next message is taken as an answer
            await message.answer(resume_offer(campaign, draft), reply_markup=keyboards.resume_keyboard())
            return
        if draft.step == SUMMARY:
            await show_summary(turn, draft, _("Please use the buttons below the summary."), edit=False)
            return
        form = form_of(campaign, draft)
        step = form.step(draft.step, draft.answers)
        if step is None:
            await resume(turn, draft)
            return
        if step.field is not None and step.field.type == "photo":
            await ask(turn, draft, step, texts.field_error(FieldError("photo.expected")))
            return
        if step.kind == "category" and draft.alternate_for is None:
            try:
                value = form.accept(draft.answers, step.key, message.text or "", today)["category"]
            except FieldError as err:
                await ask(turn, draft, step, texts.field_error(err, step))
                return
            decision = await service.precheck(user, form.award.key, {"category": value}, exclude=draft.editing)
            if not decision.ok:
                await ask(turn, draft, step, texts.refusals_text(campaign, decision.refusals))
                return
        sent = message.date.timestamp()
        if 0 <= sent - pasted.get(user.tg_id, -SPLIT_WINDOW - 1) <= SPLIT_WINDOW:
            if len(message.text or "") >= SPLIT_AT:
                pasted[user.tg_id] = sent  # a middle part: more follows
            else:
                del pasted[user.tg_id]  # the last part
            await ask(turn, draft, step, texts.split_rest(step))
            return
        pasted.pop(user.tg_id, None)
        try:
            answers = form.accept(draft.answers, step.key, message.text or "", today)
        except FieldError as err:
            if err.code == "text.too_long" and len(message.text or "") >= SPLIT_AT:
                if len(pasted) > 10_000:  # only the last few seconds matter
                    pasted.clear()
                pasted[user.tg_id] = sent
            await ask(turn, draft, step, texts.field_error(err, step))
            return
        note = texts.accepted_note(form, step.key, answers, today)
        await advance(turn, draft, answers, note, edit=False)

    return router
