"""What every handler of a member uses: the injected :class:`Turn`, and replying to a message or
a button press the same way."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import CommandObject, Filter
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, TelegramObject
from aiogram.utils.magic_filter import MagicFilter

from app.ports import Ports
from core.campaign import Campaign
from core.records import ID_MAX, Draft, UserInfo, is_id
from core.refusals import Closed, NomineeNotFound, Rejected
from handlers.callbacks import DraftCb, NavCb, SummaryCb
from handlers.delivery import Deliveries
from handlers.i18n import _
from handlers.labels import clip
from handlers.problems import problem_text

Event = Message | CallbackQuery
DIGITS = re.compile(r"[0-9]+")
# a typed date: 2024-05-20, 2024/5/20, 2024.5.20 or 2024年5月20日, with an optional hour (17:00 or 17：00)
WHEN = re.compile(r"^\s*(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?(?:\s+(\d{1,2})[:：](\d{2}))?\s*$")
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


@dataclass(frozen=True)
class Turn:
    """One update from a member: the event, and what every reply needs (handlers ask for ``turn``).
    ``draft`` is the member's unfinished nominee as the update found it; ``now`` is the bot's
    clock; ``today`` is that moment's date in the campaign's time zone; ``deliveries`` notes what
    was stored and whether its screen arrived (:mod:`handlers.delivery`). ``lead``: a line shown
    first on the question or summary card this turn shows (an edited answer says so there).
    ``closed``: why the draft can no longer be saved (app.queries.Member), None while it can."""

    event: Event
    ports: Ports
    user: UserInfo
    campaign: Campaign
    draft: Draft | None
    now: datetime
    today: date
    deliveries: Deliveries
    lead: str = ""
    closed: Closed | None = None


async def with_turn(handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
    """Inner middleware of the member router: the matched handler may take ``turn``."""
    assert isinstance(event, Message | CallbackQuery)
    data["turn"] = Turn(
        event,
        data["ports"],
        data["user"],
        data["campaign"],
        data["draft"],
        data["now"],
        data["today"],
        data["deliveries"],
        closed=data.get("closed"),
    )
    return await handler(event, data)


def still_open(turn: Turn) -> None:
    """Refuses (:class:`Rejected`, said as /new says it: why, and whom to ask) when the draft can
    no longer be saved: the unit's list was submitted or entry has closed. The draft is kept —
    the office may reopen the list, and then it goes on where it stopped."""
    if turn.closed is not None:
        raise Rejected(turn.closed)


def leaving(data: dict[str, Any]) -> bool:
    """A press that only leads out of a draft (取消, then 暂停 or 放弃): allowed when it is closed."""
    pressed = data.get("callback_data")
    if isinstance(pressed, DraftCb):
        return pressed.action in ("pause", "discard")
    return isinstance(pressed, NavCb | SummaryCb) and pressed.action == "cancel"


async def draft_open(handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
    """Inner middleware of the routers whose handlers take a draft's answers (media, intake,
    edits): a typed answer, a photo, a button, 继续填写, /new's offer to continue — the first of
    them after a colleague's /submit or the entry deadline is refused at once (:func:`still_open`),
    not only at 确认保存 after the clerk answered everything in vain. Without a draft there is
    nothing to refuse here (/new asks the use case)."""
    if not leaving(data):
        still_open(data["turn"])
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
    """The nominee number after a command; without one the clerk is told ``usage``, and a number
    no nominee can have (0, or beyond a stored id's range) is "no such nominee" (None both)."""
    nominee_id = parse_id(command.args)
    if nominee_id is None:
        await message.answer(usage)
    elif not is_id(nominee_id):
        await message.answer(problem_text(NomineeNotFound(nominee_id)))
        return None
    return nominee_id


def parse_id(args: str | None) -> int | None:
    """The number after a command (``/status 12``, ``#12``, full-width digits), None when there is
    none. Not checked against the range of ids (:func:`core.records.is_id`)."""
    raw = unicodedata.normalize("NFKC", (args or "")).strip().lstrip("#").strip()
    if not DIGITS.fullmatch(raw):
        return None
    return int(raw) if len(raw) <= 12 else ID_MAX + 1  # longer: out of range anyway, not worth converting


def parse_when(text: str) -> tuple[date, time | None] | None:
    """A date the office typed (``YYYY-MM-DD`` or ``2024年5月20日``, optionally ``HH:MM``) as
    (day, hour or None); None when it is not one, or no calendar has that day (2024-05-32)."""
    found = WHEN.match(text)
    if found is None:
        return None
    y, m, d, hh, mm = found.groups()
    try:
        day = date(int(y), int(m), int(d))
        at = None if hh is None else time(int(hh), int(mm))
    except ValueError:
        return None
    return day, at


__all__ = [
    "WHEN",
    "Event",
    "Magic",
    "Turn",
    "draft_open",
    "nominee_number",
    "outdated",
    "parse_id",
    "parse_when",
    "show",
    "still_open",
    "with_turn",
]
