"""aiogram's own aiohttp session, tuned only through the hooks it documents: request middlewares
(:class:`Retry`, :class:`AnsweredQuery`, :class:`SentKeyboard`) and the session's ``json_loads``
(:func:`loads`). :func:`tune` installs them on any session (production's, a test's).

A sent or edited message comes back with the keyboard it was sent with; the keyboard object just
sent stands in for that copy, which pydantic would otherwise validate button by button again (a
summary card has two dozen buttons, and every step of the intake edits one).

Transient failures are retried here, in one place for every request the bot makes (see
:class:`Retry` for the policy), so no handler ever sees a flood wait, a 5xx or a dropped
connection that a second try would have got through.
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any, cast

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageCaption,
    EditMessageReplyMarkup,
    EditMessageText,
    GetUpdates,
    Response,
    SendMessage,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import InlineKeyboardMarkup

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

_sent_markup: contextvars.ContextVar[InlineKeyboardMarkup | None] = contextvars.ContextVar("sent_markup", default=None)


class Retry(BaseRequestMiddleware):
    """Retries a request that failed for a reason a later try can get through, with bounded waits.

    - **429** (``retry_after`` seconds): Telegram did not perform the request; it is sent again
      after exactly the wait Telegram asks for, as its FAQ says, as long as the waits of this
      request stay within ``max_wait`` seconds in all; a longer flood wait fails at once.
    - **5xx** and a **dropped connection or timeout** (aiogram's ``TelegramServerError`` and
      ``TelegramNetworkError``): at most ``tries`` such failures end the request, waiting
      ``base`` × 2ⁿ⁻¹ seconds after the n-th (at most ``max_delay``) with up to half of it
      again at random (jitter, so that many chats do not come back at the same moment), again
      within ``max_wait``.
    - Anything else (400 Bad Request, 403, 413 too large) is a real answer and is raised at once.

    After a dropped connection nobody knows whether Telegram performed the request: every method
    is retried all the same. A ``sendMessage`` may then arrive twice — preferred to a question
    that never arrives; the conversation is built for it (a question shown twice has the same
    buttons, and pressing either works; an older screen's button is answered "outdated"). An
    edit retried after its connection dropped and refused as "message is not modified" was done
    by the first try: it counts as done. A repeated press answer is not an error
    (:class:`AnsweredQuery`). ``getUpdates`` is left to the polling loop, which has its own
    back-off.

    ``sleep`` waits (``asyncio.sleep``; tests pass one that only moves their clock).
    """

    def __init__(
        self,
        *,
        tries: int = 4,
        base: float = 0.5,
        max_delay: float = 8.0,
        max_wait: float = 30.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.tries = tries
        self.base = base
        self.max_delay = max_delay
        self.max_wait = max_wait
        self.sleep = sleep

    def delay(self, err: Exception, failures: int) -> float | None:
        """Seconds to wait before trying again after ``err``, the ``failures``-th 5xx or dropped
        connection of this request so far (flood waits not counted), or None when ``err`` is not
        worth another try."""
        if isinstance(err, TelegramRetryAfter):
            return float(max(err.retry_after, 1))  # at least a second: a bounded number of tries
        if isinstance(err, TelegramEntityTooLarge):  # a 413 is a NetworkError in aiogram, but final
            return None
        if isinstance(err, TelegramServerError | TelegramNetworkError) and failures < self.tries:
            backoff = min(self.base * 2.0 ** (failures - 1), self.max_delay)
            return backoff * (1 + random.random() / 2)  # jitter, not cryptography
        return None

    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot, method: TelegramMethod[TelegramType]
    ) -> Response[TelegramType]:
        polling = isinstance(method, GetUpdates)
        if polling:
            return await make_request(bot, method)
        edit = isinstance(method, EditMessageText | EditMessageCaption | EditMessageReplyMarkup)
        waited = 0.0
        failures = 0  # 5xx and dropped connections so far
        dropped = False
        while True:
            try:
                return await make_request(bot, method)
            except TelegramBadRequest as err:
                if edit and dropped and "message is not modified" in err.message:
                    # the edit's result is a Message or True; the handlers never read it
                    return cast(Response[TelegramType], True)
                raise
            except (TelegramRetryAfter, TelegramServerError, TelegramNetworkError) as err:
                if not isinstance(err, TelegramRetryAfter):
                    failures += 1
                wait = self.delay(err, failures)
                if wait is None or waited + wait > self.max_wait:
                    raise
                dropped = dropped or isinstance(err, TelegramNetworkError)
                log.warning("%s failed (%s); trying again in %.1f s", method.__api_method__, err, wait)
                await self.sleep(wait)
                waited += wait


class Pacer:
    """A broadcast's pace, below Telegram's limits: at most ``rate`` messages in any ``span``
    seconds overall (30 in 1.02 s: Telegram's "about 30 messages per second", with a margin for
    the requests' own jitter) and one a second per chat
    (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this).

    The limit is kept over a sliding window — a send waits until the one ``rate`` sends before it
    is ``span`` old — so a late wake-up of the event loop never slows the round down for good (a
    fixed spacing measured from each actual send lost 3 ms a message to such delays), and no two
    sends are closer than half the even spacing. A flood wait holds every slot for its
    ``retry_after`` (:meth:`hold`)."""

    def __init__(
        self,
        rate: int = 30,
        per_chat: float = 1.0,
        *,
        span: float = 1.02,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.rate = rate
        self.span = span
        self.gap = span / rate / 2
        self.chat_spacing = 1.0 / per_chat
        self.clock = clock
        self.sleep = sleep
        self._sent: collections.deque[float] = collections.deque(maxlen=rate)
        self._held = 0.0
        self._chats: dict[int, float] = {}
        self._lock = asyncio.Lock()

    async def slot(self, chat_id: int) -> None:
        async with self._lock:  # slots are handed out one at a time, in order
            while True:
                now = self.clock()
                at = max(now, self._held, self._chats.get(chat_id, 0.0))
                if self._sent:
                    at = max(at, self._sent[-1] + self.gap)
                if len(self._sent) == self.rate:
                    at = max(at, self._sent[0] + self.span)
                if at <= now:
                    break
                await self.sleep(at - now)
            self._sent.append(now)
            self._chats[chat_id] = now + self.chat_spacing

    def hold(self, seconds: float) -> None:
        """No slot before ``seconds`` from now (Telegram asked the bot to wait)."""
        self._held = max(self._held, self.clock() + seconds)


# The pacer of the broadcast being sent in this task (None: an ordinary reply, never paced).
pacing: contextvars.ContextVar[Pacer | None] = contextvars.ContextVar("pacing", default=None)


class Paced(BaseRequestMiddleware):
    """Inside :class:`Retry`: every try of a broadcast's ``sendMessage`` (a retried one too) takes a
    slot of the task's :data:`pacing`, and a flood wait holds the whole broadcast. The chat's
    replies to its users are not paced."""

    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot, method: TelegramMethod[TelegramType]
    ) -> Response[TelegramType]:
        pacer = pacing.get()
        chat = method.chat_id if isinstance(method, SendMessage) else None
        if pacer is None or chat is None:
            return await make_request(bot, method)
        await pacer.slot(int(chat))
        try:
            return await make_request(bot, method)
        except TelegramRetryAfter as err:
            pacer.hold(float(err.retry_after))
            raise


ANSWERED = ("query is too old", "query_id_invalid")  # Telegram's two wordings for an answered or expired press


class AnsweredQuery(BaseRequestMiddleware):
    """Answering a button press that was already answered (a duplicated update, a retried answer)
    or has expired is not an error: the answer only stops the client's spinner, which has stopped."""

    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot, method: TelegramMethod[TelegramType]
    ) -> Response[TelegramType]:
        answer = isinstance(method, AnswerCallbackQuery)
        if not answer:
            return await make_request(bot, method)
        try:
            return await make_request(bot, method)
        except TelegramBadRequest as err:
            if not any(words in err.message.lower() for words in ANSWERED):
                raise
            log.info("a press was answered already: %s", err.message)
            # the chain's real result is the method's own (True here), whatever its annotation says
            return cast(Response[TelegramType], True)


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


def tune(session: BaseSession, *, sleep: Sleep = asyncio.sleep) -> BaseSession:
    """Installs the bot's hooks on ``session``: retries outermost (each try runs the rest of the
    chain again), then a broadcast's pace, then the quiet press answers, then the keyboard memory for :func:`loads`."""
    session.json_loads = loads
    session.middleware(Retry(sleep=sleep))
    session.middleware(Paced())
    session.middleware(AnsweredQuery())
    session.middleware(SentKeyboard())
    return session


def make_session(api_server: str | None = None) -> AiohttpSession:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_server)) if api_server else AiohttpSession()
    tune(session)
    return session


def make_bot(token: str, api_server: str | None = None) -> Bot:
    return Bot(token, session=make_session(api_server), default=DefaultBotProperties(parse_mode=ParseMode.HTML))


__all__ = [
    "AnsweredQuery",
    "Paced",
    "Pacer",
    "Retry",
    "SentKeyboard",
    "Sleep",
    "loads",
    "make_bot",
    "make_session",
    "pacing",
    "tune",
]
