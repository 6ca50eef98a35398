"""What a clerk asks: /quota, /list, /status N, /deadlines."""

from __future__ import annotations

from datetime import date

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from app import queries
from app.procedure import procedure_of
from core.clock import local_time
from core.deadlines import closed, entry_deadline
from core.form import IntakeForm
from core.quota import needs_alternate
from core.records import NomineeInfo
from core.refusals import UnitClosed
from handlers import keyboards, labels, texts
from handlers.callbacks import ItemCb, PageCb
from handlers.common import Turn, nominee_number, show
from handlers.i18n import _
from handlers.labels import clip
from handlers.problems import given_up_lines, problem_text
from handlers.procedure_texts import card_line

PAGE = 8


async def show_nominee(turn: Turn, nominee_id: int, *, edit: bool = True) -> None:
    """One nominee's whole record, its history and what is missing, with what may be done to it."""
    campaign = turn.campaign
    record = await queries.record(turn.ports, turn.user, nominee_id)
    nominee, history = record.info, record.history
    form = IntakeForm(campaign, nominee.award, alternate=nominee.alternate_for is not None)
    missing_keys = form.missing(nominee.answers)
    missing = [labels.step_label(form, s) for s in form.steps(nominee.answers) if s.key in missing_keys]
    text = texts.nominee_card(campaign, nominee, history, missing, turn.today)
    steps = [] if nominee.status == "withdrawn" else procedure_of(campaign, nominee, turn.today)
    line = card_line(steps)
    if line:
        text = clip(f"{text}\n\n{line}")
    markup = keyboards.nominee_keyboard(
        nominee,
        editable=record.changeable,
        needs_alternate=record.changeable and record.lacks_alternate(campaign),
        procedure=bool(steps),
        full_text=bool(labels.long_answers(campaign, nominee.answers)),
    )
    await show(turn.event, text, markup, edit=edit)


async def full_text(query: CallbackQuery, callback_data: ItemCb, turn: Turn, bot: Bot) -> None:
    """📄 under a card (a clerk's own unit's nominee, or any for the office): each long answer
    whole, in messages of at most 4,000 characters, as new messages to read or copy."""
    record = await queries.record(turn.ports, turn.user, callback_data.id)
    await query.answer()
    title = labels.nominee_title(turn.campaign, record.info)
    for label, whole in labels.long_answers(turn.campaign, record.info.answers):
        head = f"<b>{labels.esc(label)}</b> · {title}\n"
        for part in labels.split_text(whole, 3000):  # escaped, under Telegram's 4,096
            await bot.send_message(query.from_user.id, head + labels.esc(part))


async def without_alternate(turn: Turn, page: list[NomineeInfo]) -> frozenset[int]:
    """Of the nominees on ``page``, those still owing an alternate (read only when one might)."""
    if not any(needs_alternate(turn.campaign, n.award, n.answers) for n in page):
        return frozenset()
    return await queries.lacking_alternates(turn.ports, turn.user)


async def show_list(turn: Turn, offset: int) -> None:
    items, total = await queries.nominees(turn.ports, turn.user, offset=offset, limit=PAGE)
    office = turn.user.role == "office"  # the office sees the whole campaign
    given_up = await given_up_text(turn) if office and offset == 0 else ""
    if total == 0:
        empty = (
            _("No unit has entered a nominee yet.")
            if office
            else _("Your unit has no nominees yet. Send /new to enter one.")
        )
        await show(turn.event, "\n\n".join(t for t in (empty, given_up) if t))
        return
    first, last = offset + 1, offset + len(items)
    if office:
        head = _("<b>Nominees of all units</b> ({first}–{last} of {total})")
    else:
        head = _("<b>Nominees of {unit}</b> ({first}–{last} of {total})")
    lines = [head.format(unit=labels.esc(turn.user.unit or ""), first=first, last=last, total=total)]
    lacking = await without_alternate(turn, items)
    for n in items:
        status = labels.status_label(n.status, alternate=n.alternate_for is not None)
        unit = f"{labels.esc(n.unit)} · " if office else ""
        flag = " · " + _("⚠ alternate still to be entered") if n.id in lacking else ""
        lines.append(f"{unit}{labels.esc(labels.nominee_title(turn.campaign, n))} · {status}{flag}")
    lines.append(_("Tap a nominee to see the whole record."))
    if given_up:
        lines += ["", given_up]
    buttons = [(n.id, labels.nominee_title(turn.campaign, n)) for n in items]
    await show(turn.event, "\n".join(lines), keyboards.list_keyboard(buttons, offset, total, PAGE))


async def given_up_text(turn: Turn) -> str:
    """For the office: the reserved places each submitted unit gave up (视为放弃); "" when none."""
    states = await queries.unit_states(turn.ports, turn.campaign.id)
    lines = []
    for state in states:
        if state.submitted_at is not None and state.given_up:
            when = f"{local_time(state.submitted_at, turn.campaign):%Y-%m-%d %H:%M}"
            lines.append(_("{unit} (submitted {date}):").format(unit=labels.esc(state.name), date=when))
            lines += given_up_lines(turn.campaign, state.given_up)
    return "\n".join([_("<b>Reserved places given up at submission</b>"), *lines]) if lines else ""


async def quota(message: Message, turn: Turn) -> None:
    """The places left; once the list is locked, why and whom to ask, and the places given up."""
    text = texts.quota_text(turn.campaign, await queries.unit_quota(turn.ports, turn.user))
    state = await queries.unit_state(turn.ports, turn.user)
    gate = closed(turn.campaign, state, turn.now)
    if gate is not None:
        text += "\n\n" + problem_text(gate, turn.campaign)
    if state.given_up:
        lines = given_up_lines(turn.campaign, state.given_up)
        text += "\n\n" + "\n".join([_("Places given up (the office can see this):"), *lines])
    await message.answer(text)


async def nominee_list(message: Message, turn: Turn) -> None:
    await show_list(turn, 0)


async def page(query: CallbackQuery, callback_data: PageCb, turn: Turn) -> None:
    await query.answer()
    await show_list(turn, max(0, callback_data.offset))


async def status(message: Message, command: CommandObject, turn: Turn) -> None:
    usage = _("Please give the nominee's number, e.g. /status 12. /list shows the numbers.")
    nominee_id = await nominee_number(message, command, usage)
    if nominee_id is not None:
        await show_nominee(turn, nominee_id)


async def tapped(query: CallbackQuery, callback_data: ItemCb, turn: Turn) -> None:
    await query.answer()
    await show_nominee(turn, callback_data.id, edit=False)


def reopened_beyond(turn: Turn, until: date) -> bool:
    """Whether the office reopened the unit until a day not passed and later than the entry deadline
    (one before it changes nothing the clerk needs to know)."""
    entry = entry_deadline(turn.campaign)
    return entry is not None and until > entry[1] and turn.today <= until


async def deadlines(message: Message, turn: Turn) -> None:
    """The stages' dates; for a clerk whose unit the office reopened until a day, until when it is
    open, or that it closed on that day (the same words as the refusal a change gets then)."""
    text = texts.deadlines_text(turn.campaign, turn.today)
    if turn.user.role == "clerk" and turn.user.unit:
        state = await queries.unit_state(turn.ports, turn.user)
        gate = closed(turn.campaign, state, turn.now)
        if isinstance(gate, UnitClosed):
            text += "\n\n" + problem_text(gate, turn.campaign)
        elif gate is None and state.open_until is not None and reopened_beyond(turn, state.open_until):
            text += "\n\n" + _(
                "The office reopened your unit's list until {date}: it may be entered and changed through that day."
            ).format(date=state.open_until.isoformat())
    await message.answer(text)


def setup() -> Router:
    router = Router(name="queries")
    router.message.register(quota, Command("quota"))
    router.message.register(nominee_list, Command("list"))
    router.callback_query.register(page, PageCb.filter())
    router.message.register(status, Command("status"))
    router.callback_query.register(tapped, ItemCb.filter(F.action == "show"))
    router.callback_query.register(full_text, ItemCb.filter(F.action == "text"))
    router.message.register(deadlines, Command("deadlines"))
    return router


__all__ = ["setup", "show_nominee"]
