"""Deadlines and reminders in the chat: the office's ``/remind`` (every unfinished unit now, or one
chosen with a button) and ``/deadline`` (choose a stage → type the date → confirm; every clerk is
told by the scheduler), the 继续填报 button under a reminder, and a clerk's try at either command.

Sending is not done here: the running bot injects its rounds (``bot.scheduler``) as ``rounds``;
a round runs as a task of its own, and the office gets its summary when it is done.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, time
from typing import Any, Protocol

from aiogram import F, Router
from aiogram.dispatcher.event.bases import skip
from aiogram.filters import Command, CommandObject, Filter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, TelegramObject

from app import queries, reminders
from core.clock import local_date
from core.deadlines import unfinished
from core.refusals import Rejected
from handlers import intake
from handlers.callbacks import DeadlineCb, GoCb, RemindCb
from handlers.common import Turn, outdated, parse_when, show
from handlers.i18n import _, pick
from handlers.labels import esc
from handlers.problems import problem_text

log = logging.getLogger(__name__)


class Rounds(Protocol):
    """What the handlers need of the running bot's rounds (bot.scheduler.Rounds)."""

    async def remind_now(self, campaign_id: str, unit: str | None, now: datetime) -> Any: ...
    def kick(self) -> None: ...


class DeadlineInput(StatesGroup):
    date = State()


class Office(Filter):
    async def __call__(self, event: TelegramObject, user: Any = None, **_: Any) -> bool:
        return user is not None and user.role == "office"


# --------------------------------------------------------------------------- clerks


async def go(query: CallbackQuery, turn: Turn) -> None:
    """继续填报 under a reminder: what /new does."""
    await query.answer()
    if isinstance(query.message, Message):
        await intake.new(query.message, turn)


async def clerk_command(message: Message) -> None:
    await message.answer(
        _(
            "/remind and /deadline are for the office. Reminders come by themselves before each deadline; "
            "/deadlines lists the dates."
        )
    )


# --------------------------------------------------------------------------- /remind


MAX_UNIT_BUTTONS = 60  # a longer keyboard is unwieldy (and Telegram caps it): name the unit instead


async def remind(message: Message, command: CommandObject, turn: Turn, rounds: Rounds | None = None) -> None:
    """``/remind``: the unfinished units as buttons, and one for all of them; ``/remind UNIT``: that
    unit at once."""
    names = [u.name for u in turn.campaign.units]
    wanted = (command.args or "").strip()
    if wanted:
        if wanted not in names:
            await message.answer(_("No unit is called “{unit}”.").format(unit=esc(wanted)))
            return
        await _start(message, turn, rounds, wanted)
        return
    states = await queries.unit_states(turn.ports, turn.campaign.id)
    still_open = {s.name for s in states if unfinished(turn.campaign, s, turn.now)}
    open_units = [name for name in names if name in still_open]  # in the allocation table's order
    every = _("All unfinished units ({n})").format(n=len(open_units))
    rows = [[InlineKeyboardButton(text=every, callback_data=RemindCb(action="send").pack())]]
    rows += [
        [InlineKeyboardButton(text=name, callback_data=RemindCb(action="send", unit=names.index(name)).pack())]
        for name in open_units[:MAX_UNIT_BUTTONS]
    ]
    rows.append([InlineKeyboardButton(text=_("Cancel"), callback_data=RemindCb(action="cancel").pack())])
    lines = [_("Remind now: the clerks of every unfinished unit, or of one unit? Units that are done get nothing.")]
    if len(open_units) > MAX_UNIT_BUTTONS:
        lines.append(_("For a unit not shown, send /remind followed by its name."))
    await message.answer("\n".join(lines), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


async def _start(event: Message | CallbackQuery, turn: Turn, rounds: Rounds | None, unit: str | None) -> None:
    if rounds is None:
        await show(event, _("Reminders cannot be sent by this bot process (NOMINEE_REMINDERS=off)."))
        return
    who = _("the clerks of every unfinished unit") if unit is None else esc(unit)
    await show(event, _("Sending reminders to {who}; you will get a summary when it is done.").format(who=who))
    _background(rounds.remind_now(turn.campaign.id, unit, turn.now))


async def on_remind(query: CallbackQuery, callback_data: RemindCb, turn: Turn, rounds: Rounds | None = None) -> None:
    if callback_data.action == "cancel":
        await query.answer()
        await show(query, _("No reminder was sent."))
        return
    units = turn.campaign.units
    if callback_data.unit >= len(units):
        await outdated(query)
        return
    unit = None if callback_data.unit < 0 else units[callback_data.unit].name
    await query.answer()
    await _start(query, turn, rounds, unit)


# --------------------------------------------------------------------------- /deadline


def _stages_keyboard(turn: Turn) -> InlineKeyboardMarkup:
    rows = []
    for i, stage in enumerate(turn.campaign.stages):
        when = stage.deadline.isoformat() if stage.deadline else _("to be announced")
        if stage.deadline and stage.time:
            when += f" {stage.time:%H:%M}"
        label = f"{pick(stage.name, stage.name_en)} · {when}"
        rows.append([InlineKeyboardButton(text=label, callback_data=DeadlineCb(action="pick", stage=i).pack())])
    rows.append([InlineKeyboardButton(text=_("Cancel"), callback_data=DeadlineCb(action="cancel").pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def deadline(message: Message, turn: Turn, state: FSMContext) -> None:
    await state.clear()
    if not turn.campaign.stages:
        await message.answer(_("The campaign has no stages."))
        return
    await message.answer(_("Which stage's date do you want to set or move?"), reply_markup=_stages_keyboard(turn))


async def on_deadline(
    query: CallbackQuery, callback_data: DeadlineCb, turn: Turn, state: FSMContext, rounds: Rounds | None = None
) -> None:
    stages = turn.campaign.stages
    if callback_data.action == "cancel":
        await state.clear()
        await query.answer()
        await show(query, _("The date was not changed."))
        return
    if callback_data.stage >= len(stages):
        await outdated(query)
        return
    stage = stages[callback_data.stage]
    if callback_data.action == "pick":
        await query.answer()
        await state.set_state(DeadlineInput.date)
        await state.update_data(deadline_stage=stage.key)
        await show(
            query,
            _(
                "Type the date of “{stage}” as YYYY-MM-DD, with the hour it closes if not at the day's end "
                "(YYYY-MM-DD HH:MM), in {zone} time. /cancel stops."
            ).format(stage=esc(pick(stage.name, stage.name_en)), zone=turn.campaign.timezone),
        )
        return
    if callback_data.action != "confirm":
        await outdated(query)
        return
    parsed = _decode(callback_data.d)
    if parsed is None:
        await outdated(query)
        return
    day, at = parsed
    await query.answer()
    await state.clear()
    done = await reminders.set_date(turn.ports, turn.user, turn.campaign.id, stage.key, day, at)
    new = next(s for s in done.campaign.stages if s.key == stage.key)
    text = _("Set: {stage} is now due on {date}. Every clerk is being told.").format(
        stage=esc(pick(new.name, new.name_en)), date=_when(day, at)
    )
    await show(query, text)
    if rounds is not None:
        rounds.kick()


async def typed_date(message: Message, turn: Turn, state: FSMContext) -> None:
    data = await state.get_data()
    key = data.get("deadline_stage")
    index = next((i for i, s in enumerate(turn.campaign.stages) if s.key == key), None)
    if index is None:
        await state.clear()
        await message.answer(_("The campaign has no such stage any more. Send /deadline again."))
        return
    text = (message.text or "").strip()
    if text.startswith("/"):
        await state.clear()  # another command leaves the date unchanged, and is carried out
        if text.split()[0] == "/cancel":
            await message.answer(_("The date was not changed."))
            return
        skip()
    parsed = parse_when(message.text or "")
    if parsed is None:
        await message.answer(_("Please type a date as YYYY-MM-DD, or YYYY-MM-DD HH:MM (for example 2024-05-20 17:00)."))
        return
    day, at = parsed
    stage = turn.campaign.stages[index]
    try:
        working = reminders.check_date(turn.campaign, stage.key, day, local_date(turn.now, turn.campaign))
    except Rejected as refused:
        await message.answer(problem_text(refused.problem, turn.campaign))
        return
    lines = [
        _("Set “{stage}” to {date} ({zone} time)?").format(
            stage=esc(pick(stage.name, stage.name_en)), date=_when(day, at), zone=turn.campaign.timezone
        )
    ]
    if stage.deadline is not None:
        lines.append(_("Now: {date}.").format(date=_when(stage.deadline, stage.time)))
    if not working:
        lines.append(_("Note: {date} is not an official working day (weekend or public holiday).").format(date=day))
    lines.append(_("Every clerk of the campaign will be told."))
    code = _encode(day, at)
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("Confirm"), callback_data=DeadlineCb(action="confirm", stage=index, d=code).pack()
                ),
                InlineKeyboardButton(text=_("Cancel"), callback_data=DeadlineCb(action="cancel", stage=index).pack()),
            ]
        ]
    )
    await message.answer("\n".join(lines), reply_markup=keyboard)


def _encode(day: date, at: time | None) -> str:
    return f"{day:%Y%m%d}" + ("" if at is None else f"{at:%H%M}")


def _decode(code: str) -> tuple[date, time | None] | None:
    try:
        day = datetime.strptime(code[:8], "%Y%m%d").date()
        at = None if len(code) == 8 else datetime.strptime(code[8:], "%H%M").time()
    except ValueError:
        return None
    return day, at


def _when(day: date, at: time | None) -> str:
    return day.isoformat() + ("" if at is None else f" {at:%H:%M}")


_tasks: set[asyncio.Task[Any]] = set()


def _background(coro: Any) -> None:
    """A round runs on its own (minutes for thousands of clerks); kept referenced until done."""
    task = asyncio.ensure_future(coro)
    _tasks.add(task)
    task.add_done_callback(_finished)


def _finished(task: asyncio.Task[Any]) -> None:
    _tasks.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.error("a reminder round failed", exc_info=task.exception())


def setup() -> Router:
    router = Router(name="reminders")
    office = Router(name="reminders_office")
    office.message.filter(Office())
    office.callback_query.filter(Office())
    office.message.register(remind, Command("remind"))
    office.message.register(deadline, Command("deadline"))
    office.message.register(typed_date, DeadlineInput.date, F.text)
    office.callback_query.register(on_remind, RemindCb.filter())
    office.callback_query.register(on_deadline, DeadlineCb.filter())
    clerks = Router(name="reminders_clerks")  # a router's own handlers come before its children's
    clerks.message.register(clerk_command, Command("remind", "deadline"))
    clerks.callback_query.register(go, GoCb.filter())
    router.include_routers(office, clerks)
    return router


__all__ = ["DeadlineInput", "Rounds", "setup"]
