"""/edit N, /withdraw N, /submit: changing the unit's list."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from app import nominees, queries, submission
from core import flow
from core.campaign import Campaign
from core.records import Draft, NomineeInfo
from core.refusals import AlternateMissing, Gap, blocking, given_up, places_digest
from handlers import keyboards, labels, texts
from handlers.callbacks import ItemCb, SubmitCb
from handlers.common import Turn, nominee_number, show
from handlers.i18n import _, _n, sentences
from handlers.problems import gaps_text, give_up_text, given_up_lines
from handlers.procedure_texts import submit_warning
from handlers.steps import render, resume_offer


async def start_edit(turn: Turn, nominee_id: int) -> None:
    """The summary card of a saved nominee, to change it (the edit is a draft until confirmed)."""
    nominee = await nominees.editable(turn.ports, turn.user, nominee_id)
    draft = turn.draft
    if draft is not None and draft.award is not None and draft.editing != nominee_id:
        text = sentences(_("Please finish or discard your current draft first."), resume_offer(turn.campaign, draft))
        await show(turn.event, text, keyboards.resume_keyboard(), edit=False)
        return
    stale = draft is not None and draft.version not in (None, nominee.version)
    if draft is not None and draft.editing == nominee_id and draft.answers != nominee.answers and not stale:
        # an unfinished edit of this nominee: its changes are offered, not silently replaced (an
        # edit begun on an older version could never be saved: the record opens as it is now)
        await show(turn.event, resume_offer(turn.campaign, draft), keyboards.resume_keyboard(), edit=False)
        return
    draft = Draft(
        tg_id=turn.user.tg_id,
        campaign_id=turn.campaign.id,
        award=nominee.award,
        answers=dict(nominee.answers),
        editing=nominee.id,
        alternate_for=nominee.alternate_for,
        version=nominee.version,  # a save on it is refused if someone changes the nominee meanwhile
    )
    notice = _("Editing #{id}. Change what is needed, then tap “Confirm and save”.").format(id=nominee.id)
    await render(turn, *flow.summary(draft), notice, edit=False)


async def edit(message: Message, command: CommandObject, turn: Turn) -> None:
    nominee_id = await nominee_number(
        message, command, _("Please give the nominee's number, e.g. /edit 12. /list shows the numbers.")
    )
    if nominee_id is not None:
        await start_edit(turn, nominee_id)


async def edit_tap(query: CallbackQuery, callback_data: ItemCb, turn: Turn) -> None:
    await query.answer()
    await start_edit(turn, callback_data.id)


async def ask_withdraw(turn: Turn, nominee_id: int) -> None:
    nominee = await nominees.editable(turn.ports, turn.user, nominee_id)
    title = labels.esc(labels.nominee_title(turn.campaign, nominee))
    if nominee.alternate_for is not None:  # an alternate holds no place; its nominee needs another
        text = _(
            "Withdraw {title}? An alternate holds no place; #{principal} then needs another alternate, "
            "or its place is cancelled."
        ).format(title=title, principal=nominee.alternate_for)
    else:
        text = _("Withdraw {title}? Its place becomes free again.").format(title=title)
        text += alternates_going(turn, (await queries.record(turn.ports, turn.user, nominee_id)).alternates)
    await show(turn.event, text, keyboards.withdraw_keyboard(nominee.id), edit=False)


def alternates_going(turn: Turn, alternates: Sequence[NomineeInfo], *, done: bool = False) -> str:
    """An alternate (备选) is withdrawn with its nominee (app.nominees.withdraw): said before it
    happens, and (``done``) after."""
    if not alternates:
        return ""
    names = "、".join(labels.esc(labels.nominee_title(turn.campaign, a)) for a in alternates)
    if done:
        return "\n" + _("Its alternate {names} has been withdrawn with it.").format(names=names)
    return "\n" + _("Its alternate {names} is withdrawn with it.").format(names=names)


async def withdraw(message: Message, command: CommandObject, turn: Turn) -> None:
    nominee_id = await nominee_number(
        message, command, _("Please give the nominee's number, e.g. /withdraw 12. /list shows the numbers.")
    )
    if nominee_id is not None:
        await ask_withdraw(turn, nominee_id)


async def withdraw_tap(query: CallbackQuery, callback_data: ItemCb, turn: Turn) -> None:
    await query.answer()
    await ask_withdraw(turn, callback_data.id)


async def withdraw_yes(query: CallbackQuery, callback_data: ItemCb, turn: Turn) -> None:
    await query.answer()
    alternates = (await queries.record(turn.ports, turn.user, callback_data.id)).alternates
    nominee = await nominees.withdraw(turn.ports, turn.user, callback_data.id)
    quota = await queries.unit_quota(turn.ports, turn.user)
    title = labels.esc(labels.nominee_title(turn.campaign, nominee))
    if nominee.alternate_for is not None:
        text = _(
            "{title} has been withdrawn. #{principal} needs another alternate: /status {principal} offers to enter one."
        ).format(title=title, principal=nominee.alternate_for)
    else:
        text = _("{title} has been withdrawn; its place is free again.").format(title=title)
        text += alternates_going(turn, alternates, done=True)
    await show(query, text + "\n\n" + texts.quota_text(turn.campaign, quota))


async def submit(message: Message, turn: Turn) -> None:
    """/submit: closed lists are told so at once; the list is checked before the clerk is asked."""
    await offer_submit(turn, await submission.check(turn.ports, turn.user), edit=False)


async def offer_submit(turn: Turn, gaps: Sequence[Gap], *, edit: bool = True) -> None:
    """What the check found: the gaps to mend first; or the open reserved places with the offer to
    submit giving them up; or, for a complete list, the plain question."""
    if blocking(gaps):
        items, _total = await queries.nominees(turn.ports, turn.user, 0, 200)
        names = {n.id: labels.who(n.answers) for n in items}
        lacking = [(g.nominee, g.name or f"#{g.nominee}") for g in gaps if isinstance(g, AlternateMissing)]
        text = gaps_text(turn.campaign, gaps, names)
        await show(turn.event, text, keyboards.alternates_keyboard(lacking), edit=edit)
        return
    places = given_up(gaps)
    unfinished = drafts_note(turn.campaign, await queries.unit_drafts(turn.ports, turn.user))
    steps = await submission.open_steps(turn.ports, turn.user)
    if steps:
        titled = [(labels.nominee_title(turn.campaign, info), open_) for info, open_ in steps]
        unfinished += submit_warning(turn.campaign, titled) + "\n\n"
    _items, total = await queries.nominees(turn.ports, turn.user, 0, 1)
    if total == 0:  # allowed (可推荐: a unit may nominate none), but said plainly before it is final
        unfinished += _("Your unit has not entered any nominee: submitting now means it nominates no one.") + "\n\n"
    if places:
        markup = keyboards.submit_keyboard(give_up=places_digest(places))
        await show(turn.event, unfinished + give_up_text(turn.campaign, places), markup, edit=edit)
        return
    question = _("Submit your unit's list to the office? Afterwards it is locked; only the office can reopen it.")
    await show(turn.event, unfinished + question, keyboards.submit_keyboard(), edit=edit)


def drafts_note(campaign: Campaign, drafts: Sequence[Draft]) -> str:
    """Before the question to submit: the unit's drafts still being entered (by anyone of the
    unit), which could not be saved once the list is locked — so the clerk may wait for them.
    "" when there are none; else the note and a blank line."""
    if not drafts:
        return ""
    titles = []
    for draft in drafts:
        title = labels.esc(labels.draft_title(campaign, draft))
        if draft.editing is not None:
            title = _("edit of #{id}: {title}").format(id=draft.editing, title=title)
        titles.append(title)
    note = _n(
        "Your unit still has {n} unfinished draft ({drafts}); it cannot be saved once the list is submitted. "
        "If it should be included, please submit after it has been saved.",
        "Your unit still has {n} unfinished drafts ({drafts}); they cannot be saved once the list is submitted. "
        "If they should be included, please submit after they have been saved.",
        len(drafts),
    ).format(n=len(drafts), drafts=_("; ").join(titles))
    return note + "\n\n"


async def submit_answer(query: CallbackQuery, callback_data: SubmitCb, turn: Turn) -> None:
    await query.answer()
    if callback_data.action == "no":
        await show(query, _("Not submitted. You can go on editing."))
        return
    give_up = callback_data.v if callback_data.action == "giveup" else None
    gaps = await submission.submit(turn.ports, turn.user, give_up)
    if gaps:  # the list changed since the question was asked: what stands now
        await offer_submit(turn, gaps)
        return
    text = _("Your unit's list has been submitted to the office and is now locked. Thank you.")
    if give_up is not None:
        places = given_up_lines(turn.campaign, (await queries.unit_state(turn.ports, turn.user)).given_up)
        text += "\n\n" + "\n".join([_("Places given up (the office can see this):"), *places])
    await show(query, text)


def setup() -> Router:
    router = Router(name="manage")
    router.message.register(edit, Command("edit"))
    router.callback_query.register(edit_tap, ItemCb.filter(F.action == "edit"))
    router.message.register(withdraw, Command("withdraw"))
    router.callback_query.register(withdraw_tap, ItemCb.filter(F.action == "withdraw"))
    router.callback_query.register(withdraw_yes, ItemCb.filter(F.action == "withdraw_yes"))
    router.message.register(submit, Command("submit"))
    router.callback_query.register(submit_answer, SubmitCb.filter())
    return router


__all__ = ["setup"]
