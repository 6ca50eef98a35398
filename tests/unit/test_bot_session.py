"""bot.app.BotSession reads Bot API replies as aiogram does, only cheaper."""

from __future__ import annotations

import json

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import EditMessageText, SendMessage
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.app import BotSession

KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text=f"民族{i}", callback_data=f"pk:ethnicity:{i}")] for i in range(12)]
)


def reply(**result: object) -> str:
    return json.dumps(
        {"ok": True, "result": {"message_id": 7, "date": 1700000000, "chat": {"id": 5, "type": "private"}, **result}}
    )


@pytest.fixture
def session() -> tuple[BotSession, Bot]:
    session = BotSession()
    return session, Bot("42:test", session=session)


def test_a_sent_message_comes_back_with_the_keyboard_it_was_sent_with(session: tuple[BotSession, Bot]) -> None:
    s, bot = session
    method = SendMessage(chat_id=5, text="请选择民族", reply_markup=KEYBOARD)
    echoed = json.loads(KEYBOARD.model_dump_json(exclude_none=True))
    message = s.check_response(bot, method, 200, reply(text="请选择民族", reply_markup=echoed)).result
    assert message is not None
    assert message.message_id == 7 and message.text == "请选择民族"
    assert message.reply_markup is not None
    assert [row[0].text for row in message.reply_markup.inline_keyboard] == [f"民族{i}" for i in range(12)]


def test_a_reply_without_a_keyboard_is_not_given_one(session: tuple[BotSession, Bot]) -> None:
    s, bot = session
    method = EditMessageText(chat_id=5, message_id=7, text="已保存", reply_markup=KEYBOARD)
    message = s.check_response(bot, method, 200, reply(text="已保存")).result
    assert message is not None and not isinstance(message, bool) and message.reply_markup is None


def test_an_error_reply_still_raises_what_aiogram_raises(session: tuple[BotSession, Bot]) -> None:
    s, bot = session
    method = EditMessageText(chat_id=5, message_id=7, text="x", reply_markup=KEYBOARD)
    error = json.dumps({"ok": False, "error_code": 400, "description": "Bad Request: message is not modified"})
    with pytest.raises(TelegramBadRequest, match="not modified"):
        s.check_response(bot, method, 400, error)
    # and the next reply, to a message sent without a keyboard, shows the keyboard it came back with
    shown = {"inline_keyboard": [[{"text": "继续填写", "callback_data": "df:continue"}]]}
    plain = s.check_response(bot, SendMessage(chat_id=5, text="好"), 200, reply(text="好", reply_markup=shown)).result
    assert plain is not None and plain.reply_markup is not None and plain.reply_markup is not KEYBOARD
    assert [b.text for row in plain.reply_markup.inline_keyboard for b in row] == ["继续填写"]
