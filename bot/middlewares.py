"""Middlewares: who is writing (user, campaign, ports, today), their language, and floods.

Deliberately read-only: nothing here writes to the database on every update.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware

from app import queries
from app.ports import Ports
from core.clock import local_date

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class ContextMiddleware(BaseMiddleware):
    """Injects ``ports``, ``user`` (None until joined), ``campaign``, ``draft`` (the member's
    unfinished nominee, or None), ``now`` (the ports' clock),
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
