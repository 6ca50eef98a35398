"""/edit N, /withdraw N, /submit: changing the unit's list."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from core.campaign import Campaign
from core.ports import EDITABLE, Draft, NomineeInfo, NomineeService, ServiceError, UserInfo
from handlers import keyboards, texts
from handlers.callbacks import ItemCb, SubmitCb
from handlers.common import Event, Turn, show
from handlers.i18n import _
from handlers.intake import show_summary
from handlers.queries import parse_id


async def editable_nominee(
    event: Event, service: NomineeService, user: UserInfo, nominee_id: int
) -> NomineeInfo | None:
    """The unit's nominee if it may still be changed; otherwise the clerk is told why and None."""
    try:
        nominee, _history = await service.nominee(user, nominee_id)
    except ServiceError as err:
        await show(event, texts.service_error(err.code, err.params), edit=False)
        return None
    if nominee.status not in EDITABLE:
        await show(event, texts.service_error("nominee.locked", {"status": nominee.status}), edit=False)
        return None
    return nominee


async def start_edit(turn: Turn, nominee_id: int) -> None:
    """The summary card of a saved nominee, to change it (the edit is a draft until confirmed)."""
    event, service, user = turn.event, turn.service, turn.user
    nominee = await editable_nominee(event, service, user, nominee_id)
    if nominee is None:
        return
    draft = await service.load_draft(user.tg_id)
    if draft is not None and draft.award is not None and draft.editing != nominee_id:
        await show(event, _("Please finish or discard your current draft first (/new shows it)."), edit=False)
        return
    draft = Draft(
        tg_id=user.tg_id,
        campaign_id=turn.campaign.id,
        award=nominee.award,
        answers=dict(nominee.answers),
        editing=nominee.id,
        alternate_for=nominee.alternate_for,
        in_summary=True,
    )
    await show_summary(
        turn, draft, _("Editing #{id}. Change what is needed, then confirm.").format(id=nominee.id), edit=False
    )


def setup() -> Router:
    router = Router(name="manage")

    @router.message(Command("edit"))
    async def edit(message: Message, command: CommandObject, turn: Turn) -> None:
        nominee_id = parse_id(command)
        if nominee_id is None:
            await message.answer(_("Please give the nominee's number, e.g. /edit 12."))
            return
        await start_edit(turn, nominee_id)

    @router.callback_query(ItemCb.filter(F.action == "edit"))
    async def edit_tap(query: CallbackQuery, callback_data: ItemCb, turn: Turn) -> None:
        await query.answer()
        await start_edit(turn, callback_data.id)

    async def ask_withdraw(
        event: Event, service: NomineeService, user: UserInfo, campaign: Campaign, nominee_id: int
    ) -> None:
        nominee = await editable_nominee(event, service, user, nominee_id)
        if nominee is None:
            return
        await show(
            event,
            _("Withdraw {title}? Its place becomes free again.").format(
                title=texts.esc(texts.nominee_title(campaign, nominee))
            ),
            keyboards.withdraw_keyboard(nominee.id),
            edit=False,
        )

    @router.message(Command("withdraw"))
    async def withdraw(
        message: Message, command: CommandObject, service: NomineeService, user: UserInfo, campaign: Campaign
    ) -> None:
        nominee_id = parse_id(command)
        if nominee_id is None:
            await message.answer(_("Please give the nominee's number, e.g. /withdraw 12."))
            return
        await ask_withdraw(message, service, user, campaign, nominee_id)

    @router.callback_query(ItemCb.filter(F.action == "withdraw"))
    async def withdraw_tap(
        query: CallbackQuery, callback_data: ItemCb, service: NomineeService, user: UserInfo, campaign: Campaign
    ) -> None:
        await query.answer()
        await ask_withdraw(query, service, user, campaign, callback_data.id)

    @router.callback_query(ItemCb.filter(F.action == "withdraw_yes"))
    async def withdraw_yes(
        query: CallbackQuery, callback_data: ItemCb, service: NomineeService, user: UserInfo, campaign: Campaign
    ) -> None:
        try:
            nominee = await service.withdraw(user, callback_data.id)
        except ServiceError as err:
            await query.answer()
            await show(query, texts.service_error(err.code, err.params))
            return
        await query.answer()
        quota = await service.unit_quota(user)
        await show(
            query,
            _("{title} has been withdrawn; its place is free again.").format(
                title=texts.esc(texts.nominee_title(campaign, nominee))
            )
            + "\n\n"
            + texts.quota_text(campaign, quota),
        )

    @router.message(Command("submit"))
    async def submit(message: Message) -> None:
        await message.answer(
            _("Submit your unit's list to the office? Afterwards it is locked; only the office can reopen it."),
            reply_markup=keyboards.submit_keyboard(),
        )

    @router.callback_query(SubmitCb.filter())
    async def submit_answer(
        query: CallbackQuery, callback_data: SubmitCb, service: NomineeService, user: UserInfo, campaign: Campaign
    ) -> None:
        await query.answer()
        if callback_data.action != "yes":
            await show(query, _("Not submitted. You can go on editing."))
            return
        try:
            gaps = await service.submit(user)
        except ServiceError as err:
            await show(query, texts.service_error(err.code, err.params))
            return
        if gaps:
            items, _total = await service.nominees(user, 0, 200)
            names = {n.id: str(n.answers.get("name") or n.answers.get("org_name") or "") for n in items}
            await show(query, texts.gaps_text(campaign, gaps, names))
            return
        await show(query, _("Your unit's list has been submitted to the office and is now locked. Thank you."))

    return router
