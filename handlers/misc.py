"""/start for members, /help, /lang, /cancel, and the answers to everything unexpected."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import get_i18n

from app import joining
from handlers import keyboards, labels, texts
from handlers.callbacks import DraftAskCb, LangCb
from handlers.common import Turn, outdated, show
from handlers.i18n import LANGUAGES, _, sentences
from handlers.menus import set_office_menu
from handlers.steps import offer_cancel


async def start(message: Message, command: CommandObject, turn: Turn, bot: Bot) -> None:
    if turn.user.role == "office":  # keeps the office's menu right (it may have been lost or changed)
        await set_office_menu(bot, get_i18n(), turn.user.tg_id)
    if command.args:  # a new invitation link opened by someone already registered: the code stays unused
        if turn.user.role == "office":
            registered = _("You are already registered as office staff; this invitation was not used.")
        else:
            registered = _("You are already registered as the clerk of {unit}; this invitation was not used.").format(
                unit=labels.esc(turn.user.unit or "—")
            )
        await message.answer(sentences(registered, _("To change your unit or role, please contact the office.")))
        return
    if turn.user.role == "office":
        await message.answer(_("Welcome back. /review shows the units' lists, /help lists the commands."))
        return
    await message.answer(_("Welcome back. /new enters a nominee, /help lists the commands."))


async def help_(message: Message) -> None:
    await message.answer(texts.help_text())


async def lang(message: Message) -> None:
    await message.answer(_("Choose the language / 请选择语言"), reply_markup=keyboards.lang_keyboard())


async def set_lang(query: CallbackQuery, callback_data: LangCb, turn: Turn) -> None:
    code = callback_data.code if callback_data.code in LANGUAGES else "zh"
    await joining.set_language(turn.ports, turn.user.tg_id, code)
    await query.answer()
    text = "语言已设置为中文。" if code == "zh" else "The language is now English."
    if query.message is not None:
        await query.message.answer(text)


async def cancel(message: Message, turn: Turn) -> None:
    draft = turn.draft
    if draft is None or draft.award is None:
        await message.answer(_("There is nothing to cancel."))
        return
    await offer_cancel(turn, draft)


async def ask_discard(query: CallbackQuery, turn: Turn) -> None:
    """删除草稿 on an offer to continue: the offer may be old and the draft a later one, so ask."""
    draft = turn.draft
    await query.answer()
    if draft is None or draft.award is None:
        await show(query, _("There is no draft any more."))
        return
    await offer_cancel(turn, draft)  # a new message: the offer may be far up


async def unknown(message: Message) -> None:
    await message.answer(_("This command is not known. /help lists the commands."))


def setup() -> Router:
    router = Router(name="misc")
    router.message.register(start, CommandStart())
    router.message.register(help_, Command("help"))
    router.message.register(lang, Command("lang"))
    router.callback_query.register(set_lang, LangCb.filter())
    router.message.register(cancel, Command("cancel"))
    router.callback_query.register(ask_discard, DraftAskCb.filter())
    router.message.register(unknown)
    router.callback_query.register(outdated)
    return router


__all__ = ["setup"]
