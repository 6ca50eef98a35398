"""Every refusal and error a use case can answer with, one frozen dataclass per kind.

Three families, each a union the texts render with an exhaustive ``match`` (so mypy fails when a
kind has no wording):

- :data:`Refusal` — why a nominee cannot take a place (the quota engine, eligibility, uniqueness,
  a closed list). Returned as data: a precheck greys out buttons with them, a save reports them.
- :data:`Gap` — why a unit's list is not complete yet (``/submit``).
- :data:`Problem` — why a request cannot be carried out at all (unknown user, a nominee of another
  unit, a locked list, …). Raised as :class:`Rejected`.

Answer-level problems (a mistyped ID number, a text too long) live in :mod:`core.errors`.
Every field is plain data: numbers, keys and names as the definition spells them, never prose.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from core.errors import Ineligible

LimitKind = Literal["award", "division", "pool", "proportion"]


# --------------------------------------------------------------------------- refusals (places)


@dataclass(frozen=True)
class NoAllocation:
    """The unit has no places for this award (its allocation is 0 or absent)."""

    award: str


@dataclass(frozen=True)
class UnitFull:
    """Every place of the unit's allocation for the award is taken."""

    award: str
    cap: int
    used: int


@dataclass(frozen=True)
class OpenReserved:
    """A reserved sub-quota (预留) still needing places: ``count`` of them, its own (nested ones
    are listed apart)."""

    kind: str
    name: str
    name_en: str
    count: int


@dataclass(frozen=True)
class ReservedFull:
    """Adding the nominee would leave too few places for the unmet reserved sub-quotas
    (DOMAIN.md "How quotas should behave": used + still needed must stay within the cap)."""

    award: str
    category: str | None
    cap: int
    used: int
    free: int
    open: tuple[OpenReserved, ...]


@dataclass(frozen=True)
class PerUnitLimit:
    """A competitive award (差额, 奖状: each unit 1–2): the unit already nominated its maximum."""

    award: str
    max: int
    used: int


@dataclass(frozen=True)
class LimitFull:
    """A city-wide counter is exhausted: an award's total, a division's (劳模 95 + 15) or a pool
    (科级 4, 企业负责人 7)."""

    award: str
    limit: str  # the counter's key, e.g. "pool:section_cadre"
    kind: LimitKind
    name: str
    name_en: str
    cap: int
    used: int


@dataclass(frozen=True)
class Duplicate:
    """The same person (ID number) or organisation is already nominated in this campaign."""

    unit: str  # the unit holding the first nomination
    award: str
    nominee: int | None = None  # its number, only when it is the asking clerk's own unit's nominee


@dataclass(frozen=True)
class UnitSubmitted:
    """The unit's list has been handed to the office and is locked."""

    unit: str


@dataclass(frozen=True)
class UnitClosed:
    """The stage's deadline (in the campaign's time zone) has passed and the office has not
    reopened the unit."""

    unit: str
    stage: str
    deadline: date


Closed = UnitSubmitted | UnitClosed
Refusal = NoAllocation | UnitFull | ReservedFull | PerUnitLimit | LimitFull | Ineligible | Duplicate | Closed


@dataclass(frozen=True)
class Decision:
    """The answer to "may it be added?": no refusal means yes."""

    refusals: tuple[Refusal, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.refusals


# --------------------------------------------------------------------------- gaps (completeness)


@dataclass(frozen=True)
class ReservedOpen:
    """A reserved sub-quota not filled: ``needed`` places including nested ones (企业班组 3，其中
    非公 2), ``open`` of them its own."""

    award: str
    kind: str
    name: str
    name_en: str
    needed: int
    open: int


@dataclass(frozen=True)
class AlternateMissing:
    """An enterprise head or 科级 cadre without its alternate (备选) of the required kind
    (郑工办〔2024〕6号: otherwise the place is cancelled)."""

    award: str
    nominee: int
    name: str | None
    category: str | None = None  # the nominee's (企业负责人, 科级领导干部)
    allowed: tuple[str, ...] = ()  # the categories its alternate may have (同类别一线职工)


@dataclass(frozen=True)
class BelowMinimum:
    """A competitive award's per-unit minimum (奖状: 1–2 per unit) not reached."""

    award: str
    min: int
    count: int


@dataclass(frozen=True)
class AnswersMissing:
    """A nominee with required answers still empty (the definition changed after it was saved)."""

    nominee: int
    fields: tuple[str, ...]


Gap = ReservedOpen | AlternateMissing | BelowMinimum | AnswersMissing


def blocking(gaps: Sequence[Gap]) -> list[Gap]:
    """The gaps that keep a list from being submitted. An unfilled reserved sub-quota does not:
    places not used as allocated are given up (张家口: "视为放弃，名额由市评委会另行分配"; 郑工办〔2024〕6号:
    "视为放弃推荐名额") once the clerk confirms it. A missing alternate does: that nominee's place
    would be cancelled."""
    return [g for g in gaps if not isinstance(g, ReservedOpen)]


def given_up(gaps: Sequence[Gap]) -> list[ReservedOpen]:
    """The reserved places a submission now would give up."""
    return [g for g in gaps if isinstance(g, ReservedOpen)]


def places_digest(places: Sequence[ReservedOpen]) -> str:
    """A short fingerprint of the places a clerk was shown: the submission gives up exactly those,
    or asks again (a colleague may have changed the list meanwhile)."""
    blob = "|".join(f"{p.award}:{p.kind}:{p.needed}:{p.open}" for p in places)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


# --------------------------------------------------------------------------- problems (requests)


@dataclass(frozen=True)
class InviteInvalid:
    reason: Literal["unknown", "used", "expired", "malformed"]


@dataclass(frozen=True)
class InviteRole:
    """A clerk's invitation names a unit; an office invitation names none."""

    role: str
    unit: str | None


@dataclass(frozen=True)
class UserUnknown:
    """Not (or no longer) registered for this campaign."""


@dataclass(frozen=True)
class ClerkOnly:
    """Only a unit's clerk may do this."""


@dataclass(frozen=True)
class OfficeOnly:
    """Only the office may do this."""


@dataclass(frozen=True)
class CampaignUnknown:
    campaign: str


@dataclass(frozen=True)
class UnitUnknown:
    """Not (or no longer, after a reload) a unit of the campaign's allocation."""

    unit: str | None


@dataclass(frozen=True)
class AwardUnknown:
    award: str


@dataclass(frozen=True)
class NomineeNotFound:
    """No such nominee in what the user may see (another unit's is "not found" too)."""

    nominee: int


@dataclass(frozen=True)
class NomineeLocked:
    """The nominee's status no longer allows changes (submitted, accepted, …)."""

    status: str


@dataclass(frozen=True)
class NomineeIncomplete:
    fields: tuple[str, ...]


@dataclass(frozen=True)
class NomineeChanged:
    """The nominee changed underneath the request (its award, or lost races in a row)."""

    nominee: int | None


@dataclass(frozen=True)
class Change:
    """One change made to a nominee, as its history records it: when, by whom (the asking clerk,
    another clerk of the unit, the office), what (the audit log's word), which answers (keys
    only: no values, so no ID number)."""

    at: datetime  # aware, UTC
    by: Literal["you", "unit", "office", "unknown"]
    action: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class ChangedMeanwhile:
    """An edit or a withdrawal asked on an older version of the nominee than the stored one:
    saving it would undo what someone did meanwhile (a lost update). ``changes``: oldest first."""

    nominee: int
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class AlternateInvalid:
    """The nominee an alternate is entered for cannot have one now."""

    nominee: int
    reason: Literal["principal_gone", "not_needed", "exists", "category"]


@dataclass(frozen=True)
class FileTooLarge:
    max_bytes: int
    size: int


@dataclass(frozen=True)
class ReviewNoteRequired:
    """Returning a nominee needs the office's reason (退回 with a typed reason)."""


@dataclass(frozen=True)
class ReviewTransition:
    """The office's action does not apply to a nominee of this status."""

    status: str
    action: str


@dataclass(frozen=True)
class ReviewNoPlace:
    """Taking a nominee back into a place-holding status would exceed a cap."""

    refusals: tuple[Refusal, ...]


@dataclass(frozen=True)
class OfficeCommand:
    """A clerk used a command of the office staff (/review, /audit): the office reviews the units'
    lists; a clerk enters and hands in their own unit's."""

    command: str


@dataclass(frozen=True)
class PromoteInvalid:
    """An alternate (备选) cannot take its principal's place now: it is no alternate, its principal
    (the enterprise head or 科级 cadre) is approved or gone, or the alternate itself is not
    handed in (``status``: the status that prevents it)."""

    nominee: int
    reason: Literal["not_alternate", "principal", "alternate"]
    status: str = ""


@dataclass(frozen=True)
class StageUnknown:
    """The campaign has no stage of that key."""

    stage: str


@dataclass(frozen=True)
class DatePassed:
    """A stage's new date (with its hour) is not in the future."""

    day: date


@dataclass(frozen=True)
class CalendarBeyond:
    """A date in a year no working-day calendar knows (chinese-calendar, nor the definition's
    ``[[calendar]]``): refused rather than guessed."""

    year: int


@dataclass(frozen=True)
class StepUnknown:
    """A procedure step the nominee does not go through (any more: its answers or the definition
    changed since the list was shown)."""

    key: str


@dataclass(frozen=True)
class StepDateFuture:
    """A step recorded with a date after today: a step is recorded once it is done (begun, for a
    notice)."""

    day: date


Problem = (
    InviteInvalid
    | InviteRole
    | UserUnknown
    | ClerkOnly
    | OfficeOnly
    | CampaignUnknown
    | UnitUnknown
    | AwardUnknown
    | NomineeNotFound
    | NomineeLocked
    | NomineeIncomplete
    | NomineeChanged
    | ChangedMeanwhile
    | AlternateInvalid
    | FileTooLarge
    | ReviewNoteRequired
    | ReviewTransition
    | ReviewNoPlace
    | OfficeCommand
    | PromoteInvalid
    | StageUnknown
    | DatePassed
    | CalendarBeyond
    | Closed
    | StepUnknown
    | StepDateFuture
)


class Rejected(Exception):
    """A request that cannot be carried out; ``problem`` says why (the texts phrase it)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(type(problem).__name__)
        self.problem = problem

    def __repr__(self) -> str:
        return f"Rejected({self.problem!r})"


__all__ = [
    "AlternateInvalid",
    "AlternateMissing",
    "AnswersMissing",
    "AwardUnknown",
    "BelowMinimum",
    "CalendarBeyond",
    "CampaignUnknown",
    "Change",
    "ChangedMeanwhile",
    "ClerkOnly",
    "Closed",
    "DatePassed",
    "Decision",
    "Duplicate",
    "FileTooLarge",
    "Gap",
    "Ineligible",
    "InviteInvalid",
    "InviteRole",
    "LimitFull",
    "LimitKind",
    "NoAllocation",
    "NomineeChanged",
    "NomineeIncomplete",
    "NomineeLocked",
    "NomineeNotFound",
    "OfficeCommand",
    "OfficeOnly",
    "OpenReserved",
    "PerUnitLimit",
    "Problem",
    "PromoteInvalid",
    "Refusal",
    "Rejected",
    "ReservedFull",
    "ReservedOpen",
    "ReviewNoPlace",
    "ReviewNoteRequired",
    "ReviewTransition",
    "StageUnknown",
    "StepDateFuture",
    "StepUnknown",
    "UnitClosed",
    "UnitFull",
    "UnitSubmitted",
    "UnitUnknown",
    "UserUnknown",
    "blocking",
    "given_up",
    "places_digest",
]
