"""bot.session: aiogram's own session, tuned through its documented hooks only, reads replies as
aiogram does — only the keyboard just sent stands in for its echoed copy."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import EditMessageText, Response, SendMessage, TelegramMethod
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.session import SentKeyboard, make_session

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
