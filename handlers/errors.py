"""The global error handlers: a refused request in words, anything else a short apology in the
reader's language that says truthfully whether what the clerk just sent was recorded
(handlers.delivery). No personal data reaches the log.

A failure before anything was stored (the disk full, the database read-only, Telegram unreachable
before the change): the message was not recorded and should be sent again once the problem is
gone. A failure after the change was stored (its screen could not be shown): it was recorded, and
the clerk's next message shows the current step again.

Transient Bot API failures are retried before they get here (bot.session.Retry); one that reaches
this handler outlasted every retry, and the apology may not arrive either.
"""

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
from handlers.delivery import Deliveries
from handlers.i18n import _
from handlers.problems import problem_text

log = logging.getLogger(__name__)


async def refused(event: ErrorEvent, campaign: Campaign | None = None, **_data: Any) -> None:
    err = event.exception
    assert isinstance(err, Rejected)
    await reply(event, problem_text(err.problem, campaign))


async def crashed(event: ErrorEvent, deliveries: Deliveries | None = None, **_data: Any) -> None:
    log.error("update %s failed: %s", event.update.update_id, type(event.exception).__name__, exc_info=event.exception)
    update = event.update
    message = update.message or update.edited_message
    sender = message.from_user if message else update.callback_query.from_user if update.callback_query else None
    if sender is not None and deliveries is not None and deliveries.recorded_by(sender.id, update):
        text = _(
            "Sorry, something went wrong on our side after your answer was recorded, so the next step "
            "could not be shown. Send any message to see it."
        )
    else:
        text = _(
            "Sorry, something went wrong on our side: what you just sent was not recorded (everything "
            "entered before it is kept). Please send it again once the problem has been fixed, "
            "or in a few minutes."
        )
    await reply(event, text)


async def reply(event: ErrorEvent, text: str) -> None:
    update = event.update
    try:
        message = update.message or update.edited_message
        if message is not None:
            await message.answer(text)
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
