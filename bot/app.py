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

import handlers
from app.ports import Ports
from bot.metrics import ErrorsMiddleware, MetricsMiddleware
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
from handlers.menus import CLERK_MENU, set_default_menu, set_office_menu
from handlers.paste import PasteGuard

log = logging.getLogger(__name__)
LOCALES = Path(__file__).resolve().parent.parent / "locales"

COMMANDS = CLERK_MENU  # the default menu: the clerks'


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
    dp["ports"] = ports  # for the start-up's office menus; handlers get it from ContextMiddleware
    i18n = make_i18n(str(LOCALES))
    zone = zone or default_zone()
    context = ContextMiddleware(ports, zone)
    throttling = ThrottlingMiddleware(*throttle) if throttle[0] > 0 else None
    language = LanguageMiddleware(i18n)
    dp.update.outer_middleware(MetricsMiddleware())  # counts every update, whatever becomes of it
    # Before everything of a member: an update from a group or channel goes no further.
    dp.update.outer_middleware(PrivateChatsOnly(i18n))
    for observer in (dp.message, dp.edited_message, dp.callback_query):
        # context first (who is it), then language (needs the stored choice), then throttling (speaks)
        observer.outer_middleware(context)
        observer.outer_middleware(language)
        if throttling is not None:
            observer.outer_middleware(throttling)
    # The error handler runs outside the observers above; it needs the user's language as well.
    dp.errors.outer_middleware(ErrorsMiddleware())
    dp.errors.outer_middleware(ContextMiddleware(ports, zone, tolerant=True))
    dp.errors.outer_middleware(language)
    dp.include_router(handlers.setup())
    return dp


async def register_commands(bot: Bot, ports: Ports | None = None) -> None:
    """Command menus in both languages (Chinese for everybody who is not English): the clerks' as
    the default; with ``ports``, the office's in the chat of every office member (one seated by
    NOMINEE_OFFICE_IDS, or who joined while the bot could not set it)."""
    i18n = make_i18n(str(LOCALES))
    await set_default_menu(bot, i18n)
    if ports is None:
        return
    from app import campaigns, queries

    for campaign in await campaigns.listed(ports):
        for user in await queries.users(ports, campaign.id, role="office"):
            await set_office_menu(bot, i18n, user.tg_id)


async def run_polling(bot: Bot, dp: Dispatcher, *, handle_signals: bool = True, **kwargs: Any) -> None:
    """Registers the command menus and polls until stopped (by a signal, or ``dp.stop_polling()``
    when ``handle_signals`` is off and the caller owns the process's signals, as the sandbox does)."""
    await bot.delete_webhook(drop_pending_updates=False)
    await register_commands(bot, dp.get("ports"))
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
