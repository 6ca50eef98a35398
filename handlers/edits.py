"""Edited messages (Telegram's ``edited_message``): a clerk corrects an answer by editing it.

Which message answered which question is kept in the draft (core.records.Replies, recorded when
a screen is rendered after a message); core.flow.edited decides what an edit means:

- the last answer, while the screen it led to is still shown (or a refused answer sent at the
  current question): the edited message is checked again exactly as a typed answer or a photo
  (handlers.intake) with the draft back at its question — accepted, the form goes on from there;
  refused, that question is asked again. Either way the reply first says which answer was edited.
- an earlier answer: it stays as it is; the clerk is told to change it with ◀ or on the summary
  card, and sees the current question again.
- anything else (a command, a message of no question): an edit is not read; send it again.

An edited location (a live location moving) or sticker is passed over in silence.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from aiogram import Bot, F, Router
from aiogram.types import Message

from app import drafts
from core import flow
from handlers import intake, labels
from handlers.common import Magic, Turn
from handlers.i18n import _
from handlers.media import show_current
from handlers.paste import PasteGuard


async def on_edited(message: Message, turn: Turn, bot: Bot, started_at: datetime, paste: PasteGuard) -> None:
    draft = turn.draft
    command = (message.text or "").startswith("/")
    if draft is None or draft.award is None or command:
        await show_current(turn, not_read())
        return
    form = flow.form_of(turn.campaign, draft)
    match flow.edited(form, draft, message.message_id):
        case flow.Reanswer(draft=back, step=step):
            back = replace(back, updated_at=turn.now)  # an edit is no return after a pause
            if back != draft:
                await drafts.save(turn.ports, back)  # a refused edit leaves the clerk at that question
            lead = _("You edited your answer to “{label}”; the edited message is checked as the new answer.")
            again = replace(turn, draft=back, lead=lead.format(label=labels.esc(labels.step_label(form, step))))
            if message.photo or message.document:
                await intake.on_file(message, again, bot)
            else:
                await intake.on_text(message, again, started_at, paste)
        case flow.EarlierAnswer(step=step):
            label = labels.esc(labels.step_label(form, step)) if step is not None else "—"
            await show_current(
                turn,
                _(
                    "You edited an earlier answer (“{label}”); it is not changed. Editing changes only the last "
                    "answer while the question after it is shown. To change an earlier answer use ◀ Back, or ✎ on "
                    "the summary card."
                ).format(label=label),
            )
        case None:
            await show_current(turn, not_read())


def not_read() -> str:
    return _("An edited message is not read again here. Please send the corrected text as a new message.")


def setup() -> Router:
    router = Router(name="edits")
    router.edited_message.register(on_edited, Magic(F.text | F.photo | F.document))
    return router


__all__ = ["setup"]
