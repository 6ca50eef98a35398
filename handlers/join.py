"""/start with an invitation code, and everything a user who has not joined may see."""

from __future__ import annotations

import re

from aiogram import F, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import CallbackQuery, Message

from core.ports import NomineeService, ServiceError
from handlers import texts
from handlers.common import Magic
from handlers.i18n import _

CODE = re.compile(r"^[A-Za-z0-9_-]{6,64}$")


def setup() -> Router:
    """Routes for users who have not joined: joining, and how to join. Nothing else is shown."""
    router = Router(name="join")

    async def try_join(message: Message, service: NomineeService, code: str) -> None:
        assert message.from_user is not None
        language = "en" if (message.from_user.language_code or "").startswith("en") else "zh"
        try:
            user = await service.join(code.strip(), message.from_user.id, language)
        except ServiceError as err:
            await message.answer(texts.service_error(err.code, err.params))
            return
        campaign = await service.campaign(user.campaign_id)
        await message.answer(texts.joined(user.unit, campaign, user.role))

    @router.message(CommandStart(deep_link=True))
    async def start_with_code(message: Message, command: CommandObject, service: NomineeService) -> None:
        code = command.args or ""
        if not CODE.match(code):
            await message.answer(texts.service_error("invite.invalid", {}))
            return
        await try_join(message, service, code)

    @router.message(Magic(F.text))
    async def code_or_help(message: Message, service: NomineeService) -> None:
        text = (message.text or "").strip()
        if CODE.match(text):
            await try_join(message, service, text)
            return
        await message.answer(texts.join_help())

    @router.message()
    async def anything(message: Message) -> None:
        await message.answer(texts.join_help())

    @router.callback_query()
    async def any_button(query: CallbackQuery) -> None:
        await query.answer(_("Please join first: send the invitation code."), show_alert=True)

    return router
