"""The command menus: the clerks' is every chat's default; an office member's chat gets the
office's own (Telegram's per-chat scope), set when they join or start and whenever the bot starts.
A menu lists only what its reader can do; a clerk's menu names no office command."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from aiogram.utils.i18n import I18n

from handlers.i18n import N_

log = logging.getLogger(__name__)

# (command, English description); the Chinese descriptions come from the catalogue.
CLERK_MENU = [
    ("new", N_("Enter a nominee")),
    ("quota", N_("Places left for my unit")),
    ("list", N_("My unit's nominees")),
    ("status", N_("One nominee's record: /status N")),
    ("edit", N_("Change a nominee: /edit N")),
    ("withdraw", N_("Withdraw a nominee: /withdraw N")),
    ("submit", N_("Hand the list to the office")),
    ("template", N_("An Excel template to fill")),
    ("deadlines", N_("Dates and days left")),
    ("export", N_("Tables to print, sign and stamp (Excel)")),
    ("lang", N_("中文 / English")),
    ("help", N_("Help")),
    ("cancel", N_("Stop the current step")),
]
OFFICE_MENU = [
    ("review", N_("Review the units' lists")),
    ("list", N_("Nominees of all units")),
    ("status", N_("One nominee's record: /status N")),
    ("audit", N_("A nominee's full change history: /audit N")),
    ("dashboard", N_("Where the campaign stands, with charts")),
    ("export_all", N_("Every unit's tables, the public notice, the photos")),
    ("deadlines", N_("Dates and days left")),
    ("deadline", N_("Set or move a stage's date")),
    ("remind", N_("Remind unfinished units now")),
    ("lang", N_("中文 / English")),
    ("help", N_("Help")),
    ("cancel", N_("Stop the current step")),
]
# Commands only the office may use: a clerk is told so (core.refusals.OfficeCommand).
OFFICE_ONLY = ("review", "audit")


def commands(i18n: I18n, menu: Sequence[tuple[str, str]], code: str) -> list[BotCommand]:
    with i18n.context(), i18n.use_locale(code):
        return [BotCommand(command=c, description=i18n.gettext(d)[:256]) for c, d in menu]


async def set_default_menu(bot: Bot, i18n: I18n) -> None:
    """The clerks' menu for every chat, Chinese for everybody who is not English."""
    for code in ("zh", "en"):
        await bot.set_my_commands(
            commands(i18n, CLERK_MENU, code), BotCommandScopeDefault(), language_code=None if code == "zh" else "en"
        )


async def set_office_menu(bot: Bot, i18n: I18n, chat_id: int) -> bool:
    """The office's menu in an office member's private chat (its id is the member's); False when
    Telegram refused it (the member blocked the bot: the menu comes at their next /start)."""
    try:
        for code in ("zh", "en"):
            await bot.set_my_commands(
                commands(i18n, OFFICE_MENU, code),
                BotCommandScopeChat(chat_id=chat_id),
                language_code=None if code == "zh" else "en",
            )
    except TelegramAPIError as err:
        log.info("could not set the office menu in chat %s: %s", chat_id, err)
        return False
    return True


__all__ = ["CLERK_MENU", "OFFICE_MENU", "OFFICE_ONLY", "commands", "set_default_menu", "set_office_menu"]
