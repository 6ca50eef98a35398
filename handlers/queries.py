"""What a clerk asks: /quota, /list, /status N, /deadlines."""

from __future__ import annotations

from datetime import date

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from core.campaign import Campaign
from core.form import IntakeForm
from core.ports import EDITABLE, NomineeService, ServiceError, UserInfo
from core.quota import needs_alternate
from handlers import keyboards, texts
from handlers.callbacks import ItemCb, PageCb
from handlers.common import Event, Turn, show
from handlers.i18n import _

PAGE = 8


def parse_id(command: CommandObject) -> int | None:
    raw = (command.args or "").strip().lstrip("#＃").strip()
    raw = raw.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


async def show_nominee(turn: Turn, nominee_id: int, *, edit: bool = True) -> None:
    """One nominee's whole record, its history and what is missing, with what may be done to it."""
    event, campaign = turn.event, turn.campaign
    try:
        nominee, history = await turn.service.nominee(turn.user, nominee_id)
    except ServiceError as err:
        await show(event, texts.service_error(err.code, err.params), edit=False)
        return
    form = IntakeForm(campaign, nominee.award, alternate=nominee.alternate_for is not None)
    missing = [texts.step_label(form, s) for s in form.steps(nominee.answers) if s.key in form.missing(nominee.answers)]
    text = texts.nominee_card(campaign, nominee, history, missing, turn.today)
    alive = nominee.status != "withdrawn"
    markup = keyboards.nominee_keyboard(
        nominee,
        editable=nominee.status in EDITABLE,
        needs_alternate=alive
        and nominee.alternate_for is None
        and needs_alternate(campaign, nominee.award, nominee.answers),
    )
    await show(event, text, markup, edit=edit)


async def show_list(event: Event, service: NomineeService, user: UserInfo, campaign: Campaign, offset: int) -> None:
    items, total = await service.nominees(user, offset=offset, limit=PAGE)
    if total == 0:
        await show(event, _("Your unit has no nominees yet. Send /new to enter one."))
        return
    lines = [
        _("<b>Nominees of {unit}</b> ({first}–{last} of {total})").format(
            unit=texts.esc(user.unit), first=offset + 1, last=offset + len(items), total=total
        )
    ]
    for n in items:
        lines.append(f"{texts.esc(texts.nominee_title(campaign, n))} · {texts.status_label(n.status)}")
    lines.append(_("Tap a nominee to see the whole record."))
    buttons = [(n.id, texts.nominee_title(campaign, n)) for n in items]
    await show(event, "\n".join(lines), keyboards.list_keyboard(buttons, offset, total, PAGE))


def setup() -> Router:
    router = Router(name="queries")

    @router.message(Command("quota"))
    async def quota(message: Message, service: NomineeService, user: UserInfo, campaign: Campaign) -> None:
        await message.answer(texts.quota_text(campaign, await service.unit_quota(user)))

    @router.message(Command("list"))
    async def nominee_list(message: Message, service: NomineeService, user: UserInfo, campaign: Campaign) -> None:
        await show_list(message, service, user, campaign, 0)

    @router.callback_query(PageCb.filter())
    async def page(
        query: CallbackQuery, callback_data: PageCb, service: NomineeService, user: UserInfo, campaign: Campaign
    ) -> None:
        await query.answer()
        await show_list(query, service, user, campaign, max(0, callback_data.offset))

    @router.message(Command("status"))
    async def status(message: Message, command: CommandObject, turn: Turn) -> None:
        nominee_id = parse_id(command)
        if nominee_id is None:
            await message.answer(_("Please give the nominee's number, e.g. /status 12. /list shows the numbers."))
            return
        await show_nominee(turn, nominee_id)

    @router.callback_query(ItemCb.filter(F.action == "show"))
    async def tapped(query: CallbackQuery, callback_data: ItemCb, turn: Turn) -> None:
        await query.answer()
        await show_nominee(turn, callback_data.id, edit=False)

    @router.message(Command("deadlines"))
    async def deadlines(message: Message, campaign: Campaign, today: date) -> None:
        await message.answer(texts.deadlines_text(campaign, today))

    return router
