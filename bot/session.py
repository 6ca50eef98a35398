"""aiogram's own aiohttp session, tuned only through the hooks it documents: a request middleware
(:class:`SentKeyboard`) and the session's ``json_loads`` (:func:`loads`).

A sent or edited message comes back with the keyboard it was sent with; the keyboard object just
sent stands in for that copy, which pydantic would otherwise validate button by button again (a
summary card has two dozen buttons, and every step of the intake edits one).
"""

from __future__ import annotations

import contextvars
import json
from typing import Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InlineKeyboardMarkup

_sent_markup: contextvars.ContextVar[InlineKeyboardMarkup | None] = contextvars.ContextVar("sent_markup", default=None)


class SentKeyboard(BaseRequestMiddleware):
    """Remembers the inline keyboard of the request in flight, for :func:`loads`."""

    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot, method: TelegramMethod[TelegramType]
    ) -> Response[TelegramType]:
        markup = getattr(method, "reply_markup", None)
        token = _sent_markup.set(markup if isinstance(markup, InlineKeyboardMarkup) else None)
        try:
            return await make_request(bot, method)
        finally:
            _sent_markup.reset(token)


def loads(content: str) -> Any:
    """The reply's JSON, its echoed keyboard replaced by the keyboard object just sent."""
    data = json.loads(content)
    markup = _sent_markup.get()
    if markup is not None and isinstance(data, dict):
        result = data.get("result")
        if isinstance(result, dict) and "reply_markup" in result:
            result["reply_markup"] = markup
    return data


def make_session(api_server: str | None = None) -> AiohttpSession:
    if api_server:
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_server), json_loads=loads)
    else:
        session = AiohttpSession(json_loads=loads)
    session.middleware(SentKeyboard())
    return session


def make_bot(token: str, api_server: str | None = None) -> Bot:
    return Bot(token, session=make_session(api_server), default=DefaultBotProperties(parse_mode=ParseMode.HTML))


__all__ = ["SentKeyboard", "loads", "make_bot", "make_session"]
