"""Small pieces every router uses: replying to a message or a button press the same way."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, TelegramObject
from aiogram.utils.magic_filter import MagicFilter

from core.campaign import Campaign
from core.ports import NomineeService, UserInfo
from handlers.i18n import _
from handlers.texts import clip

Event = Message | CallbackQuery
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


@dataclass(frozen=True)
class Turn:
    """One update from a member: the event, and what every reply needs (handlers ask for ``turn``)."""

    event: Event
    service: NomineeService
    user: UserInfo
    campaign: Campaign
    today: date


async def with_turn(handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
    """Inner middleware of the member router: the matched handler may take ``turn``."""
    assert isinstance(event, Message | CallbackQuery)
    data["turn"] = Turn(event, data["service"], data["user"], data["campaign"], data["today"])
    return await handler(event, data)


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
