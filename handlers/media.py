"""What a phone sends besides typed text, at a question of the intake (or outside one).

- A sticker, voice, video note, video, audio, animation, location, venue, poll, dice, a game, a
  story …: none is an answer. At a question: "please answer with text" (or "choose a button", or
  "send a photo", as the question asks) and the question again; outside a draft, a short help.
- A shared contact at a phone question is the phone answer: its number is checked exactly as a
  typed one (handlers.intake.on_text). A contact of somebody else is fine — it is the nominee's.
- A forwarded text is somebody else's message, not the clerk's answer: the clerk is asked to
  type it. (A forwarded photo at the photo question is the nominee's photo: taken as sent.)
- An album (several photos or files sent at once, one ``media_group_id``): its first item is
  treated as if it came alone; of the rest, the first says in one short note that they were not
  needed (when the first was taken as an answer), the others are passed over in silence. Which
  album was seen last lives in the FSM storage's data of the chat (the database, or Redis with
  several bot processes).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import Message, TelegramObject

from core import flow
from core.errors import AnswerProblem, ChoiceInvalid, PhotoExpected, TextExpected
from core.form import Step
from core.records import Draft
from handlers import answer_texts, intake, keyboards
from handlers.common import Handler, Magic, Turn, draft_open, still_open
from handlers.i18n import _
from handlers.paste import PasteGuard
from handlers.steps import ask, render, resume_offer, show_summary

ALBUM = "album"  # the FSM data key: {"id": media_group_id, "first": message id, "noted": bool}


def not_text_problem(step: Step) -> AnswerProblem:
    """What a question asks for instead of a sticker, a voice message …"""
    if step.field is not None and step.field.type == "photo":
        return PhotoExpected()
    if step.kind == "category" or step.choices:
        return ChoiceInvalid()
    return TextExpected()


async def show_current(turn: Turn, notice: str, *, not_text: bool = False) -> None:
    """``notice`` with whatever the clerk is in the middle of: the question the draft waits for
    (``not_text``: with what that question asks for instead), the summary card, the offer to
    continue; without a draft, ``notice`` and how to start."""
    draft = turn.draft
    message = turn.event
    assert isinstance(message, Message)
    if draft is None or draft.award is None:
        if not_text:
            notice = notice or _("This kind of message is not read here.")
        start = _("To enter a nominee send /new; /help lists all commands.")
        await message.answer("\n\n".join(p for p in (notice, start) if p))
        return
    if draft.step == flow.SUMMARY:
        await show_summary(turn, draft, notice or _("Please use the buttons below the summary."), edit=False)
        return
    step = flow.current(flow.form_of(turn.campaign, draft), draft)
    if step is None:  # not yet at a question, or it no longer applies: where the draft can go on
        if draft.step is None:
            await message.answer(resume_offer(turn.campaign, draft), reply_markup=keyboards.resume_keyboard())
            return
        await render(turn, *flow.resume(turn.campaign, draft), notice, edit=False)
        return
    parts = [notice, answer_texts.answer_problem(not_text_problem(step), step) if not_text else ""]
    await ask(turn, draft, step, "\n".join(p for p in parts if p), edit=False)


async def on_not_text(message: Message, turn: Turn) -> None:
    """A sticker, voice message, location … : not an answer; the question again."""
    await show_current(turn, "", not_text=True)


def phone_question(turn: Turn) -> bool:
    draft = turn.draft
    if draft is None or draft.award is None or draft.step in (None, flow.SUMMARY):
        return False
    step = flow.current(flow.form_of(turn.campaign, draft), draft)
    return step is not None and step.field is not None and step.field.type == "phone"


async def on_contact(message: Message, turn: Turn, started_at: datetime, paste: PasteGuard) -> None:
    """A shared contact: at a phone question its number is the answer, checked as a typed one."""
    assert message.contact is not None
    if not phone_question(turn):
        await show_current(turn, "", not_text=True)
        return
    typed = message.model_copy(update={"text": message.contact.phone_number, "contact": None})
    await intake.on_text(typed, turn, started_at, paste)


async def on_forwarded_text(message: Message, turn: Turn) -> None:
    """A forwarded text: somebody else's words, not the clerk's answer."""
    draft = turn.draft
    if draft is None or draft.award is None or draft.step == flow.SUMMARY:
        await show_current(turn, "", not_text=True)
        return
    await show_current(
        turn,
        _("A forwarded message is not taken as an answer. Please type the answer yourself (you may paste the text)."),
    )


async def on_album(
    message: Message, turn: Turn, bot: Bot, state: FSMContext, started_at: datetime, paste: PasteGuard
) -> None:
    """One item of an album: the first as if it came alone, the rest noted once or passed over."""
    data = await state.get_data()
    album: Any = data.get(ALBUM)
    if not isinstance(album, dict) or album.get("id") != message.media_group_id:
        await state.update_data({ALBUM: {"id": message.media_group_id, "first": message.message_id, "noted": False}})
        still_open(turn)  # refused once: the further items find the first not taken, and pass over
        await as_single(message, turn, bot, started_at, paste)
        return
    if album.get("noted") or not taken(turn.draft, album.get("first")):
        return  # the first item was refused with the question (or the rest was noted already)
    await state.update_data({ALBUM: album | {"noted": True}})
    await show_current(turn, _("Only the first photo of the album was used; the others are not needed."))


def taken(draft: Draft | None, message_id: Any) -> bool:
    """The message answered a question of the draft."""
    return draft is not None and isinstance(message_id, int) and message_id in draft.replies.steps


async def as_single(message: Message, turn: Turn, bot: Bot, started_at: datetime, paste: PasteGuard) -> None:
    """A message handled as the intake handles it on its own (an album's first item)."""
    if message.photo or message.document:
        await intake.on_file(message, turn, bot)
    elif message.text and not message.text.startswith("/"):
        await intake.on_text(message, turn, started_at, paste)
    else:
        await on_not_text(message, turn)


async def open_but_albums(handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
    """:func:`handlers.common.draft_open`, but an album is refused once, by :func:`on_album` at
    its first item (its further items are passed over), not once per photo."""
    if isinstance(event, Message) and event.media_group_id is not None:
        return await handler(event, data)
    return await draft_open(handler, event, data)


def setup() -> Router:
    """Registered before the intake's router: albums and forwards would otherwise be taken as
    answers by it."""
    router = Router(name="media")
    router.message.middleware(open_but_albums)
    router.message.register(on_album, Magic(F.media_group_id))
    router.message.register(on_forwarded_text, Magic(F.forward_origin & F.text))
    router.message.register(on_contact, Magic(F.contact))
    router.message.register(on_not_text, Magic(~F.text & ~F.photo & ~F.document))
    return router


__all__ = ["setup", "show_current"]
