"""The office's review in the chat: /review (a unit chosen with buttons, its list paged by award),
a nominee's whole record with its photo, 通过 / 退回 (with a typed reason) / the final results,
an alternate promoted in its head's place, a unit's list reopened (with no end, or until a typed
day), /audit N; the unit's clerks
are told of every decision at once. Clerks asking for an office command are told why not.

The office looks at any unit but never acts as its clerk: nothing here enters or changes answers.
Every button carries the nominee's version it was shown for; a decision on an older one (a
colleague decided first, the clerk changed it) is refused and the record shown as it is now.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    TelegramObject,
)
from aiogram.utils.i18n import get_i18n
from aiogram.utils.keyboard import InlineKeyboardBuilder

from app import queries, review
from app.review import PROMOTABLE, REPLACEABLE, TRANSITIONS, OfficeRecord
from core.campaign import Campaign
from core.checklist import steps_for
from core.records import ReviewAction
from core.refusals import NomineeChanged, OfficeCommand, Rejected
from handlers import review_texts as rt
from handlers.callbacks import AuditCb, ItemCb, ProcCb, RvCb, RvListCb, RvReopenCb, RvUnitsCb
from handlers.common import Turn, nominee_number, outdated, parse_when, show
from handlers.i18n import _, sentences
from handlers.keyboards import full_text_button
from handlers.labels import esc, long_answers, nominee_title
from handlers.menus import OFFICE_ONLY
from handlers.office import Office
from handlers.problems import problem_text

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
UNITS_PAGE = 20  # units per chooser page: 20 buttons and 2 of navigation (Telegram allows 100)
LIST_PAGE = 10  # nominees per page of a unit's list
MAX_REASON = 500  # characters of a reason for returning
DECISIONS: tuple[ReviewAction, ...] = ("accept", "approve", "not_approve", "reopen")


class Returning(StatesGroup):
    """退回: the office is typing the reason (state data: the nominee's id and version)."""

    reason = State()


class Reopening(StatesGroup):
    """重新开放 until a day: the office is typing the day (state data: the unit's index)."""

    until = State()


TYPING = frozenset({Returning.reason.state, Reopening.until.state})  # ended by any other command


# ------------------------------------------------------------------------------ keyboards


def button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text[:60], callback_data=data)


def unit_index(campaign: Campaign, name: str) -> int:
    return next((i for i, u in enumerate(campaign.units) if u.name == name), 0)


def unit_at(campaign: Campaign, index: int) -> str | None:
    return campaign.units[index].name if index < len(campaign.units) else None


def nav(make: Callable[[int], str], offset: int, total: int, page: int) -> list[InlineKeyboardButton]:
    row = []
    if offset > 0:
        row.append(button(_("◀ Previous"), make(max(0, offset - page))))
    if offset + page < total:
        row.append(button(_("Next ▶"), make(offset + page)))
    return row


def record_keyboard(campaign: Campaign, rec: OfficeRecord) -> InlineKeyboardMarkup:
    n, v = rec.info, rec.info.version
    kb = InlineKeyboardBuilder()

    def act(label: str, action: str, nominee: int = n.id, version: int = v) -> InlineKeyboardButton:
        return button(label, RvCb(action=action, id=nominee, v=version).pack())

    def allowed(action: ReviewAction) -> bool:  # what app.review.transition accepts from this status
        return n.status in TRANSITIONS[action][0]

    if allowed("accept"):  # handed in
        kb.row(act(_("✔ Pass initial review"), "accept"), act(_("↩ Return"), "return"))
        kb.row(act(_("✖ Final: not approved"), "not_approve"))
    elif allowed("approve"):  # passed initial review
        kb.row(act(_("✔ Final: approved"), "approve"), act(_("✖ Final: not approved"), "not_approve"))
        kb.row(act(_("↩ Return"), "return"))
    if allowed("reopen"):
        kb.row(act(_("⟲ Take the decision back"), "reopen"))
    if n.alternate_for is not None and n.status in PROMOTABLE:
        kb.row(act(_("⇪ Stand in for #{id}").format(id=n.alternate_for), "promote?"))
    if n.status in REPLACEABLE:
        for a in rec.alternates:
            if a.status in PROMOTABLE:
                kb.row(act(_("⇪ Alternate #{id} takes the place").format(id=a.id), "promote?", a.id, a.version))
    if long_answers(campaign, n.answers):
        kb.row(full_text_button(n.id))
    if n.status != "withdrawn" and steps_for(campaign, n.award, n.answers):
        kb.row(button(_("Procedure"), ProcCb(action="list", id=n.id).pack()))
    kb.row(
        act(_("Full history"), "audit"),
        button(_("◀ Unit's list"), RvListCb(u=unit_index(campaign, n.unit)).pack()),
    )
    return kb.as_markup()


# ------------------------------------------------------------------------------ screens


async def show_units(turn: Turn, offset: int) -> None:
    overviews = await review.units(turn.ports, turn.user)
    offset = min(offset, max(0, len(overviews) - 1))
    shown = overviews[offset : offset + UNITS_PAGE]
    kb = InlineKeyboardBuilder()
    for o in shown:
        kb.row(button(rt.unit_button(o, turn.today), RvListCb(u=unit_index(turn.campaign, o.name)).pack()))
    row = nav(lambda at: RvUnitsCb(offset=at).pack(), offset, len(overviews), UNITS_PAGE)
    if row:
        kb.row(*row)
    await show(turn.event, rt.units_text(turn.campaign, overviews, offset, len(shown)), kb.as_markup())


async def show_unit(turn: Turn, unit: str, offset: int, *, lead: str = "", edit: bool = True) -> None:
    listing = await review.unit_list(turn.ports, turn.user, unit)
    offset = min(offset, max(0, len(listing.nominees) - 1))
    u = unit_index(turn.campaign, unit)
    kb = InlineKeyboardBuilder()
    for n in listing.nominees[offset : offset + LIST_PAGE]:
        title = rt.button_title(turn.campaign, n)
        kb.row(button(title, RvCb(action="show", id=n.id).pack()))
    row = nav(lambda at: RvListCb(u=u, offset=at).pack(), offset, len(listing.nominees), LIST_PAGE)
    if row:
        kb.row(*row)
    kb.row(button(_("Reopen the unit's list"), RvReopenCb(action="ask", u=u).pack()))
    kb.row(button(_("◀ All units"), RvUnitsCb().pack()))
    text = rt.unit_list_text(turn.campaign, listing, offset, LIST_PAGE, turn.today)
    await show(turn.event, f"{lead}\n\n{text}" if lead else text, kb.as_markup(), edit=edit)


async def send_photo(turn: Turn, bot: Bot, rec: OfficeRecord) -> None:
    """The nominee's photo, as a message of its own above the record (a caption allows only 1,024
    characters; the record needs more)."""
    n = rec.info
    ref = next(
        (n.answers.get(k) for k, f in turn.campaign.fields.items() if f.type == "photo" and n.answers.get(k)), None
    )
    data = await turn.ports.files.read(str(ref)) if ref else None
    if not data:
        return
    try:
        await bot.send_photo(
            turn.user.tg_id, BufferedInputFile(data, f"{n.id}.jpg"), caption=rt.photo_caption(turn.campaign, n)
        )
    except TelegramAPIError as err:  # the record still comes; the photo is not what decides
        log.info("could not send the photo of nominee %s: %s", n.id, err)


async def show_record(
    turn: Turn, nominee_id: int, *, bot: Bot | None = None, lead: str = "", edit: bool = True
) -> None:
    """The record; with ``bot``, its photo first (as a new message, and the record after it)."""
    rec = await review.record(turn.ports, turn.user, nominee_id)
    if bot is not None:
        await send_photo(turn, bot, rec)
    text = rt.record_text(turn.campaign, rec, turn.today, lead)
    await show(turn.event, text, record_keyboard(turn.campaign, rec), edit=edit)


async def show_audit(turn: Turn, nominee_id: int, offset: int, *, edit: bool = True) -> None:
    rec = await review.record(turn.ports, turn.user, nominee_id)
    offset = min(offset, max(0, len(rec.history) - 1))
    kb = InlineKeyboardBuilder()
    row = nav(lambda at: AuditCb(id=nominee_id, offset=at).pack(), offset, len(rec.history), rt.AUDIT_PAGE)
    if row:
        kb.row(*row)
    kb.row(button(_("◀ The record"), RvCb(action="back", id=nominee_id).pack()))
    await show(turn.event, rt.audit_text(turn.campaign, rec, offset), kb.as_markup(), edit=edit)


# ------------------------------------------------------------------------------ telling the unit


async def tell_clerks(turn: Turn, bot: Bot, unit: str, render: Callable[[], str]) -> str:
    """Sends ``render()`` (in each clerk's language) to every clerk of ``unit``; a clerk who
    blocked the bot (403) or cannot be reached is skipped. Says to the office how many were told."""
    clerks = await queries.users(turn.ports, turn.campaign.id, unit=unit, role="clerk")
    i18n = get_i18n()
    count = 0
    for clerk in clerks:
        with i18n.use_locale(clerk.language):
            text = render()
        try:
            await bot.send_message(clerk.tg_id, text)
            count += 1
        except TelegramAPIError as err:
            log.info("could not tell clerk %s of %s: %s", clerk.tg_id, unit, err)
    return rt.told(count, len(clerks))


# ------------------------------------------------------------------------------ handlers


async def review_command(message: Message, turn: Turn, state: FSMContext) -> None:
    await state.clear()
    await show_units(turn, 0)


async def units_page(query: CallbackQuery, callback_data: RvUnitsCb, turn: Turn, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    await show_units(turn, callback_data.offset)


async def unit_page(query: CallbackQuery, callback_data: RvListCb, turn: Turn, state: FSMContext) -> None:
    unit = unit_at(turn.campaign, callback_data.u)
    if unit is None:
        await outdated(query)
        return
    await state.clear()
    await query.answer()
    await show_unit(turn, unit, callback_data.offset)


async def on_nominee(query: CallbackQuery, callback_data: RvCb, turn: Turn, state: FSMContext, bot: Bot) -> None:
    """show, audit, the decisions, return (asks the reason), promote? (asks) and promote."""
    action = callback_data.action
    await state.clear()
    try:
        if action == "show":  # from a list: the photo and the record below it
            await query.answer()
            await show_record(turn, callback_data.id, bot=bot, edit=False)
        elif action == "back":  # from a question about it or its history: the record in its place
            await query.answer()
            await show_record(turn, callback_data.id)
        elif action == "audit":
            await query.answer()
            await show_audit(turn, callback_data.id, 0, edit=False)
        elif action == "return":
            await ask_reason(query, callback_data, turn, state)
        elif action == "promote?":
            await ask_promote(query, callback_data, turn)
        elif action == "promote":
            await promote(query, callback_data, turn, bot)
        elif action in DECISIONS:
            await decide(query, callback_data, turn, bot)
        else:
            await outdated(query)
    except Rejected as err:
        await refused(query, turn, err, callback_data.id)


async def refused(query: CallbackQuery, turn: Turn, err: Rejected, nominee_id: int) -> None:
    """A decision that could not be taken: why, as an alert; a changed nominee is shown as it is now."""
    if isinstance(err.problem, NomineeChanged):
        text = _("The nominee was changed meanwhile (by a colleague or the unit); here it is as it is now.")
        await query.answer(text, show_alert=True)
        await show_record(turn, nominee_id, lead=text)
        return
    await query.answer(problem_text(err.problem, turn.campaign)[:200], show_alert=True)


async def decide(query: CallbackQuery, pressed: RvCb, turn: Turn, bot: Bot) -> None:
    action: ReviewAction = next(a for a in DECISIONS if a == pressed.action)
    info = await review.review(turn.ports, turn.user, pressed.id, action, version=pressed.v or None)
    await query.answer()
    told = await tell_clerks(turn, bot, info.unit, lambda: rt.clerk_notice(turn.campaign, info))
    await show_record(turn, info.id, lead=sentences(rt.decided(action, info, turn.campaign), told))


async def ask_reason(query: CallbackQuery, pressed: RvCb, turn: Turn, state: FSMContext) -> None:
    rec = await review.record(turn.ports, turn.user, pressed.id)
    if pressed.v and rec.info.version != pressed.v:
        raise Rejected(NomineeChanged(pressed.id))
    await query.answer()
    await state.set_state(Returning.reason)
    await state.set_data({"id": pressed.id, "v": rec.info.version})
    kb = InlineKeyboardBuilder()
    kb.row(button(_("✖ Do not return"), RvCb(action="back", id=pressed.id).pack()))
    await show(turn.event, rt.ask_reason(rec.info, turn.campaign), kb.as_markup(), edit=False)


async def reason_typed(message: Message, turn: Turn, state: FSMContext, bot: Bot) -> None:
    data = await state.get_data()
    nominee_id, version = int(data.get("id", 0)), int(data.get("v", 0))
    reason = (message.text or "").strip()
    if len(reason) > MAX_REASON:
        await message.answer(
            _("The reason is {length} characters long; at most {limit}, please.").format(
                length=len(reason), limit=MAX_REASON
            )
        )
        return
    await state.clear()
    try:
        info = await review.review(turn.ports, turn.user, nominee_id, "return", reason, version=version or None)
    except Rejected as err:
        if isinstance(err.problem, NomineeChanged):
            text = _("Not returned: the nominee was changed meanwhile (by a colleague or the unit); here it is now.")
            await show_record(turn, nominee_id, lead=text)
            return
        await message.answer(problem_text(err.problem, turn.campaign))
        return
    told = await tell_clerks(turn, bot, info.unit, lambda: rt.clerk_notice(turn.campaign, info, info.note))
    await show_record(turn, info.id, lead=sentences(rt.decided("return", info, turn.campaign), told))


async def reason_not_text(message: Message) -> None:
    await message.answer(_("Please type the reason as text, or /cancel."))


async def command_ends_reason(handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
    """Outer middleware of the members' messages: another command while a return's reason or a
    reopening's last day is awaited ends that step (a text typed later must not become its reason
    or its day); the command runs as usual. /cancel says so itself."""
    state: FSMContext | None = data.get("state")
    if (
        state is not None
        and isinstance(event, Message)
        and (event.text or "").startswith("/")
        and not (event.text or "").startswith("/cancel")
        and await state.get_state() in TYPING
    ):
        await state.clear()
    return await handler(event, data)


async def cancel_reason(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(_("Not returned; nothing changed."))


async def ask_promote(query: CallbackQuery, pressed: RvCb, turn: Turn) -> None:
    rec = await review.record(turn.ports, turn.user, pressed.id)
    if pressed.v and rec.info.version != pressed.v:
        raise Rejected(NomineeChanged(pressed.id))
    await query.answer()
    n = rec.info
    text = _(
        "{alternate} takes the place of #{principal}, which becomes “not approved” (final). The unit's clerks "
        "are told. Go ahead?"
    ).format(alternate=esc(nominee_title(turn.campaign, n)), principal=n.alternate_for)
    kb = InlineKeyboardBuilder()
    kb.row(
        button(_("⇪ Yes, the alternate takes the place"), RvCb(action="promote", id=n.id, v=n.version).pack()),
        button(_("Cancel"), RvCb(action="back", id=n.id).pack()),
    )
    await show(turn.event, text, kb.as_markup())


async def promote(query: CallbackQuery, pressed: RvCb, turn: Turn, bot: Bot) -> None:
    done = await review.promote(turn.ports, turn.user, pressed.id, version=pressed.v or None)
    await query.answer()
    told = await tell_clerks(
        turn, bot, done.alternate.unit, lambda: rt.promoted_notice(turn.campaign, done.alternate, done.principal)
    )
    lead = sentences(rt.promoted_notice(turn.campaign, done.alternate, done.principal), told)
    await show_record(turn, done.alternate.id, lead=lead)


async def reopen_unit(query: CallbackQuery, callback_data: RvReopenCb, turn: Turn, state: FSMContext, bot: Bot) -> None:
    """ask (with no end, or until a day?) → yes (no end) | date (the day is typed, then confirmed
    with an ``until`` button carrying it)."""
    unit = unit_at(turn.campaign, callback_data.u)
    action = callback_data.action
    until = decode_day(callback_data.d) if action == "until" else None
    if unit is None or action not in ("ask", "yes", "date", "until") or (action == "until" and until is None):
        await outdated(query)
        return
    await state.clear()
    cancel = button(_("Cancel"), RvListCb(u=callback_data.u).pack())
    if action == "ask":
        await query.answer()
        kb = InlineKeyboardBuilder()
        kb.row(button(_("Yes, reopen the list (no end date)"), RvReopenCb(action="yes", u=callback_data.u).pack()))
        kb.row(button(_("Reopen until a day…"), RvReopenCb(action="date", u=callback_data.u).pack()))
        kb.row(cancel)
        await show(turn.event, rt.ask_reopen(unit), kb.as_markup())
        return
    if action == "date":
        await query.answer()
        await state.set_state(Reopening.until)
        await state.set_data({"u": callback_data.u})
        kb = InlineKeyboardBuilder()
        kb.row(cancel)
        await show(turn.event, rt.ask_until(unit, turn.campaign.timezone), kb.as_markup())
        return
    try:
        count = await review.reopen(turn.ports, turn.user, unit, until)
    except Rejected as err:
        await query.answer(problem_text(err.problem, turn.campaign)[:200], show_alert=True)
        return
    await query.answer()
    zone = turn.campaign.timezone
    told = await tell_clerks(turn, bot, unit, lambda: rt.reopened_notice(unit, until, zone))
    await show_unit(turn, unit, 0, lead=sentences(rt.reopened(unit, count, until), told))


async def until_typed(message: Message, turn: Turn, state: FSMContext) -> None:
    """The reopening's last day, typed: refused (and asked again) when it is not a day, has passed
    or lies in a year no calendar knows; otherwise a confirmation naming it."""
    index = int((await state.get_data()).get("u", -1))
    unit = unit_at(turn.campaign, index) if index >= 0 else None
    if unit is None:
        await state.clear()
        await message.answer(_("The campaign has no such unit any more. Send /review again."))
        return
    parsed = parse_when(message.text or "")
    if parsed is None or parsed[1] is not None:
        await message.answer(
            _("Please type a day as YYYY-MM-DD, or as a Chinese date (year, month, day), without an hour; or /cancel.")
        )
        return
    day = parsed[0]
    try:
        review.check_until(turn.campaign, day, turn.today)
    except Rejected as err:
        await message.answer(problem_text(err.problem, turn.campaign))
        return
    await state.clear()
    kb = InlineKeyboardBuilder()
    label = _("Yes, reopen until {date}").format(date=day.isoformat())
    kb.row(button(label, RvReopenCb(action="until", u=index, d=f"{day:%Y%m%d}").pack()))
    kb.row(button(_("Cancel"), RvListCb(u=index).pack()))
    await message.answer(rt.confirm_until(unit, day, turn.campaign.timezone), reply_markup=kb.as_markup())


async def until_not_text(message: Message) -> None:
    await message.answer(_("Please type the day as text, or /cancel."))


async def cancel_reopening(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(_("Not reopened; nothing changed."))


def decode_day(code: str) -> date | None:
    """An ``until`` button's day (YYYYMMDD); None when it is not one (a forged or garbled button)."""
    try:
        return datetime.strptime(code, "%Y%m%d").date() if len(code) == 8 else None
    except ValueError:
        return None


async def audit_command(message: Message, command: CommandObject, turn: Turn, state: FSMContext) -> None:
    await state.clear()
    usage = _("Please give the nominee's number, e.g. /audit 12. /review shows the numbers.")
    nominee_id = await nominee_number(message, command, usage)
    if nominee_id is None:
        return
    try:
        await show_audit(turn, nominee_id, 0)
    except Rejected as err:
        await message.answer(problem_text(err.problem, turn.campaign))


async def status_command(message: Message, command: CommandObject, turn: Turn, state: FSMContext, bot: Bot) -> None:
    """/status N for the office: the record as /review shows it, with what may be decided."""
    await state.clear()
    usage = _("Please give the nominee's number, e.g. /status 12. /list shows the numbers.")
    nominee_id = await nominee_number(message, command, usage)
    if nominee_id is None:
        return
    try:
        await show_record(turn, nominee_id, bot=bot)
    except Rejected as err:
        await message.answer(problem_text(err.problem, turn.campaign))


async def listed_tapped(query: CallbackQuery, callback_data: ItemCb, turn: Turn, state: FSMContext, bot: Bot) -> None:
    """A nominee tapped in the office's /list: its record as /review shows it."""
    await state.clear()
    await query.answer()
    await show_record(turn, callback_data.id, bot=bot, edit=False)


async def audit_page(query: CallbackQuery, callback_data: AuditCb, turn: Turn) -> None:
    await query.answer()
    await show_audit(turn, callback_data.id, callback_data.offset)


# ------------------------------------------------------------------------------ clerks


async def clerk_command(message: Message, command: CommandObject) -> None:
    await message.answer(problem_text(OfficeCommand(command.command)))


async def clerk_button(query: CallbackQuery) -> None:
    await query.answer(problem_text(OfficeCommand("review"))[:200], show_alert=True)


def setup() -> Router:
    """The office's review (office staff only)."""
    router = Router(name="review")
    router.message.filter(Office())
    router.callback_query.filter(Office())
    router.message.register(cancel_reason, StateFilter(Returning.reason), Command("cancel"))
    router.message.register(cancel_reopening, StateFilter(Reopening.until), Command("cancel"))
    router.message.register(review_command, Command("review"))
    router.message.register(audit_command, Command("audit"))
    router.message.register(status_command, Command("status"))
    router.callback_query.register(listed_tapped, ItemCb.filter(F.action == "show"))
    router.message.register(reason_typed, StateFilter(Returning.reason), F.text, ~F.text.startswith("/"))
    router.message.register(reason_not_text, StateFilter(Returning.reason), ~F.text)
    router.message.register(until_typed, StateFilter(Reopening.until), F.text, ~F.text.startswith("/"))
    router.message.register(until_not_text, StateFilter(Reopening.until), ~F.text)
    router.callback_query.register(units_page, RvUnitsCb.filter())
    router.callback_query.register(unit_page, RvListCb.filter())
    router.callback_query.register(on_nominee, RvCb.filter())
    router.callback_query.register(reopen_unit, RvReopenCb.filter())
    router.callback_query.register(audit_page, AuditCb.filter())
    return router


def clerks_setup() -> Router:
    """A clerk's office command or an office button (forwarded, or left from a former role): why not."""
    router = Router(name="office-only")
    router.message.register(clerk_command, Command(*OFFICE_ONLY))
    for cb in (RvUnitsCb, RvListCb, RvCb, RvReopenCb, AuditCb):
        router.callback_query.register(clerk_button, cb.filter())
    return router


__all__ = ["LIST_PAGE", "UNITS_PAGE", "Reopening", "Returning", "clerks_setup", "command_ends_reason", "setup"]
