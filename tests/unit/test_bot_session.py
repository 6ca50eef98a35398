"""bot.session: aiogram's own session, tuned through its documented hooks only, reads replies as
aiogram does — only the keyboard just sent stands in for its echoed copy; it retries what a later
try can get through, within bounds, and nothing else."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import AnswerCallbackQuery, EditMessageText, GetUpdates, Response, SendMessage, TelegramMethod
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.session import AnsweredQuery, Retry, SentKeyboard, make_session

KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text=f"民族{i}", callback_data=f"pk:ethnicity:{i}")] for i in range(12)]
)


def reply(**result: object) -> str:
    return json.dumps(
        {"ok": True, "result": {"message_id": 7, "date": 1700000000, "chat": {"id": 5, "type": "private"}, **result}}
    )


@pytest.fixture
async def session() -> Any:
    s = make_session()
    yield s, Bot("42:test", session=s), SentKeyboard()
    await s.close()


async def through(
    s: AiohttpSession, bot: Bot, replies: SentKeyboard, method: TelegramMethod[Any], status: int, body: str
) -> Any:
    """The request as the session's middleware chain runs it, with the server's reply given."""

    async def server(bot: Bot, method: TelegramMethod[Any]) -> Response[Any]:
        return s.check_response(bot, method, status, body)

    return (await replies(server, bot, method)).result


async def test_a_sent_message_comes_back_with_the_keyboard_it_was_sent_with(session: Any) -> None:
    s, bot, replies = session
    method = SendMessage(chat_id=5, text="请选择民族", reply_markup=KEYBOARD)
    echoed = json.loads(KEYBOARD.model_dump_json(exclude_none=True))
    message = await through(s, bot, replies, method, 200, reply(text="请选择民族", reply_markup=echoed))
    assert isinstance(message, Message) and message.text == "请选择民族"
    assert message.reply_markup is KEYBOARD  # the object sent, not a copy validated button by button
    assert [row[0].text for row in message.reply_markup.inline_keyboard] == [f"民族{i}" for i in range(12)]


async def test_a_reply_without_a_keyboard_is_not_given_one(session: Any) -> None:
    s, bot, replies = session
    method = EditMessageText(chat_id=5, message_id=7, text="已保存", reply_markup=KEYBOARD)
    message = await through(s, bot, replies, method, 200, reply(text="已保存"))
    assert isinstance(message, Message) and message.reply_markup is None


async def test_an_error_reply_still_raises_what_aiogram_raises_and_the_next_reply_is_read_as_sent(
    session: Any,
) -> None:
    s, bot, replies = session
    method = EditMessageText(chat_id=5, message_id=7, text="x", reply_markup=KEYBOARD)
    error = json.dumps({"ok": False, "error_code": 400, "description": "Bad Request: message is not modified"})
    with pytest.raises(TelegramBadRequest, match="not modified"):
        await through(s, bot, replies, method, 400, error)
    shown = {"inline_keyboard": [[{"text": "继续填写", "callback_data": "df:continue"}]]}
    plain = await through(s, bot, replies, SendMessage(chat_id=5, text="好"), 200, reply(text="好", reply_markup=shown))
    assert plain.reply_markup is not None and plain.reply_markup is not KEYBOARD
    assert [b.text for row in plain.reply_markup.inline_keyboard for b in row] == ["继续填写"]


# ------------------------------------------------------------------------------ the retry policy


class Telegram:
    """Telegram's side of one request: the replies given in turn (an HTTP status and body, or
    ``None`` for a connection that drops), counting the tries. Like aiogram's session at the end
    of the middleware chain, it returns the reply's result."""

    def __init__(self, s: AiohttpSession, *replies: tuple[int, str] | None) -> None:
        self.s = s
        self.replies = list(replies)
        self.tries = 0

    async def __call__(self, bot: Bot, method: TelegramMethod[Any]) -> Any:
        self.tries += 1
        answer = self.replies.pop(0) if self.replies else (200, reply(text="好"))
        if answer is None:
            raise TelegramNetworkError(method=method, message="ServerDisconnectedError: Server disconnected")
        return self.s.check_response(bot, method, *answer).result


async def run(middleware: Any, telegram: Telegram, bot: Bot, method: TelegramMethod[Any]) -> Any:
    """The result of ``method`` through ``middleware`` with ``telegram`` behind it."""
    return await middleware(telegram, bot, method)


def failed(code: int, description: str, **parameters: int) -> tuple[int, str]:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return code, json.dumps(body)


class Waits:
    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


SEND = SendMessage(chat_id=5, text="好")


async def test_a_flood_wait_is_waited_exactly_and_a_5xx_or_a_drop_is_retried_with_growing_waits(
    session: Any,
) -> None:
    s, bot, _ = session
    waits = Waits()
    retry = Retry(sleep=waits)
    telegram = Telegram(
        s, failed(429, "Too Many Requests: retry after 3", retry_after=3), None, failed(502, "Bad Gateway")
    )
    assert (await run(retry, telegram, bot, SEND)).text == "好"
    assert telegram.tries == 4
    assert waits.seconds[0] == 3.0
    # back-off 0.5 s then 1 s, each with up to half again of jitter
    assert 0.5 <= waits.seconds[1] <= 0.75 and 1.0 <= waits.seconds[2] <= 1.5


async def test_retries_stop_after_four_tries_and_within_the_total_wait(session: Any) -> None:
    s, bot, _ = session
    waits = Waits()
    telegram = Telegram(s, *[failed(500, "Internal Server Error")] * 5)
    with pytest.raises(TelegramServerError):
        await run(Retry(sleep=waits), telegram, bot, SEND)
    assert telegram.tries == 4 and len(waits.seconds) == 3

    waits = Waits()
    telegram = Telegram(s, *[failed(429, "Too Many Requests: retry after 12", retry_after=12)] * 5)
    with pytest.raises(TelegramRetryAfter):
        await run(Retry(sleep=waits), telegram, bot, SEND)
    assert waits.seconds == [12.0, 12.0]  # a third wait would pass 30 s in all


async def test_what_a_retry_cannot_change_is_raised_at_once(session: Any) -> None:
    s, bot, _ = session
    waits = Waits()
    for answer, error in [
        (failed(400, "Bad Request: message text is empty"), TelegramBadRequest),
        (failed(403, "Forbidden: bot was blocked by the user"), TelegramForbiddenError),
        (failed(413, "Request Entity Too Large"), TelegramEntityTooLarge),
        (failed(429, "Too Many Requests: retry after 300", retry_after=300), TelegramRetryAfter),
    ]:
        telegram = Telegram(s, answer)
        with pytest.raises(error):
            await run(Retry(sleep=waits), telegram, bot, SEND)
        assert telegram.tries == 1
    telegram = Telegram(s, None)
    with pytest.raises(TelegramNetworkError):  # the polling loop has its own back-off
        await run(Retry(sleep=waits), telegram, bot, GetUpdates(offset=1, timeout=10))
    assert telegram.tries == 1 and waits.seconds == []


async def test_an_edit_done_before_its_connection_dropped_counts_as_done(session: Any) -> None:
    s, bot, _ = session
    edit = EditMessageText(chat_id=5, message_id=7, text="已保存")
    telegram = Telegram(s, None, failed(400, "Bad Request: message is not modified: specified new message content"))
    assert await run(Retry(sleep=Waits()), telegram, bot, edit) is True
    telegram = Telegram(s, failed(400, "Bad Request: message is not modified: specified new message content"))
    with pytest.raises(TelegramBadRequest):  # without a drop before it, "not modified" is the handler's to judge
        await run(Retry(sleep=Waits()), telegram, bot, edit)


async def test_answering_a_press_already_answered_is_not_an_error(session: Any) -> None:
    s, bot, _ = session
    answer = AnswerCallbackQuery(callback_query_id="q1")
    too_old = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    assert await run(AnsweredQuery(), Telegram(s, failed(400, too_old)), bot, answer) is True
    assert await run(AnsweredQuery(), Telegram(s, failed(400, "Bad Request: QUERY_ID_INVALID")), bot, answer) is True
    with pytest.raises(TelegramBadRequest):
        await run(AnsweredQuery(), Telegram(s, failed(400, "Bad Request: MESSAGE_TOO_LONG")), bot, answer)
