"""/new and every answer of the intake conversation. The draft (core.records.Draft) is the
conversation's state, stored after every answer: a restart, a crash or a day's pause loses
nothing. Where the draft goes next is core.flow's decision; these handlers turn updates into its
inputs and its screens into messages (handlers.steps).

Flow: award → category → the award's questions (one at a time, with 上一步 / 跳过 / 取消) →
summary card with "change" buttons → confirm → the use case saves with the full check.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import IO, Any, BinaryIO, cast

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from app import drafts, nominees, prechecks, queries
from core import flow
from core.errors import ChoiceInvalid, InvalidAnswer, PhotoExpected, PhotoFormat, PhotoTooLarge, TextExpected
from core.form import IntakeForm, Step
from core.identity import identity_key
from core.photo import MAX_MB, Photo, prepare_photo
from core.quota import needs_alternate
from core.records import Draft
from core.refusals import ChangedMeanwhile, Rejected
from handlers import answer_texts, intake_texts, keyboards, labels
from handlers.callbacks import AwardCb, DraftCb, ItemCb, MultiCb, NavCb, PickCb, SummaryCb
from handlers.common import Magic, Turn, outdated, show
from handlers.i18n import _
from handlers.paste import PasteGuard
from handlers.problems import problem_text, refusals_text
from handlers.steps import (
    ask,
    award_menu,
    is_stale,
    offer_cancel,
    paused_text,
    render,
    resume_offer,
    show_summary,
)

PHOTO_MIMES = {"image/jpeg", "image/png", "image/jpg"}
# Photos are decoded in these threads, never in the event loop's: two at a time whatever the
# number of clerks uploading (each may hold up to ~70 MB of pixels, core.photo), the others wait
# their turn with their file on disk; the default pool stays free for the database's threads.
PHOTO_DECODERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="photo")
SPOOL_BYTES = 1024 * 1024  # a download larger than this waits for its turn on disk, not in memory


def _libc_malloc_trim() -> Callable[[int], int] | None:
    path = ctypes.util.find_library("c")
    trim = getattr(ctypes.CDLL(path), "malloc_trim", None) if path else None  # glibc only
    return cast(Callable[[int], int], trim) if trim is not None else None


MALLOC_TRIM = _libc_malloc_trim()


def prepare_and_release(source: bytes | IO[bytes], max_width: int | None, max_height: int | None) -> Photo:
    """prepare_photo, then the freed pixels handed back to the system: glibc keeps what the
    photo threads freed in their arenas (measured: 170 MB held after ten photos, 0 with this)."""
    try:
        return prepare_photo(source, max_width, max_height)
    finally:
        if MALLOC_TRIM is not None:
            MALLOC_TRIM(0)


async def decode_photo(source: bytes | IO[bytes], max_width: int | None, max_height: int | None) -> Photo:
    """core.photo.prepare_photo in PHOTO_DECODERS (raises its InvalidAnswer)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(PHOTO_DECODERS, prepare_and_release, source, max_width, max_height)


async def new(message: Message, turn: Turn) -> None:
    """/new: continue an unfinished draft (after asking), or the award menu."""
    draft = turn.draft
    if draft is None or draft.editing is None:  # a closed list is said at once, before any button
        await nominees.entry_open(turn.ports, turn.user)
    if draft is not None and draft.award is not None:
        await message.answer(resume_offer(turn.campaign, draft), reply_markup=keyboards.resume_keyboard())
        return
    await award_menu(turn)


async def on_draft(query: CallbackQuery, callback_data: DraftCb, turn: Turn) -> None:
    """继续 / 暂停 / 放弃 on an offer to continue, or on the cancel question."""
    draft = turn.draft
    if draft is not None and callback_data.action == "discard" and callback_data.d != keyboards.draft_mark(draft):
        await outdated(query)  # offered for an earlier draft: this one is not discarded unasked
        return
    await query.answer()
    if draft is None:
        await show(query, _("There is no draft any more."))
        return
    if callback_data.action == "discard":
        await drafts.drop(turn.ports, turn.user.tg_id)
        if draft.editing is not None:
            await show(query, _("Editing stopped; the saved nominee #{id} is unchanged.").format(id=draft.editing))
        else:
            title = labels.esc(labels.draft_title(turn.campaign, draft))
            await show(
                query, _("The draft ({title}) has been discarded. Send /new to start again.").format(title=title)
            )
        return
    if callback_data.action == "pause":
        # no question waits any more: the next message offers to continue instead of being an answer
        await drafts.save(turn.ports, flow.pause(draft))
        await show(query, paused_text(turn.campaign, draft))
        return
    await render(turn, *flow.resume(turn.campaign, draft))


async def on_award(query: CallbackQuery, callback_data: AwardCb, turn: Turn) -> None:
    draft = turn.draft
    if draft is not None and draft.award is not None:
        await outdated(query)
        return
    try:
        turn.campaign.award(callback_data.key)
    except KeyError:
        await outdated(query)
        return
    alternate_for = callback_data.alt or None
    if alternate_for is not None:
        # Only a principal of the clerk's own list that needs one may get an alternate (else: refused in words).
        principal = await nominees.alternate_principal(turn.ports, turn.user, alternate_for)
        if principal.award != callback_data.key:
            await outdated(query)
            return
    await query.answer()
    if alternate_for is None:
        decision = await prechecks.precheck(turn.ports, turn.user, callback_data.key, {})
        if not decision.ok:
            await show(query, refusals_text(turn.campaign, decision.refusals), edit=False)
            return
    draft = flow.start(turn.campaign, turn.user.tg_id, callback_data.key, alternate_for=alternate_for)
    await render(turn, *flow.advance(flow.form_of(turn.campaign, draft), draft, {}))


async def waiting_at(query: CallbackQuery, turn: Turn, step: str) -> Draft | None:
    """The draft if it waits at ``step``; a button of another step is outdated (None)."""
    draft = turn.draft
    if draft is None or draft.award is None or draft.step != step:
        await outdated(query)
        return None
    return draft


async def on_pick(query: CallbackQuery, callback_data: PickCb, turn: Turn) -> None:
    """A choice button (category, or a field's option)."""
    draft = await waiting_at(query, turn, callback_data.step)
    if draft is None:
        return
    form = flow.form_of(turn.campaign, draft)
    step = form.step(callback_data.step, draft.answers)
    options = form.categories() if step is not None and step.kind == "category" else (step.choices if step else [])
    if step is None or not 0 <= callback_data.i < len(options):
        await outdated(query)
        return
    await query.answer()
    value = options[callback_data.i]
    if step.kind == "category" and draft.alternate_for is None:
        decision = await prechecks.precheck(
            turn.ports, turn.user, form.award.key, {"category": value}, exclude=draft.editing
        )
        if not decision.ok:
            await ask(turn, draft, step, refusals_text(turn.campaign, decision.refusals), edit=False)
            return
    try:
        answers = form.accept_value(draft.answers, step.key, value)
    except InvalidAnswer as err:
        await ask(turn, draft, step, answer_texts.answer_problem(err.problem, step), edit=False)
        return
    await render(turn, *flow.advance(form, draft, answers))


async def on_multi(query: CallbackQuery, callback_data: MultiCb, turn: Turn) -> None:
    """A multiple-choice question's buttons: a toggle shows the new selection (nothing is stored
    until 完成); 完成 saves the selection its keyboard showed. A button of another question or of
    a selection wider than the options is outdated."""
    draft = await waiting_at(query, turn, callback_data.step)
    if draft is None:
        return
    form = flow.form_of(turn.campaign, draft)
    step = form.step(callback_data.step, draft.answers)
    fdef = step.field if step is not None else None
    if (
        step is None
        or fdef is None
        or fdef.type != "multichoice"
        or callback_data.m >> len(fdef.options)
        or callback_data.i >= len(fdef.options)
    ):
        await outdated(query)
        return
    await query.answer()
    mask = callback_data.m
    if callback_data.i >= 0:
        mask ^= 1 << callback_data.i
        chosen = [value for j, value in enumerate(fdef.options) if mask >> j & 1]
        await ask(turn, draft, step, chosen=chosen)
        return
    chosen = [value for j, value in enumerate(fdef.options) if mask >> j & 1]
    try:
        answers = form.accept_value(draft.answers, step.key, chosen)
    except InvalidAnswer as err:
        await ask(turn, draft, step, answer_texts.answer_problem(err.problem, step), edit=False, chosen=chosen)
        return
    await render(turn, *flow.advance(form, draft, answers))


async def on_nav(query: CallbackQuery, callback_data: NavCb, turn: Turn) -> None:
    """◀ back, 保持不变 keep, 跳过 skip, 取消 cancel under a question."""
    draft = await waiting_at(query, turn, callback_data.step)
    if draft is None:
        return
    await query.answer()
    form = flow.form_of(turn.campaign, draft)
    if callback_data.action == "cancel":
        await offer_cancel(turn, draft)
        return
    if callback_data.action == "skip":
        try:
            answers = form.skip(draft.answers, callback_data.step)
        except InvalidAnswer as err:
            await show(query, answer_texts.answer_problem(err.problem), edit=False)
            return
        await render(turn, *flow.advance(form, draft, answers))
        return
    if callback_data.action == "keep":
        moved = flow.keep(form, draft, callback_data.step)
        if moved is None:
            await show(query, _("This question has no answer to keep yet; please answer it."), edit=False)
            return
        await render(turn, *moved)
        return
    await render(turn, *flow.back(form, draft, callback_data.step))


async def on_summary(query: CallbackQuery, callback_data: SummaryCb, turn: Turn) -> None:
    """The summary card's buttons: change an answer, continue answering, cancel, confirm."""
    draft = await waiting_at(query, turn, flow.SUMMARY)
    if draft is None:
        return
    form = flow.form_of(turn.campaign, draft)
    if callback_data.action == "edit":
        moved = flow.change(form, draft, callback_data.key)
        if moved is None:
            await outdated(query)
            return
        await query.answer()
        await render(turn, *moved, edit=False)
        return
    if callback_data.action == "cancel":
        await query.answer()
        await offer_cancel(turn, draft)
        return
    if callback_data.action == "resume":
        await query.answer()
        await render(turn, *flow.keep_answering(form, draft), edit=False)
        return
    if callback_data.v != keyboards.fingerprint(draft.answers):
        await outdated(query)  # an older card: it shows other answers than the draft now holds
        return
    await query.answer(_("Checking and saving…"))
    await confirm(turn, query, draft)


async def confirm(turn: Turn, query: CallbackQuery, draft: Draft) -> None:
    """确认保存: the use case checks everything again and takes the places, or says why not."""
    assert draft.award is not None
    try:
        outcome = await nominees.save(
            turn.ports,
            turn.user,
            draft.award,
            draft.answers,
            nominee_id=draft.editing,
            alternate_for=draft.alternate_for,
            version=draft.version,
            from_draft=True,  # the draft goes with the save, in its transaction
        )
    except Rejected as err:
        if not isinstance(err.problem, ChangedMeanwhile):
            raise
        await show(
            query, problem_text(err.problem, turn.campaign), keyboards.reopen_keyboard(err.problem.nominee), edit=False
        )
        return
    if outcome.nominee is None:
        notice = _("<b>Not saved.</b>") + "\n" + refusals_text(turn.campaign, outcome.refusals)
        await show_summary(turn, draft, notice, edit=False)
        return
    turn.deliveries.recorded(turn.user.tg_id, turn.event)
    nominee = outcome.nominee
    quota = await queries.unit_quota(turn.ports, turn.user)
    text = intake_texts.saved_text(turn.campaign, nominee, quota, edited=draft.editing is not None)
    markup: InlineKeyboardMarkup | None = None
    if nominee.alternate_for is None and needs_alternate(turn.campaign, nominee.award, nominee.answers):
        text += "\n\n" + intake_texts.alternate_notice(turn.campaign, nominee.award)
        kb = InlineKeyboardBuilder()
        kb.row(
            InlineKeyboardButton(
                text=_("Enter the alternate now"), callback_data=ItemCb(action="alt", id=nominee.id).pack()
            )
        )
        markup = kb.as_markup()
    await show(query, text, markup)
    turn.deliveries.delivered(turn.user.tg_id)


async def on_alternate(query: CallbackQuery, callback_data: ItemCb, turn: Turn) -> None:
    """录入备选: a new draft linked to the nominee that needs the alternate."""
    draft = turn.draft
    await query.answer()
    if draft is not None and draft.award is not None:
        await show(query, resume_offer(turn.campaign, draft), keyboards.resume_keyboard(), edit=False)
        return
    principal = await nominees.alternate_principal(turn.ports, turn.user, callback_data.id)
    draft = flow.start(turn.campaign, turn.user.tg_id, principal.award, alternate_for=principal.id)
    await render(turn, *flow.advance(flow.form_of(turn.campaign, draft), draft, {}), edit=False)


async def question_of(turn: Turn, draft: Draft) -> tuple[IntakeForm, Step] | None:
    """The question the draft waits for; when it no longer applies (the definition changed), the
    draft resumes where it can and None is returned."""
    form = flow.form_of(turn.campaign, draft)
    step = flow.current(form, draft)
    if step is None:
        await render(turn, *flow.resume(turn.campaign, draft))
        return None
    return form, step


async def shown_again(turn: Turn, draft: Draft) -> bool:
    """When the screen the draft moved on to never reached the clerk (handlers.delivery), their
    message answers a question they did not see: it is not taken, the current step is shown
    again (True). False otherwise."""
    if not turn.deliveries.undelivered(turn.user.tg_id):
        return False
    note = _(
        "Your previous answer was recorded, but the next step did not reach you. Here it is; "
        "the message you just sent was not taken as its answer."
    )
    await render(turn, *flow.resume(turn.campaign, draft), note, edit=False)
    return True


async def on_file(message: Message, turn: Turn, bot: Bot) -> None:
    """A photo or a document: the answer to a photo question, or refused with the question again."""
    draft = turn.draft
    if draft is not None and draft.award is not None and draft.step == flow.SUMMARY:
        await show_summary(turn, draft, _("Please use the buttons below the summary."), edit=False)
        return
    if draft is None or draft.award is None:
        await message.answer(_("A file is only needed when the form asks for a photo. Send /new to enter a nominee."))
        return
    if draft.step is None:  # paused: offer to continue first
        await message.answer(resume_offer(turn.campaign, draft), reply_markup=keyboards.resume_keyboard())
        return
    if await shown_again(turn, draft):
        return
    found = await question_of(turn, draft)
    if found is None:
        return
    form, step = found
    if step.field is None or step.field.type != "photo":
        problem = ChoiceInvalid() if step.kind == "category" or step.choices else TextExpected()
        await ask(turn, draft, step, answer_texts.answer_problem(problem, step))
        return
    if message.photo:
        largest = message.photo[-1]
        file_id, mime, name, size = largest.file_id, "image/jpeg", "photo.jpg", largest.file_size
    else:
        assert message.document is not None
        doc = message.document
        file_id, mime, name, size = doc.file_id, (doc.mime_type or ""), (doc.file_name or "file"), doc.file_size
        if mime not in PHOTO_MIMES:
            await ask(turn, draft, step, answer_texts.answer_problem(PhotoFormat(), step))
            return
    if size and size > MAX_MB * 1024 * 1024:
        await ask(turn, draft, step, answer_texts.answer_problem(PhotoTooLarge(MAX_MB), step))
        return
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        await bot.download(file_id, destination=cast(BinaryIO, spool))  # it has BinaryIO's methods
        try:
            photo = await decode_photo(spool, step.field.max_width, step.field.max_height)
        except InvalidAnswer as err:
            await ask(turn, draft, step, answer_texts.answer_problem(err.problem, step))
            return
    filename = name.rsplit(".", 1)[0] + ".jpg"
    ref = await drafts.store_file(turn.ports, photo.data, "image/jpeg", filename, turn.user.tg_id)
    answers = form.accept_value(draft.answers, step.key, ref)
    if photo.scaled:
        note = _("Photo received and scaled down to fit the limit: {w}×{h} pixels.")
    else:
        note = _("Photo received: {w}×{h} pixels.")
    await render(turn, *flow.advance(form, draft, answers), note.format(w=photo.width, h=photo.height), edit=False)


async def on_text(message: Message, turn: Turn, started_at: datetime, paste: PasteGuard) -> None:
    """A typed answer to the question the draft is waiting for."""
    draft = turn.draft
    if draft is None or draft.award is None:
        await message.answer(_("To enter a nominee send /new; /help lists all commands."))
        return
    if is_stale(draft, started_at, turn.now) or draft.step is None:
        await drafts.save(turn.ports, draft)  # marks it fresh: the next message is taken as an answer
        await message.answer(resume_offer(turn.campaign, draft), reply_markup=keyboards.resume_keyboard())
        return
    if await shown_again(turn, draft):
        return
    if draft.step == flow.SUMMARY:
        await show_summary(turn, draft, _("Please use the buttons below the summary."), edit=False)
        return
    found = await question_of(turn, draft)
    if found is None:
        return
    form, step = found
    text = message.text or ""
    if step.field is not None and step.field.type == "photo":
        await ask(turn, draft, step, answer_texts.answer_problem(PhotoExpected(), step))
        return
    if paste.is_rest(turn.user.tg_id, message.date, text):
        await ask(turn, draft, step, intake_texts.split_rest(step))
        return
    try:
        answers = form.accept(draft.answers, step.key, text, turn.today)
    except InvalidAnswer as err:
        paste.refused(turn.user.tg_id, message.date, text, err.problem)
        await ask(turn, draft, step, answer_texts.answer_problem(err.problem, step))
        return
    if step.kind == "category" and draft.alternate_for is None:  # a category typed instead of tapped
        partial = {"category": answers["category"]}
        decision = await prechecks.precheck(turn.ports, turn.user, form.award.key, partial, exclude=draft.editing)
        if not decision.ok:
            await ask(turn, draft, step, refusals_text(turn.campaign, decision.refusals))
            return
    if await nominated_already(turn, form, step, draft, answers):
        return
    note = intake_texts.accepted_note(form, step.key, answers, turn.today)
    await render(turn, *flow.advance(form, draft, answers), note, edit=False)


async def nominated_already(turn: Turn, form: IntakeForm, step: Step, draft: Draft, answers: dict[str, Any]) -> bool:
    """An answer that makes the nominee someone already nominated in the campaign (an ID number,
    an organisation's name) is refused at once, with who holds them — not 20 questions later at
    the save (which checks again). True when refused (the question is asked again)."""
    before, after = identity_key(form.award, draft.answers), identity_key(form.award, answers)
    if after is None or after == before:
        return False
    taken = await nominees.duplicate(turn.ports, turn.user, form.award.key, answers, exclude=draft.editing)
    if taken is None:
        return False
    await ask(turn, draft, step, refusals_text(turn.campaign, [taken]))
    return True


def setup() -> Router:
    router = Router(name="intake")
    router.message.register(new, Command("new"))
    router.callback_query.register(on_draft, DraftCb.filter())
    router.callback_query.register(on_award, AwardCb.filter())
    router.callback_query.register(on_pick, PickCb.filter())
    router.callback_query.register(on_multi, MultiCb.filter())
    router.callback_query.register(on_nav, NavCb.filter())
    router.callback_query.register(on_summary, SummaryCb.filter())
    router.callback_query.register(on_alternate, ItemCb.filter(F.action == "alt"))
    router.message.register(on_file, Magic(F.photo | F.document))
    router.message.register(on_text, Magic(F.text & ~F.text.startswith("/")))
    return router


__all__ = ["setup"]
