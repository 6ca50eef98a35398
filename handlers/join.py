"""/start with an invitation code, and everything a user who has not joined may see."""

from __future__ import annotations

import re

from aiogram import Bot, F, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import get_i18n

from app import campaigns, joining, queries
from app.ports import Ports
from core.deadlines import closed
from core.refusals import InviteInvalid, Rejected
from handlers import texts
from handlers.common import Magic
from handlers.i18n import _
from handlers.menus import set_office_menu
from handlers.problems import problem_text

CODE = re.compile(r"^[A-Za-z0-9_-]{6,64}$")


async def try_join(message: Message, ports: Ports, code: str, bot: Bot) -> None:
    assert message.from_user is not None
    language = "en" if (message.from_user.language_code or "").startswith("en") else "zh"
    try:
        user = await joining.join(ports, code.strip(), message.from_user.id, language)
    except Rejected as err:
        await message.answer(problem_text(err.problem))
        return
    campaign = await campaigns.current(ports, user.campaign_id)
    if user.role == "office":  # the office's own menu in this chat (the default is the clerks')
        await set_office_menu(bot, get_i18n(), user.tg_id)
    note = None
    if user.role == "clerk":  # a list already handed in, or entry closed: /new would only refuse
        gate = closed(campaign, await queries.unit_state(ports, user), ports.clock())
        note = None if gate is None else problem_text(gate, campaign)
    await message.answer(texts.joined(user.unit, campaign, user.role, note))


async def start_with_code(message: Message, command: CommandObject, ports: Ports, bot: Bot) -> None:
    code = command.args or ""
    if not CODE.match(code):
        await message.answer(problem_text(InviteInvalid("malformed")))
        return
    await try_join(message, ports, code, bot)


async def code_or_help(message: Message, ports: Ports, bot: Bot) -> None:
    text = (message.text or "").strip()
    if CODE.match(text):
        await try_join(message, ports, text, bot)
        return
    await message.answer(texts.join_help())


async def anything(message: Message) -> None:
    await message.answer(texts.join_help())


async def any_button(query: CallbackQuery) -> None:
    await query.answer(_("Please join first: send the invitation code."), show_alert=True)


def setup() -> Router:
    """Routes for users who have not joined: joining, and how to join. Nothing else is shown."""
    router = Router(name="join")
    router.message.register(start_with_code, CommandStart(deep_link=True))
    router.message.register(code_or_help, Magic(F.text))
    router.message.register(anything)
    router.callback_query.register(any_button)
    return router


__all__ = ["setup"]
