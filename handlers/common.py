"""Small pieces every router uses: replying to a message or a button press the same way."""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, TelegramObject
from aiogram.utils.magic_filter import MagicFilter

from handlers.i18n import _
from handlers.texts import clip

Event = Message | CallbackQuery


class Magic(Filter):
    """An ``F`` expression checked in the event loop. aiogram calls a bare magic filter as a plain
    function, and every plain function in a worker thread (``asyncio.to_thread``): a thread
    round trip, and a wait for the GIL, each time a message is tried against the handler."""

    def __init__(self, magic: MagicFilter) -> None:
        self.magic = magic

    async def __call__(self, event: TelegramObject) -> bool:
        return bool(self.magic.resolve(event))


async def show(event: Event, text: str, markup: InlineKeyboardMarkup | None = None, *, edit: bool = True) -> None:
    """Answers a message with a new message; a button press by editing the message it was on
    (falls back to a new message when the old one cannot be edited)."""
    text = clip(text)
    if isinstance(event, CallbackQuery):
        message = event.message
        if edit and isinstance(message, Message):
            try:
                await message.edit_text(text, reply_markup=markup)
                return
            except TelegramBadRequest:
                pass
        if isinstance(message, Message):
            await message.answer(text, reply_markup=markup)
        return
    await event.answer(text, reply_markup=markup)


async def outdated(query: CallbackQuery) -> None:
    await query.answer(_("This message is outdated. Please use the latest message."), show_alert=True)


def chat_id(event: Event) -> int:
    return event.from_user.id if event.from_user else 0
