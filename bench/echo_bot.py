"""A bare aiogram 3 echo bot: the yardstick for bench/bench_chat.py.

    NOMINEE_BOT_TOKEN=1:x NOMINEE_API_SERVER=http://127.0.0.1:8081 python bench/echo_bot.py [--stock-session]

Same Bot as ``nominee-bot run`` (bot.session.make_bot: its session's hooks, the given Bot API
server, HTML parse mode) and the same long polling, but a Dispatcher with aiogram's defaults and
one handler that sends every text back: what the framework and the HTTP round trips cost by
themselves. It also tunes the garbage collector as ``nominee-bot run`` does
(bot.app.settle_memory). ``--stock-session`` uses aiogram's AiohttpSession without our hooks
(which reuse the keyboard just sent) and leaves the collector alone: the echo as aiogram
ships it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import Message

from bot.app import settle_memory
from bot.session import make_bot


async def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    token, server = os.environ["NOMINEE_BOT_TOKEN"], os.environ.get("NOMINEE_API_SERVER") or None
    if "--stock-session" in sys.argv[1:]:
        session = AiohttpSession(api=TelegramAPIServer.from_base(server)) if server else AiohttpSession()
        bot = Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    else:
        bot = make_bot(token, server)
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "…")

    if "--stock-session" not in sys.argv[1:]:
        settle_memory()  # as nominee-bot run does after start-up
    try:
        await bot.delete_webhook(drop_pending_updates=False)
        await dp.start_polling(bot, allowed_updates=dp.resolve_used_update_types(), handle_signals=True)
    finally:
        await bot.session.close()


if __name__ == "__main__":
    asyncio.run(main())
