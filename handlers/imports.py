"""Excel files in the chat: ``/template`` sends a clerk the template of an award; a filled
template sent back is imported row by row through the chat's save (app.imports.save_rows); an
allocation table sent by the office is loaded as the campaign's next version (app.imports.allocation).

A template with refused rows is not imported at once: the report lists them and asks whether to
import the valid rows or nothing. The rows wait in the user's FSM data (database or Redis), so a
restart loses nothing; a button of an older report is outdated.
"""

from __future__ import annotations

import asyncio
import io
import secrets
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from app import imports
from core.imports import photo_fields
from core.refusals import Rejected
from core.sheetproblems import FileTooLarge, SheetError
from handlers import import_texts
from handlers.callbacks import ImportCb, TemplateCb
from handlers.common import Magic, Turn, outdated, show
from handlers.i18n import _
from handlers.labels import award_name
from handlers.problems import problem_text
from sheets.allocation import is_allocation, read_allocation_file
from sheets.reading import MAX_BYTES, Upload
from sheets.template import nominee_template, read_nominees, template_marker

PENDING = "import"  # the FSM data key of an import waiting for the clerk's choice
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def is_workbook(message: Message) -> bool:
    doc = message.document
    if doc is None:
        return False
    return doc.mime_type == XLSX or (doc.file_name or "").lower().endswith((".xlsx", ".xlsm", ".xls"))


async def template(message: Message, turn: Turn) -> None:
    rows = [
        [InlineKeyboardButton(text=award_name(turn.campaign, a.key), callback_data=TemplateCb(award=a.key).pack())]
        for a in turn.campaign.awards
    ]
    await message.answer(import_texts.choose_template(), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


async def send_template(query: CallbackQuery, callback_data: TemplateCb, turn: Turn) -> None:
    campaign = turn.campaign
    if callback_data.award not in {a.key for a in campaign.awards} or not isinstance(query.message, Message):
        await outdated(query)
        return
    await query.answer()
    data = nominee_template(campaign, callback_data.award)
    name = f"{campaign.award(callback_data.award).name}-{turn.user.unit or ''}.xlsx"
    await query.message.answer_document(
        BufferedInputFile(data, filename=name), caption=import_texts.template_caption(campaign, callback_data.award)
    )


async def on_workbook(message: Message, turn: Turn, bot: Bot, state: FSMContext) -> None:
    doc = message.document
    assert doc is not None
    if doc.file_size is not None and doc.file_size > MAX_BYTES:
        await message.answer(import_texts.file_problem(FileTooLarge(MAX_BYTES // (1024 * 1024))))
        return
    buffer = io.BytesIO()
    await bot.download(doc.file_id, destination=buffer)
    try:
        # checked once and opened once, off the event loop (sheets.reading.Upload)
        data = await asyncio.to_thread(Upload, buffer.getvalue())
        if turn.user.role == "office":
            await _allocation(message, turn, data)
        elif is_allocation(data):
            await message.answer(import_texts.clerk_allocation())
        else:
            await _nominees(message, turn, state, data)
    except SheetError as err:
        await message.answer(import_texts.file_problem(err.problem))
    except Rejected as err:
        await message.answer(problem_text(err.problem, turn.campaign))


async def _allocation(message: Message, turn: Turn, data: Upload) -> None:
    if not is_allocation(data):
        await message.answer(import_texts.office_not_allocation())
        return
    read = await asyncio.to_thread(read_allocation_file, turn.campaign, data)
    if read.problems:
        await message.answer(import_texts.allocation_refused([import_texts.cell_problem(p) for p in read.problems]))
        return
    try:
        report = await imports.allocation(turn.ports, turn.campaign.id, read.units, user=turn.user)
    except imports.NotSpliced:
        await message.answer(import_texts.not_spliced())
        return
    await message.answer(import_texts.allocation_loaded(report))


def _award_of(data: Upload) -> str | None:
    marker = template_marker(data)
    return marker.award if marker is not None else None


async def _nominees(message: Message, turn: Turn, state: FSMContext, data: Upload) -> None:
    campaign = turn.campaign
    award = await asyncio.to_thread(_award_of, data) or ""
    if award not in {a.key for a in campaign.awards}:
        award = ""
    # off the event loop: 2,000 rows take seconds through the form (bench/bench_import.py)
    # SheetError for anything that is not this campaign's current template
    read = await asyncio.to_thread(read_nominees, campaign, award, data, turn.today)
    rows = [(r.row, r.answers) for r in read.rows]
    trial = await imports.save_rows(turn.ports, turn.user, award, rows, commit=False)
    lines = sorted(
        [(p.row, import_texts.cell_problem(p)) for p in read.problems]
        + [(row, import_texts.row_refused(campaign, row, refusals)) for row, refusals in trial.refused]
    )
    total = len(read.rows) + len(read.problems)
    if not lines:
        await _commit(message, turn, award, rows)
        return
    valid = len(trial.saved)
    mark = secrets.token_hex(4)
    refused_rows = {row for row, _r in trial.refused}
    pending = [[row, answers] for row, answers in rows if row not in refused_rows]
    await state.update_data({PENDING: {"m": mark, "award": award, "rows": pending}})
    buttons = []
    if valid:
        buttons.append(
            InlineKeyboardButton(
                text=_("Import the {n} valid rows").format(n=valid), callback_data=ImportCb(action="yes", m=mark).pack()
            )
        )
    buttons.append(InlineKeyboardButton(text=_("Import nothing"), callback_data=ImportCb(action="no", m=mark).pack()))
    text = import_texts.import_report(total, valid, [line for _row, line in lines])
    await message.answer(text, reply_markup=InlineKeyboardMarkup(inline_keyboard=[[b] for b in buttons]))


async def _commit(event: Message | CallbackQuery, turn: Turn, award: str, rows: list[tuple[int, Any]]) -> None:
    done = await imports.save_rows(turn.ports, turn.user, award, rows, commit=True)
    lines = [import_texts.row_refused(turn.campaign, row, refusals) for row, refusals in done.refused]
    ids = [info.id for _row, info in done.saved]
    photo = bool(photo_fields(turn.campaign, award))
    await show(event, import_texts.imported(ids, lines, photo))


async def on_choice(query: CallbackQuery, callback_data: ImportCb, turn: Turn, state: FSMContext) -> None:
    data = await state.get_data()
    pending = data.get(PENDING)
    if not isinstance(pending, dict) or pending.get("m") != callback_data.m:
        await outdated(query)
        return
    await state.update_data({PENDING: None})
    await query.answer()
    if callback_data.action != "yes":
        await show(query, import_texts.nothing_imported())
        return
    rows = [(int(row), answers) for row, answers in pending.get("rows", [])]
    try:
        await _commit(query, turn, str(pending.get("award", "")), rows)
    except Rejected as err:
        await show(query, problem_text(err.problem, turn.campaign))


def setup() -> Router:
    router = Router(name="imports")
    router.message.register(template, Command("template"))
    router.callback_query.register(send_template, TemplateCb.filter())
    router.callback_query.register(on_choice, ImportCb.filter())
    router.message.register(on_workbook, Magic(F.document), is_workbook)
    return router


__all__ = ["setup"]
