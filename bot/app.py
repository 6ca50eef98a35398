"""Bot + Dispatcher, the way production and the tests build them."""

from __future__ import annotations

import gc
import logging
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import BotCommand, BotCommandScopeDefault

import handlers
from app.ports import Ports
from bot.middlewares import (
    ContextMiddleware,
    LanguageMiddleware,
    PrivateChatsOnly,
    ThrottlingMiddleware,
    make_i18n,
)
from bot.session import make_bot
from core.clock import default_zone
from handlers.delivery import Deliveries
from handlers.i18n import N_
from handlers.paste import PasteGuard

log = logging.getLogger(__name__)
LOCALES = Path(__file__).resolve().parent.parent / "locales"

# (command, English description); the Chinese descriptions come from the catalogue.
COMMANDS = [
    ("new", N_("Enter a nominee")),
    ("quota", N_("Places left for my unit")),
    ("list", N_("My unit's nominees")),
    ("status", N_("One nominee's record: /status N")),
    ("edit", N_("Change a nominee: /edit N")),
    ("withdraw", N_("Withdraw a nominee: /withdraw N")),
    ("submit", N_("Hand the list to the office")),
    ("deadlines", N_("Dates and days left")),
    ("lang", N_("中文 / English")),
    ("help", N_("Help")),
    ("cancel", N_("Stop the current step")),
]


def settle_memory() -> None:
    """Garbage collection for a long-running bot, once start-up is done.

    What exists then lives as long as the process (aiogram's types, pydantic's schemas,
    SQLAlchemy's metadata, the catalogues): frozen, a full collection never walks it again (it
    stopped the event loop for a long time under load). An update allocates thousands of
    short-lived objects that reference counting frees; the default thresholds ran a collection
    every few updates for nothing, so cycles are collected in larger batches."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)


def make_dispatcher(
    ports: Ports,
    *,
    storage: BaseStorage | None = None,
    isolation: BaseEventIsolation | None = None,
    throttle: tuple[int, float] = (30, 3.0),
    zone: ZoneInfo | None = None,
) -> Dispatcher:
    """``ports``: the use cases' world, clock included; ``zone``: "today" before a user has joined."""
    dp = Dispatcher(storage=storage, events_isolation=isolation or SimpleEventIsolation())
    dp["paste"] = PasteGuard()
    dp["deliveries"] = Deliveries()
    i18n = make_i18n(str(LOCALES))
    zone = zone or default_zone()
    context = ContextMiddleware(ports, zone)
    throttling = ThrottlingMiddleware(*throttle) if throttle[0] > 0 else None
    language = LanguageMiddleware(i18n)
    # Before everything of a member: an update from a group or channel goes no further.
    dp.update.outer_middleware(PrivateChatsOnly(i18n))
    for observer in (dp.message, dp.edited_message, dp.callback_query):
        # context first (who is it), then language (needs the stored choice), then throttling (speaks)
        observer.outer_middleware(context)
        observer.outer_middleware(language)
        if throttling is not None:
            observer.outer_middleware(throttling)
    # The error handler runs outside the observers above; it needs the user's language as well.
    dp.errors.outer_middleware(ContextMiddleware(ports, zone, tolerant=True))
    dp.errors.outer_middleware(language)
    dp.include_router(handlers.setup())
    return dp


async def register_commands(bot: Bot) -> None:
    """Command menus in both languages (Chinese for everybody who is not English)."""
    i18n = make_i18n(str(LOCALES))
    for code in ("zh", "en"):
        with i18n.context(), i18n.use_locale(code):
            commands = [BotCommand(command=c, description=i18n.gettext(d)[:256]) for c, d in COMMANDS]
        await bot.set_my_commands(commands, BotCommandScopeDefault(), language_code=None if code == "zh" else "en")


async def run_polling(bot: Bot, dp: Dispatcher, *, handle_signals: bool = True, **kwargs: Any) -> None:
    """Registers the command menus and polls until stopped (by a signal, or ``dp.stop_polling()``
    when ``handle_signals`` is off and the caller owns the process's signals, as the sandbox does)."""
    await bot.delete_webhook(drop_pending_updates=False)
    await register_commands(bot)
    me = await bot.get_me()
    log.info("polling as @%s", me.username)
    await dp.start_polling(bot, allowed_updates=allowed_updates(dp), handle_signals=handle_signals, **kwargs)


def allowed_updates(dp: Dispatcher) -> list[str]:
    """The update types the bot asks Telegram for: those its handlers take (messages, edited
    messages, button presses), and channel posts, which no handler takes but which
    bot.middlewares.PrivateChatsOnly answers once (this bot serves private chats only)."""
    return sorted({*dp.resolve_used_update_types(), "channel_post"})


__all__ = [
    "COMMANDS",
    "allowed_updates",
    "make_bot",
    "make_dispatcher",
    "register_commands",
    "run_polling",
    "settle_memory",
]
