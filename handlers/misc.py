"""/help, /lang, /cancel, /start for members, and the answers to everything unexpected."""

from __future__ import annotations

import contextlib
import logging

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject, CommandStart, ExceptionTypeFilter
from aiogram.types import CallbackQuery, ErrorEvent, Message

from core.ports import NomineeService, ServiceError, UserInfo
from handlers import keyboards, texts
from handlers.callbacks import DraftAskCb, LangCb
from handlers.common import show
from handlers.i18n import LANGUAGES, _
from handlers.intake import discard_question

log = logging.getLogger(__name__)


def setup() -> Router:
    router = Router(name="misc")

    @router.message(CommandStart())
    async def start(message: Message, command: CommandObject, user: UserInfo) -> None:
        if command.args:  # a new invitation link opened by someone already registered: the code stays unused
            await message.answer(
                _(
                    "You are already registered as the clerk of {unit}; this invitation was not used. "
                    "To change your unit or role, please contact the office."
                ).format(unit=texts.esc(user.unit or "—"))
            )
            return
        await message.answer(_("Welcome back. /new enters a nominee, /help lists the commands."))

    @router.message(Command("help"))
    async def help_(message: Message) -> None:
        await message.answer(texts.help_text())

    @router.message(Command("lang"))
    async def lang(message: Message) -> None:
        await message.answer(_("Choose the language / 请选择语言"), reply_markup=keyboards.lang_keyboard())

    @router.callback_query(LangCb.filter())
    async def set_lang(query: CallbackQuery, callback_data: LangCb, service: NomineeService, user: UserInfo) -> None:
        code = callback_data.code if callback_data.code in LANGUAGES else "zh"
        await service.set_language(user.tg_id, code)
        await query.answer()
        text = "语言已设置为中文。" if code == "zh" else "The language is now English."
        if query.message is not None:
            await query.message.answer(text)

    @router.message(Command("cancel"))
    async def cancel(message: Message, service: NomineeService, user: UserInfo) -> None:
        draft = await service.load_draft(user.tg_id)
        if draft is None or draft.award is None:
            await message.answer(_("There is nothing to cancel."))
            return
        await message.answer(
            discard_question(draft), reply_markup=keyboards.discard_keyboard(editing=draft.editing is not None)
        )

    @router.callback_query(DraftAskCb.filter())
    async def ask_discard(query: CallbackQuery, service: NomineeService, user: UserInfo) -> None:
        """删除草稿 on an offer to continue: the offer may be old and the draft a later one."""
        draft = await service.load_draft(user.tg_id)
        await query.answer()
        if draft is None or draft.award is None:
            await show(query, _("There is no draft any more."))
            return
        await show(  # a new message: the offer may be far up in the chat
            query,
            discard_question(draft),
            keyboards.discard_keyboard(editing=draft.editing is not None),
            edit=False,
        )

    @router.message()
    async def unknown(message: Message) -> None:
        await message.answer(_("This command is not known. /help lists the commands."))

    @router.callback_query()
    async def unknown_button(query: CallbackQuery) -> None:
        await query.answer(_("This message is outdated. Please use the latest message."), show_alert=True)

    return router


def setup_errors(router: Router) -> None:
    """The global error handler: a short apology; the draft is already stored; no personal data logged."""

    @router.error(ExceptionTypeFilter(ServiceError))
    async def refused(event: ErrorEvent) -> None:
        err = event.exception
        assert isinstance(err, ServiceError)
        await _reply(event, texts.service_error(err.code, err.params))

    @router.error()
    async def crashed(event: ErrorEvent) -> None:
        log.error(
            "update %s failed: %s", event.update.update_id, type(event.exception).__name__, exc_info=event.exception
        )
        await _reply(
            event,
            _(
                "Sorry, something went wrong on our side. Your answers so far are saved; "
                "please try again, or send /new to continue."
            ),
        )


async def _reply(event: ErrorEvent, text: str) -> None:
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
