"""The recording session refuses what Telegram refuses — the stories rely on it to catch a reply
Telegram would never have shown."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import EditMessageText
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from tests.chat.chat import TOKEN
from tests.chat.session import ParseError, RecordingSession, render_html

CHAT = 42


@pytest.fixture
def bot() -> Bot:
    return Bot(TOKEN, session=RecordingSession(), default=DefaultBotProperties(parse_mode=ParseMode.HTML))


def keyboard(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="好", callback_data=data)]])


def test_html_is_rendered_as_the_clerk_reads_it_and_bad_markup_is_refused() -> None:
    assert render_html("<b>郑州</b> &lt;A&amp;B&gt; &#21451; & <i>x</i>") == "郑州 <A&B> 友 & x"
    for bad in ("<b>open", "a</b>", "<b><i>x</b></i>", "1 < 2 <x>", "<div>x</div>", '<span class="x">y</span>'):
        with pytest.raises(ParseError):
            render_html(bad)


async def test_telegram_refuses_bad_markup_long_texts_and_long_button_data(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(CHAT, "<b>未闭合")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(CHAT, "长" * 4097)
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(CHAT, "<b> </b>")
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(CHAT, "好", reply_markup=keyboard("x" * 65))
    sent = await bot.send_message(CHAT, "<b>第 1/23 步</b>", reply_markup=keyboard("x" * 64))
    assert sent.text == "第 1/23 步" and sent.message_id == 1


async def test_an_edit_must_change_something_and_a_press_is_answered_once(bot: Bot) -> None:
    session = bot.session
    assert isinstance(session, RecordingSession)
    sent = await bot.send_message(CHAT, "问题", reply_markup=keyboard("a"))
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("问题", chat_id=CHAT, message_id=sent.message_id, reply_markup=keyboard("a"))
    await bot.edit_message_text("问题", chat_id=CHAT, message_id=sent.message_id)  # the keyboard goes
    assert session.shown(CHAT)[0].keyboard == ()
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("别处", chat_id=CHAT, message_id=999)

    session.open_query("q1", CHAT)
    assert await bot.answer_callback_query("q1", text="已过期", show_alert=True)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query("q1")
    assert [(s.kind, s.text, s.alert) for s in session.said][-1] == ("answer", "已过期", True)


async def test_a_test_can_make_the_next_call_of_a_method_fail(bot: Bot) -> None:
    session = bot.session
    assert isinstance(session, RecordingSession)
    sent = await bot.send_message(CHAT, "问题")
    session.fail_next(EditMessageText, "Bad Request: message can't be edited")
    with pytest.raises(TelegramBadRequest, match="can't be edited"):
        await bot.edit_message_text("新问题", chat_id=CHAT, message_id=sent.message_id)
    await bot.edit_message_text("新问题", chat_id=CHAT, message_id=sent.message_id)  # only the next one
    assert session.shown(CHAT)[0].text == "新问题"


async def test_a_users_upload_is_downloaded_as_registered(bot: Bot) -> None:
    session = bot.session
    assert isinstance(session, RecordingSession)
    upload = session.upload(b"\xff\xd8 jpeg bytes", "jpg")
    data = await bot.download(upload.file_id)
    assert data is not None and data.read() == b"\xff\xd8 jpeg bytes"
    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await bot.get_file("no-such-file")
