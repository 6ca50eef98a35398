"""A nominee's procedure checklist from its card: 办理程序 → the steps with their state → a step →
its date typed (or 今天) → recorded, the checklist shown again. /cancel (or another command)
while the date is asked records nothing; an old button is outdated."""

from __future__ import annotations

from datetime import date, datetime

from aiogram import F, Router
from aiogram.dispatcher.event.bases import skip
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from app import procedure
from core.refusals import Rejected
from handlers.callbacks import ItemCb, ProcCb
from handlers.common import Turn, outdated, parse_when, show
from handlers.i18n import _, pick
from handlers.labels import esc, nominee_title
from handlers.problems import problem_text
from handlers.procedure_texts import procedure_text, step_name


class StepInput(StatesGroup):
    date = State()


def checklist_keyboard(p: procedure.Procedure) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for s in p.steps:
        mark = "✓" if s.finished else ("◔" if s.status == "running" else "○")
        kb.row(
            InlineKeyboardButton(
                text=f"{mark} {pick(s.step.name, s.step.name_en)}",
                callback_data=ProcCb(action="step", id=p.info.id, k=s.step.key).pack(),
            )
        )
    kb.row(InlineKeyboardButton(text=_("« Back to the card"), callback_data=ItemCb(action="show", id=p.info.id).pack()))
    return kb.as_markup()


async def show_checklist(turn: Turn, nominee_id: int, lead: str = "", *, edit: bool = True) -> None:
    p = await procedure.procedure(turn.ports, turn.user, nominee_id)
    text = procedure_text(turn.campaign, nominee_title(turn.campaign, p.info), p.steps, lead)
    await show(turn.event, text, checklist_keyboard(p), edit=edit)


def parse_day(text: str) -> date | None:
    """The day a step was done, as the office types dates (``handlers.common.parse_when``); a day
    with an hour is not one."""
    when = parse_when(text)
    return when[0] if when is not None and when[1] is None else None


async def _record(turn: Turn, nominee_id: int, key: str, day: date, *, edit: bool) -> None:
    done = await procedure.record_step(turn.ports, turn.user, nominee_id, key, day)
    state = next(s for s in done.steps if s.step.key == key)
    lead = _("Recorded: {step}, {date}.").format(step=step_name(state.step), date=day.isoformat())
    text = procedure_text(turn.campaign, nominee_title(turn.campaign, done.info), done.steps, lead)
    await show(turn.event, text, checklist_keyboard(done), edit=edit)


async def on_proc(query: CallbackQuery, callback_data: ProcCb, turn: Turn, state: FSMContext) -> None:
    nominee_id, key = callback_data.id, callback_data.k
    if callback_data.action == "list":
        await query.answer()
        await state.clear()
        await show_checklist(turn, nominee_id)
        return
    if callback_data.action == "cancel":
        await query.answer()
        await state.clear()
        await show_checklist(turn, nominee_id, _("Nothing was recorded."))
        return
    if callback_data.action == "step":
        p = await procedure.procedure(turn.ports, turn.user, nominee_id)
        found = next((s for s in p.steps if s.step.key == key), None)
        if found is None:
            await outdated(query)
            return
        await query.answer()
        await state.set_state(StepInput.date)
        await state.update_data(proc_id=nominee_id, proc_step=key)
        prompt = _(
            "<b>{step}</b> — {nominee}\nType the date it was done as YYYY-MM-DD (for a notice: the day it began), "
            "or tap “Today”. /cancel stops."
        ).format(step=step_name(found.step), nominee=esc(nominee_title(turn.campaign, p.info)))
        if found.on is not None:
            prompt += "\n" + _("Recorded now: {date}; a new date replaces it.").format(date=found.on.isoformat())
        today = f"{turn.today:%Y%m%d}"
        markup = InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    InlineKeyboardButton(
                        text=_("Today ({date})").format(date=turn.today.isoformat()),
                        callback_data=ProcCb(action="today", id=nominee_id, k=key, d=today).pack(),
                    ),
                    InlineKeyboardButton(text=_("Cancel"), callback_data=ProcCb(action="cancel", id=nominee_id).pack()),
                ]
            ]
        )
        await show(query, prompt, markup)
        return
    if callback_data.action == "today":
        try:
            day = datetime.strptime(callback_data.d, "%Y%m%d").date()
        except ValueError:
            day = None
        if day != turn.today:  # shown on another day: "today" is no longer that day
            await outdated(query)
            return
        await query.answer()
        await state.clear()
        await _record(turn, nominee_id, key, day, edit=True)
        return
    await outdated(query)


async def typed_date(message: Message, turn: Turn, state: FSMContext) -> None:
    data = await state.get_data()
    nominee_id, key = data.get("proc_id"), data.get("proc_step")
    text = (message.text or "").strip()
    if text.startswith("/") or not isinstance(nominee_id, int) or not isinstance(key, str):
        await state.clear()  # another command records nothing, and is carried out
        if text.split(maxsplit=1)[:1] == ["/cancel"]:
            await message.answer(_("Nothing was recorded."))
            return
        skip()
    day = parse_day(text)
    if day is None:
        await message.answer(_("Please type a date as YYYY-MM-DD (for example 2024-03-15), or /cancel."))
        return
    try:
        await _record(turn, nominee_id, key, day, edit=False)
    except Rejected as refused:
        await message.answer(problem_text(refused.problem, turn.campaign))
        return
    await state.clear()


def setup() -> Router:
    router = Router(name="procedure")
    router.message.register(typed_date, StepInput.date, F.text)
    router.callback_query.register(on_proc, ProcCb.filter())
    return router


__all__ = ["StepInput", "checklist_keyboard", "parse_day", "setup", "show_checklist"]
