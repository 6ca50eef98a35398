"""/export (a clerk's own unit, to print, sign and stamp) and /export_all (the office: every unit,
or ``/export_all 单位`` one unit): a button per table, then the file as a document. Photos come
as zips, split when one would pass Telegram's 50 MB."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from app import exports
from core.refusals import OfficeOnly, Rejected, UnitUnknown
from handlers.callbacks import ExportCb
from handlers.common import Turn, outdated
from handlers.i18n import _
from handlers.labels import esc


def kinds_keyboard(turn: Turn, scope: str, index: int = 0) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for kind in exports.kinds(turn.campaign):
        kb.button(text=kind.title, callback_data=ExportCb(kind=kind.key, scope=scope, i=index))
    kb.adjust(1)
    return kb.as_markup()


async def export(message: Message, turn: Turn) -> None:
    if turn.user.role == "office":
        await export_all(message, turn, None)
        return
    await message.answer(
        _("Which table of {unit} do you want? You get it as an Excel file to print, sign and stamp.").format(
            unit=esc(turn.user.unit or "")
        ),
        reply_markup=kinds_keyboard(turn, "own"),
    )


async def export_all(message: Message, turn: Turn, command: CommandObject | None) -> None:
    if turn.user.role != "office":
        raise Rejected(OfficeOnly())
    unit = (command.args or "").strip() if command is not None else ""
    if unit:
        names = [u.name for u in turn.campaign.units]
        if unit not in names:
            raise Rejected(UnitUnknown(unit))
        text = _("Which table of {unit} do you want?").format(unit=esc(unit))
        await message.answer(text, reply_markup=kinds_keyboard(turn, "unit", names.index(unit)))
        return
    text = _("Which table of all units do you want? (/export_all UNIT gives one unit's.)")
    await message.answer(text, reply_markup=kinds_keyboard(turn, "all"))


async def chosen(query: CallbackQuery, callback_data: ExportCb, turn: Turn) -> None:
    message = query.message
    if not isinstance(message, Message):
        await outdated(query)
        return
    campaign = turn.campaign
    if not exports.known(campaign, callback_data.kind):
        await outdated(query)
        return
    unit: str | None = None
    if callback_data.scope == "unit":
        if callback_data.i >= len(campaign.units):
            await outdated(query)
            return
        unit = campaign.units[callback_data.i].name
    await query.answer()
    snap = await exports.snapshot(turn.ports, turn.user, unit=unit, everyone=callback_data.scope == "all")
    who = query.from_user.full_name if query.from_user else ""
    files = await exports.build(turn.ports, snap, callback_data.kind, exports.filler(snap, who))
    if callback_data.kind == exports.PHOTOS and files and files[0].count == 0:
        await message.answer(_("There are no photos to export."))
        return
    if len(files) > 1:
        await message.answer(
            _("The photos are split into {n} zip files: Telegram takes at most 50 MB a file.").format(n=len(files))
        )
    for file in files:
        caption = _("{name}: {count} entries").format(name=esc(file.filename), count=file.count)
        await message.answer_document(BufferedInputFile(file.data, file.filename), caption=caption)


def setup() -> Router:
    router = Router(name="exports")
    router.message.register(export, Command("export"))
    router.message.register(export_all, Command("export_all"))
    router.callback_query.register(chosen, ExportCb.filter())
    return router


__all__ = ["setup"]
