"""The global error handlers: a refused request in words, anything else a short apology in the
reader's language. The draft is already stored; no personal data reaches the log."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent, Message

from core.campaign import Campaign
from core.refusals import Rejected
from handlers.i18n import _
from handlers.problems import problem_text

log = logging.getLogger(__name__)


async def refused(event: ErrorEvent, campaign: Campaign | None = None, **_data: Any) -> None:
    err = event.exception
    assert isinstance(err, Rejected)
    await reply(event, problem_text(err.problem, campaign))


async def crashed(event: ErrorEvent) -> None:
    log.error("update %s failed: %s", event.update.update_id, type(event.exception).__name__, exc_info=event.exception)
    await reply(
        event,
        _(
            "Sorry, something went wrong on our side. Your answers so far are saved; "
            "please try again, or send /new to continue."
        ),
    )


async def reply(event: ErrorEvent, text: str) -> None:
    update = event.update
    try:
        if update.message is not None:
            await update.message.answer(text)
        elif update.callback_query is not None:
            with contextlib.suppress(TelegramAPIError):  # the handler may have answered the press already
                await update.callback_query.answer()
            if isinstance(update.callback_query.message, Message):
                await update.callback_query.message.answer(text)
    except Exception:  # the apology itself failed (network); nothing more to do
        log.warning("could not send the error reply for update %s", update.update_id)


def setup(router: Router) -> None:
    router.errors.register(refused, ExceptionTypeFilter(Rejected))
    router.errors.register(crashed)


__all__ = ["setup"]
