"""Office staff (no unit) in the clerks' commands: told, in one place, what the office can use.

An office member has no unit, so ``/new``, ``/quota``, ``/edit``, ``/withdraw`` and ``/submit`` (and
their buttons) have nothing to act on; rather than each handler finding that out in its own words
("your unit is not allocated", "None"), this router answers them first, for office members only.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, Filter
from aiogram.types import CallbackQuery, Message, TelegramObject

from handlers import texts
from handlers.callbacks import AwardCb, ItemCb, SubmitCb, TemplateCb

# The commands that act on the writer's own unit's list.
CLERK_COMMANDS = ("new", "quota", "edit", "withdraw", "submit", "template")
CLERK_BUTTONS = ("edit", "withdraw", "withdraw_yes", "alt")


class Office(Filter):
    """The member writing is office staff."""

    async def __call__(self, event: TelegramObject, user: Any = None, **_: Any) -> bool:
        return user is not None and user.role == "office"


async def clerk_command(message: Message) -> None:
    await message.answer(texts.office_help(clerk_command=True))


async def help_(message: Message) -> None:
    await message.answer(texts.office_help())


async def clerk_button(query: CallbackQuery) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(texts.office_help(clerk_command=True))


def setup() -> Router:
    router = Router(name="office")
    router.message.filter(Office())
    router.callback_query.filter(Office())
    router.message.register(clerk_command, Command(*CLERK_COMMANDS))
    router.message.register(help_, Command("help"))
    router.callback_query.register(clerk_button, ItemCb.filter(F.action.in_(CLERK_BUTTONS)))
    router.callback_query.register(clerk_button, AwardCb.filter())
    router.callback_query.register(clerk_button, SubmitCb.filter())
    router.callback_query.register(clerk_button, TemplateCb.filter())
    return router


__all__ = ["CLERK_COMMANDS", "Office", "setup"]
