"""Conformance check of the local Bot API server with a second client library: a small
python-telegram-bot (PTB) bot — echo, an inline keyboard, a photo, a file downloaded and answered —
polls the server exactly as it would poll Telegram (only the base URLs differ), and a user plays
it through the sandbox side. aiogram's conformance is the rest of the suite; the sandbox's page
talks to the same server, so any bot that works here works there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from tests.nominees import jpeg
from tgserver import SandboxClient, ServerState, serve

TOKEN = "424242:PTB-conformance-token"
USER = 5151


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(f"<b>echo</b>: {update.message.text_html}", parse_mode=ParseMode.HTML)


async def keyboard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton("甲 A", callback_data="pick:a"), InlineKeyboardButton("乙 B", callback_data="pick:b")]]
    )
    await update.message.reply_text("选一个 pick one", reply_markup=markup)


async def picked(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    choice = query.data.split(":", 1)[1]
    await query.answer(f"你选了 {choice}", show_alert=choice == "b")
    await query.edit_message_text(f"已选 picked {choice}")


async def picture(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_photo(jpeg(200, 100, "navy"), caption="图 chart")


async def document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.document is not None
    file = await context.bot.get_file(update.message.document.file_id)
    data = await file.download_as_bytearray()
    await update.message.reply_document(bytes(data[::-1]), filename="reversed.bin", caption=f"{len(data)} bytes")


@pytest.fixture
async def server() -> AsyncIterator[str]:
    runner, url = await serve("127.0.0.1", 0, ServerState())
    try:
        yield url
    finally:
        await runner.cleanup()


@pytest.fixture
async def ptb_bot(server: str) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    application = (
        Application.builder().token(TOKEN).base_url(f"{server}/bot").base_file_url(f"{server}/file/bot").build()
    )
    application.add_handler(CommandHandler("keyboard", keyboard))
    application.add_handler(CommandHandler("picture", picture))
    application.add_handler(CallbackQueryHandler(picked, pattern=r"^pick:"))
    application.add_handler(MessageHandler(filters.Document.ALL, document))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    async with application:
        await application.bot.set_my_commands([BotCommand("keyboard", "键盘"), BotCommand("picture", "图片")])
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()


async def test_a_python_telegram_bot_bot_works_against_the_local_server(server: str, ptb_bot: Application) -> None:  # type: ignore[type-arg]
    me = await ptb_bot.bot.get_me()
    assert me.is_bot and me.id == 424242
    async with SandboxClient(server, TOKEN) as user:
        await user.user(USER, first_name="测试")

        reply = await user.ask(USER, "你好 <world> & co")
        assert reply[0].text == "echo: 你好 <world> & co"  # PTB's HTML escaping, parsed back by the server
        assert reply[0].message is not None and reply[0].message["entities"][0]["type"] == "bold"

        shown = await user.ask(USER, "/keyboard")
        assert shown[0].button_texts == ["甲 A", "乙 B"]
        assert shown[0].message_id is not None
        reaction = await user.tap(USER, shown[0].message_id, "pick:b")
        answers = [e for e in reaction if e.kind == "callback_answer"]
        edits = [e for e in reaction if e.kind == "edit"]
        if not edits:  # the edit may follow the answer after the reply's quiet period
            edits = [e for e in await user.collect(USER, reaction[-1].seq) if e.kind == "edit"]
        assert answers and answers[0].raw["text"] == "你选了 b" and answers[0].show_alert
        assert edits and edits[0].text == "已选 picked b" and edits[0].buttons == []

        photo = await user.ask(USER, "/picture")
        assert photo[0].file is not None and photo[0].file.kind == "photo"
        assert (photo[0].file.width, photo[0].file.height) == (200, 100) and photo[0].text == "图 chart"

        seq = await user.upload_document(USER, b"\x01\x02\x03sandbox", "data.bin", mime_type="application/octet-stream")
        sent = await user.collect(USER, seq)
        assert sent and sent[0].file is not None and sent[0].file.file_name == "reversed.bin"
        assert sent[0].text == "10 bytes"

    state_commands = [c["command"] for c in (await ptb_bot.bot.get_my_commands())]
    assert state_commands == ["keyboard", "picture"]
