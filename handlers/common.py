"""What every handler of a member uses: the injected :class:`Turn`, and replying to a message or
a button press the same way."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import CommandObject, Filter
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, TelegramObject
from aiogram.utils.magic_filter import MagicFilter

from app.ports import Ports
from core.campaign import Campaign
from core.records import Draft, UserInfo
from handlers.i18n import _
from handlers.texts import clip

Event = Message | CallbackQuery
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


@dataclass(frozen=True)
class Turn:
    """One update from a member: the event, and what every reply needs (handlers ask for ``turn``).
    ``draft`` is the member's unfinished nominee as the update found it; ``now`` is the bot's
    clock; ``today`` is that moment's date in the campaign's time zone."""

    event: Event
    ports: Ports
    user: UserInfo
    campaign: Campaign
    draft: Draft | None
    now: datetime
    today: date


async def with_turn(handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
    """Inner middleware of the member router: the matched handler may take ``turn``."""
    assert isinstance(event, Message | CallbackQuery)
    data["turn"] = Turn(event, data["ports"], data["user"], data["campaign"], data["draft"], data["now"], data["today"])
    return await handler(event, data)


class Magic(Filter):
    """An ``F`` expression checked in the event loop: aiogram runs a bare magic filter, like every
    plain function, through ``asyncio.to_thread`` — a thread round trip for each message tried."""

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


async def nominee_number(message: Message, command: CommandObject, usage: str) -> int | None:
    """The nominee number after a command; without one the clerk is told ``usage`` (None)."""
    nominee_id = parse_id(command.args)
    if nominee_id is None:
        await message.answer(usage)
    return nominee_id


def parse_id(args: str | None) -> int | None:
    """The nominee number after a command (``/status 12``, ``#12``, full-width digits)."""
    raw = (args or "").strip().lstrip("#＃").strip()
    raw = raw.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


__all__ = ["Event", "Magic", "Turn", "nominee_number", "outdated", "parse_id", "show", "with_turn"]
