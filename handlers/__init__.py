"""aiogram routers. ``setup()`` builds a fresh router tree per Dispatcher (the tests build exactly
what production builds). Handlers are module-level functions that each router module's
``setup()`` registers; they turn an event into a use-case call (app/) and the result into a
reply. No business rule lives here."""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.filters import Filter
from aiogram.types import TelegramObject


class Joined(Filter):
    def __init__(self, joined: bool) -> None:
        self.joined = joined

    async def __call__(self, event: TelegramObject, user: Any = None, **_: Any) -> bool:
        return (user is not None) == self.joined


def setup() -> Router:
    from handlers import (
        dashboard,
        edits,
        errors,
        exports,
        imports,
        intake,
        join,
        manage,
        media,
        misc,
        office,
        procedure,
        queries,
        reminders,
        review,
    )
    from handlers.common import draft_open, with_turn

    root = Router(name="root")
    guest = join.setup()
    guest.message.filter(Joined(False))
    guest.callback_query.filter(Joined(False))
    member = Router(name="member")
    member.message.filter(Joined(True))
    member.callback_query.filter(Joined(True))
    member.edited_message.filter(Joined(True))
    member.message.outer_middleware(review.command_ends_reason)  # a command ends a reason or a day being typed
    member.message.middleware(with_turn)  # a member's handlers may take ``turn`` (handlers.common.Turn)
    member.callback_query.middleware(with_turn)
    member.edited_message.middleware(with_turn)
    # office first: its staff get the office's commands instead of a clerk's; then media: an
    # album's further photos and forwarded texts are not the intake's answers
    # then imports: an Excel file is a template or an allocation table, not a photo's answer;
    # a draft that can no longer be saved takes no more answers (media guards its own messages)
    intake_router, edits_router = intake.setup(), edits.setup()
    intake_router.message.middleware(draft_open)
    intake_router.callback_query.middleware(draft_open)
    edits_router.edited_message.middleware(draft_open)
    member.include_routers(
        review.setup(),  # the office's review (its typed reason before anything else takes the text)
        office.setup(),
        reminders.setup(),
        procedure.setup(),  # a step's typed date before the intake takes the text
        review.clerks_setup(),  # a clerk's office command: why not
        dashboard.setup(),
        media.setup(),
        imports.setup(),
        intake_router,
        edits_router,
        queries.setup(),
        manage.setup(),
        exports.setup(),
        misc.setup(),
    )
    root.include_routers(guest, member)
    errors.setup(root)
    return root
