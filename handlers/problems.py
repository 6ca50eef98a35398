"""Refusals, gaps and request problems (core.refusals) in the reader's words.

Each union is rendered with an exhaustive ``match``: a kind without a text fails mypy
(``assert_never``). No rule is decided here — only wording.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import assert_never

from bot.metrics import QUOTA_REFUSALS
from core.campaign import Campaign
from core.clock import local_time
from core.refusals import (
    AlternateInvalid,
    AlternateMissing,
    AnswersMissing,
    AwardUnknown,
    BelowMinimum,
    CalendarBeyond,
    CampaignUnknown,
    Change,
    ChangedMeanwhile,
    ClerkOnly,
    DatePassed,
    Duplicate,
    FileTooLarge,
    Gap,
    Ineligible,
    InviteInvalid,
    InviteRole,
    LimitFull,
    NoAllocation,
    NomineeChanged,
    NomineeIncomplete,
    NomineeLocked,
    NomineeNotFound,
    OfficeCommand,
    OfficeOnly,
    PerUnitLimit,
    Problem,
    PromoteInvalid,
    Refusal,
    ReservedFull,
    ReservedOpen,
    ReviewNoPlace,
    ReviewNoteRequired,
    ReviewTransition,
    StageUnknown,
    StepDateFuture,
    StepUnknown,
    UnitClosed,
    UnitFull,
    UnitSubmitted,
    UnitUnknown,
    UserUnknown,
    blocking,
    given_up,
)
from handlers.i18n import _, _n, pick
from handlers.labels import action_label, award_name, category_label, esc, field_label, status_label


def collective(campaign: Campaign, award: str) -> bool:
    """Whether ``award`` honours organisations or teams (a Duplicate names an organisation then)."""
    try:
        return campaign.award(award).kind == "collective"
    except KeyError:
        return False


def refusal_text(campaign: Campaign, refusal: Refusal) -> str:
    """Why a nominee cannot take a place, with the numbers that say what is still open."""
    if isinstance(refusal, NoAllocation | UnitFull | PerUnitLimit | ReservedFull):
        QUOTA_REFUSALS.labels(kind=type(refusal).__name__).inc()  # operators watch the quota pressure
    match refusal:
        case NoAllocation(award=award):
            return _("Your unit has no places for {award}.").format(award=award_name(campaign, award))
        case UnitFull(award=award, cap=cap):
            return _("{award}: all {cap} places of your unit are taken.").format(
                award=award_name(campaign, award), cap=cap
            )
        case PerUnitLimit(award=award, max=most, used=used):
            return _(
                "{award} is competitive: each unit may nominate at most {max}, and your unit has nominated {used}."
            ).format(award=award_name(campaign, award), max=most, used=used)
        case ReservedFull():
            open_parts = "、".join(
                _("{name} {count}").format(name=esc(pick(r.name, r.name_en)), count=r.count) for r in refusal.open
            )
            who = (
                esc(category_label(campaign.award(refusal.award), refusal.category))
                if refusal.category
                else _("this nominee")
            )
            return _(
                "{award}: your unit has {cap} places, {used} taken. "
                "Places still reserved: {open}; free places left: {free}. "
                "“{who}” is not in these reserved groups and would need a free place, so it cannot be added now."
            ).format(
                award=award_name(campaign, refusal.award),
                cap=refusal.cap,
                used=refusal.used,
                open=open_parts or "—",
                free=refusal.free,
                who=who,
            )
        case LimitFull(kind="pool" | "proportion"):
            return _(
                "The city-wide pool “{name}” ({cap} places for the whole city) is used up; no more such nominees "
                "can be added."
            ).format(name=esc(pick(refusal.name, refusal.name_en)), cap=refusal.cap)
        case LimitFull():
            return _("{name}: all {cap} places of the whole city are taken.").format(
                name=esc(pick(refusal.name, refusal.name_en)), cap=refusal.cap
            )
        case Duplicate(nominee=int(number), award=award):  # the clerk's own unit: its number, to look it up
            if collective(campaign, award):
                text = _(
                    "This organisation has already been entered by your unit as nominee #{id} in this campaign "
                    "(/status {id} shows it)."
                )
            else:
                text = _(
                    "This person has already been entered by your unit as nominee #{id} in this campaign "
                    "(/status {id} shows it)."
                )
            return text.format(id=number)
        case Duplicate(unit=unit, award=award):
            if collective(campaign, award):
                text = _("This organisation has already been nominated by “{unit}” in this campaign.")
            else:
                text = _("This person has already been nominated by “{unit}” in this campaign.")
            return text.format(unit=esc(unit))
        case Ineligible(message=message, message_en=message_en):
            return _("Not eligible: {message}").format(message=esc(pick(message, message_en)))
        case UnitSubmitted() | UnitClosed():
            return problem_text(refusal, campaign)
        case _:
            assert_never(refusal)


def refusals_text(campaign: Campaign, refusals: Sequence[Refusal]) -> str:
    return "\n".join(f"• {refusal_text(campaign, r)}" for r in refusals)


def gap_text(campaign: Campaign, gap: Gap, names: Mapping[int, str]) -> str:
    """One reason why the unit's list cannot be submitted yet (a bullet line)."""
    match gap:
        case ReservedOpen():
            return _n(
                "• {award}: {needed} place reserved for {name} is not filled.",
                "• {award}: {needed} places reserved for {name} are not filled.",
                gap.needed,
            ).format(award=award_name(campaign, gap.award), needed=gap.needed, name=esc(pick(gap.name, gap.name_en)))
        case AlternateMissing():
            award = campaign.award(gap.award)
            who = esc(gap.name or "?")
            if gap.category:
                who += _(", {category}").format(category=esc(category_label(award, gap.category)))
            kinds = _(" or ").join(esc(category_label(award, c)) for c in gap.allowed)
            return _(
                "• {name} (#{id}) needs an alternate frontline worker of the same kind ({kinds}); "
                "without one its place is cancelled. Enter the alternate, or withdraw the nominee."
            ).format(name=who, id=gap.nominee, kinds=kinds or "—")
        case BelowMinimum():
            return _n(
                "• {award}: at least {min} nomination expected.",
                "• {award}: at least {min} nominations expected.",
                gap.min,
            ).format(award=award_name(campaign, gap.award), min=gap.min)
        case AnswersMissing():
            return _("• #{id} {name}: answers missing.").format(id=gap.nominee, name=esc(names.get(gap.nominee, "")))
        case _:
            assert_never(gap)


def gaps_text(campaign: Campaign, gaps: Sequence[Gap], names: Mapping[int, str]) -> str:
    """What must be mended before the list can be submitted (reserved places that may be given up
    are listed apart: they do not keep the list back)."""
    lines = [_("The list cannot be submitted yet:"), *(gap_text(campaign, g, names) for g in blocking(gaps))]
    places = given_up(gaps)
    if places:
        lines += ["", _("Also still open (these may be given up when submitting):")]
        lines += [gap_text(campaign, g, names) for g in places]
    return "\n".join(lines)


def give_up_text(campaign: Campaign, places: Sequence[ReservedOpen]) -> str:
    """The question before a list with unfilled reserved places is submitted."""
    return "\n".join(
        [
            _("These reserved places of your unit are not filled:"),
            *(gap_text(campaign, g, {}) for g in places),
            "",
            _(
                "If your unit has no eligible candidate for them, you may submit the list as it is. "
                "Under the notice, places not used as allocated are given up; the office will "
                "see which. Afterwards the list is locked; only the office can reopen it."
            ),
            _("Submit the list and give up these places?"),
        ]
    )


def given_up_lines(campaign: Campaign, places: Sequence[ReservedOpen]) -> list[str]:
    """The reserved places a unit gave up, one bullet each (its own places, nested ones apart)."""
    return [
        _n("• {award}: {name}, {count} place", "• {award}: {name}, {count} places", g.open).format(
            award=award_name(campaign, g.award), name=esc(pick(g.name, g.name_en)), count=g.open
        )
        for g in places
    ]


def ask_office(campaign: Campaign | None) -> str:
    """Whom a clerk asks: the office named by the definition, with its contact when one is given."""
    if campaign is None:
        return _("the office")
    if campaign.contact:
        return _("{office} ({contact})").format(office=esc(campaign.office), contact=esc(campaign.contact))
    return esc(campaign.office)


def problem_text(problem: Problem, campaign: Campaign | None = None) -> str:
    """Why a request could not be carried out, and what the reader can do."""
    match problem:
        case InviteInvalid():
            return _(
                "This invitation code is not valid: it may be mistyped, already used or expired. "
                "Please check it or ask the office for a new one."
            )
        case InviteRole(role="office"):
            return _("An office invitation names no unit.")
        case InviteRole():
            return _("A clerk's invitation needs the clerk's unit.")
        case UserUnknown():
            return _("Please join first: send the invitation code.")
        case OfficeOnly():
            return _("Only the office may do this: it concerns every unit. A clerk works on their own unit's list.")
        case ClerkOnly():
            return _("You are not allowed to do this.")
        case CampaignUnknown():
            return _("The campaign you joined is no longer available. Please contact the office.")
        case UnitUnknown():
            return _("Your unit is not (or no longer) part of this campaign's allocation. Please contact the office.")
        case AwardUnknown():
            return _("This award is not (or no longer) part of the campaign. Please send /new to start again.")
        case NomineeNotFound():
            return _("No such nominee in your unit's list.")
        case NomineeLocked(status=status):
            return _("This nominee can no longer be changed (status: {status}).").format(status=status_label(status))
        case NomineeIncomplete():
            return _("Some required answers are missing. Please complete them and confirm again.")
        case NomineeChanged():
            return _("This nominee was changed in the meantime. Please open it again.")
        case ChangedMeanwhile():
            return changed_meanwhile_text(problem, campaign)
        case AlternateInvalid(reason="principal_gone"):
            return _("The nominee this alternate was for is no longer in the list; the alternate was not saved.")
        case AlternateInvalid(reason="not_needed"):
            return _("This nominee does not need an alternate.")
        case AlternateInvalid(reason="exists"):
            return _("This nominee already has an alternate.")
        case AlternateInvalid():
            return _("An alternate must be a frontline worker of the same kind.")
        case FileTooLarge(max_bytes=max_bytes):
            return _("The file is too large (at most {max_mb} MB).").format(max_mb=max_bytes // (1024 * 1024))
        case ReviewNoteRequired():
            return _("Please give the reason for returning the nominee; the clerk will read it.")
        case ReviewTransition(status=status):
            return _("This cannot be done to a nominee whose status is “{status}”.").format(status=status_label(status))
        case ReviewNoPlace(refusals=refusals):
            reasons = refusals_text(campaign, refusals) if campaign is not None else ""
            return "\n".join([_("There is no place left to take the nominee back:"), reasons]).strip()
        case OfficeCommand(command=command):
            return _(
                "/{command} is for the office staff, who review the units' lists; a clerk enters and hands in "
                "the unit's own nominees. /help lists your commands."
            ).format(command=esc(command))
        case PromoteInvalid(reason="not_alternate", nominee=nominee):
            return _("Nominee #{id} is not an alternate: only an alternate can take a place.").format(id=nominee)
        case PromoteInvalid(reason="principal", nominee=nominee, status=status):
            return _(
                "The alternate stands in only for an enterprise head or section-level cadre who is not approved; "
                "#{id} is “{status}”."
            ).format(id=nominee, status=status_label(status))
        case PromoteInvalid(status=status):
            return _(
                "Only an alternate handed in to the office (submitted or passed initial review) can take the place; "
                "this one is “{status}”."
            ).format(status=status_label(status))
        case StageUnknown(stage=stage):
            return _("The campaign has no stage “{stage}”.").format(stage=esc(stage))
        case DatePassed(day=day):
            return _("{date} has already passed; please give a date in the future.").format(date=day.isoformat())
        case CalendarBeyond(year=year):
            return _(
                "The official holidays of {year} are not known yet (neither the working-day calendar nor the "
                "campaign definition has them), so a date in {year} cannot be set. Add the year's holidays and "
                "make-up working days to the definition ([[calendar]]) and load it again."
            ).format(year=year)
        case StepUnknown(key=key):
            step = next((s for s in campaign.steps if s.key == key), None) if campaign is not None else None
            return _(
                "This nominee does not go through the step “{step}” (any more); please open the card again."
            ).format(step=esc(key if step is None else pick(step.name, step.name_en)))
        case StepDateFuture(day=day):
            return _(
                "{date} is still to come: a step is recorded once it is done (a notice once it has begun)."
            ).format(date=day.isoformat())
        case UnitSubmitted():
            return _(
                "Your unit's list has been submitted and is locked; nothing can be entered or changed. "
                "Only the office can reopen it: please contact {office}."
            ).format(office=ask_office(campaign))
        case UnitClosed(deadline=deadline):
            return _(
                "Entry closed on {date}: your unit's list can no longer be entered or changed. "
                "Only the office can reopen it: please contact {office}."
            ).format(date=deadline.isoformat(), office=ask_office(campaign))
        case _:
            assert_never(problem)


def changed_meanwhile_text(problem: ChangedMeanwhile, campaign: Campaign | None) -> str:
    """Not saved, because someone changed the nominee after this edit began: who, when, which
    answers (never their values), and that reopening shows the record as it is now."""
    lines = [
        _(
            "<b>Not saved.</b> Nominee #{id} was changed by someone else after you opened it; saving your version "
            "would undo that change:"
        ).format(id=problem.nominee)
    ]
    lines += [f"• {change_line(change, campaign)}" for change in problem.changes]
    lines.append(_("Please open the nominee again as it is now and make your change once more."))
    return "\n".join(lines)


def change_line(change: Change, campaign: Campaign | None) -> str:
    who = {
        "you": _("you"),
        "unit": _("another clerk of your unit"),
        "office": _("the office"),
        "unknown": _("someone"),
    }[change.by]
    at = local_time(change.at, campaign) if campaign is not None else change.at
    line = _("{at}, {who}: {action}").format(
        at=f"{at:%Y-%m-%d %H:%M}", who=who, action=esc(action_label(change.action))
    )
    if change.fields:
        labels = "、".join(esc(answer_label(campaign, key)) for key in change.fields)
        line = _("{change} ({fields})").format(change=line, fields=labels)
    return line


def answer_label(campaign: Campaign | None, key: str) -> str:
    """The question's label for an answer's key (the key itself when the definition has no such field)."""
    if key == "category":
        return _("Person category")
    if campaign is not None and key in campaign.fields:
        return field_label(campaign.fields[key])
    return key


__all__ = [
    "ask_office",
    "gap_text",
    "gaps_text",
    "give_up_text",
    "given_up_lines",
    "problem_text",
    "refusal_text",
    "refusals_text",
]
