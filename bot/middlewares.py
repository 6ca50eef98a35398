"""Middlewares: who is writing (user, campaign, ports, today), their language, and floods.

Deliberately read-only: nothing here writes to the database on every update.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import BaseMiddleware, Bot
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject, Update, User
from aiogram.utils.i18n import I18n, I18nMiddleware

from app import queries
from app.ports import Ports
from core.clock import local_date

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
log = logging.getLogger(__name__)
TOLD = "private-only"  # the FSM destiny under which a group or channel keeps "told once"


class PrivateChatsOnly(BaseMiddleware):
    """An outer middleware of updates: this bot serves private chats only.

    An update from a group, supergroup or channel (a message, an edit, a channel post, a press
    of a button on a message there) goes no further — no member is looked up, no draft touched,
    no handler runs, nothing of any unit is shown. The chat is told once, politely, to use a
    private chat with the bot; a button pressed there is answered with the same words (seen
    only by who pressed it).

    "Once" is remembered in the Dispatcher's FSM storage under a key of the chat itself (the
    database's ``fsm`` table, or Redis with several bot processes): kept across restarts and
    shared by the processes; two processes taking the chat's first messages at the same moment
    may each say it."""

    def __init__(self, i18n: I18n) -> None:
        self.i18n = i18n

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        chat: Chat | None = data.get("event_chat")
        if chat is None or chat.type == ChatType.PRIVATE:
            return await handler(event, data)
        assert isinstance(event, Update)
        bot: Bot = data["bot"]
        tg_user: User | None = data.get("event_from_user")
        code = (tg_user.language_code or "") if tg_user is not None else ""
        with self.i18n.context(), self.i18n.use_locale("en" if code.startswith("en") else self.i18n.default_locale):
            text = await self.notice(bot)
        try:
            if event.callback_query is not None:
                await event.callback_query.answer(text, show_alert=True)
                return None
            message = event.message or event.edited_message or event.channel_post or event.edited_channel_post
            left = message.left_chat_member if message is not None else None
            if left is not None and left.id == bot.id:
                return None  # removed from the group: nothing can be said there any more
            storage: BaseStorage = data["fsm_storage"]
            key = StorageKey(bot_id=bot.id, chat_id=chat.id, user_id=chat.id, destiny=TOLD)
            if (await storage.get_data(key)).get("told"):
                return None
            await storage.set_data(key, {"told": True})
            await bot.send_message(chat.id, text)
        except TelegramAPIError as err:  # not allowed to write there (a channel, a muted bot): said nothing
            log.info("could not tell %s chat %s to use a private chat: %s", chat.type, chat.id, err)
        return None

    @staticmethod
    async def notice(bot: Bot) -> str:
        from handlers.i18n import _

        try:
            username = (await bot.me()).username
        except TelegramAPIError:
            username = None
        where = f"@{username}" if username else _("the bot")
        return _(
            "This bot handles nominations in private chats only; messages in groups and channels are not "
            "processed and show nothing of any unit. Please open a private chat with {bot} and send your "
            "commands there."
        ).format(bot=where)


class ContextMiddleware(BaseMiddleware):
    """Injects ``ports``, ``user`` (None until joined), ``campaign``, ``draft`` (the member's
    unfinished nominee, or None), ``closed`` (why that draft can no longer be saved, or None:
    app.queries.Member), ``now`` (the ports' clock),
    ``today`` (that moment's date in the campaign's time zone; ``zone`` before joining) and
    ``started_at`` (when this process started, on the same clock)."""

    def __init__(self, ports: Ports, zone: ZoneInfo, *, tolerant: bool = False) -> None:
        self.ports = ports
        self.zone = zone
        self.tolerant = tolerant  # for the error handler: a failing lookup leaves user None
        self.started_at = ports.clock()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        tg_user: User | None = data.get("event_from_user")
        try:
            known = tg_user is not None and not tg_user.is_bot
            found = await queries.member(self.ports, tg_user.id) if known and tg_user is not None else None
        except Exception:
            if not self.tolerant:
                raise
            found = None  # the database may be what failed: apologise in Telegram's language
        data["ports"] = self.ports
        data["user"] = found.user if found is not None else None
        data["campaign"] = found.campaign if found is not None else None
        data["draft"] = found.draft if found is not None else None
        data["closed"] = found.closed if found is not None else None
        now = self.ports.clock()
        data["now"] = now
        data["today"] = local_date(now, found.campaign) if found is not None else now.astimezone(self.zone).date()
        data["started_at"] = self.started_at
        return await handler(event, data)


class LanguageMiddleware(I18nMiddleware):
    """The stored choice (/lang) first; before joining, Telegram's language (English or Chinese)."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user = data.get("user")
        if user is not None:
            return str(user.language)
        tg_user: User | None = data.get("event_from_user")
        code = (tg_user.language_code or "") if tg_user is not None else ""
        return "en" if code.startswith("en") else self.i18n.default_locale


class ThrottlingMiddleware(BaseMiddleware):
    """At most ``rate`` events per ``per`` seconds per user; beyond that events are dropped with
    one polite notice per window (protects the database from floods and stuck clients)."""

    def __init__(self, rate: int = 12, per: float = 4.0) -> None:
        self.rate = rate
        self.per = per
        self._hits: dict[int, list[float]] = {}
        self._warned: dict[int, float] = {}

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        tg_user: User | None = data.get("event_from_user")
        if tg_user is None:
            return await handler(event, data)
        now = time.monotonic()
        if len(self._hits) > 10_000:  # forget users who went quiet, so the table stays small
            self._hits = {k: v for k, v in self._hits.items() if v and now - v[-1] < self.per}
        hits = [t for t in self._hits.get(tg_user.id, []) if now - t < self.per]
        hits.append(now)
        self._hits[tg_user.id] = hits
        if len(hits) <= self.rate:
            return await handler(event, data)
        if now - self._warned.get(tg_user.id, 0.0) > self.per:
            self._warned[tg_user.id] = now
            from handlers.i18n import _

            text = _("Too many messages at once; please wait a moment and try again.")
            if isinstance(event, Message):
                await event.answer(text)
            elif isinstance(event, CallbackQuery):
                await event.answer(text, show_alert=True)
        elif isinstance(event, CallbackQuery):
            await event.answer()
        return None


def make_i18n(path: str, default: str = "zh") -> I18n:
    from locales.compile import compile_all

    compile_all()  # a fresh checkout has only the .po files
    return I18n(path=path, default_locale=default, domain="messages")
