"""What the chat (and the CLI, and later the Excel import) need from persistence.

Plain data objects in, plain data objects out: no ORM object, no Telegram type crosses this line.
`storage.service.Store` implements :class:`NomineeService`; every method is one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from core.campaign import Campaign
from core.quota import CampaignStanding, Decision, Gap, LimitStatus, Refusal, UnitAwardStatus

Role = Literal["clerk", "office"]
Status = Literal["saved", "submitted", "returned", "accepted", "approved", "not_approved", "withdrawn"]
# Statuses that hold a place (DOMAIN.md "Status of a nominee"); drafts live apart, in Draft.
PLACE_HOLDING: frozenset[str] = frozenset({"saved", "submitted", "returned", "accepted", "approved"})
EDITABLE: frozenset[str] = frozenset({"saved", "returned"})
ReviewAction = Literal["accept", "return", "approve", "not_approve", "reopen"]


class ServiceError(Exception):
    """A refusal the user must be told about; ``code`` is translated by the chat."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class UserInfo:
    tg_id: int
    role: Role
    campaign_id: str
    unit: str | None  # None for office users
    language: str


@dataclass(frozen=True)
class NomineeInfo:
    id: int
    campaign_id: str
    unit: str
    award: str
    status: Status
    answers: Mapping[str, Any]
    alternate_for: int | None
    created_by: int
    created_at: datetime
    updated_at: datetime
    note: str | None = None  # the office's reason when returned


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: int | None
    action: str  # created, edited, withdrawn, submitted, returned, accepted, approved, not_approved, reopened
    changes: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)
    note: str | None = None


@dataclass(frozen=True)
class Draft:
    """A half-typed nominee: survives restarts because it is stored at every step."""

    tg_id: int
    campaign_id: str
    award: str | None = None
    answers: Mapping[str, Any] = field(default_factory=dict)
    step: str | None = None  # the step key being asked
    editing: int | None = None  # nominee id when editing a saved nominee
    alternate_for: int | None = None
    in_summary: bool = False  # "修改某项": return to the summary after this step
    updated_at: datetime | None = None


@dataclass(frozen=True)
class SaveOutcome:
    nominee: NomineeInfo | None
    refusals: tuple[Refusal, ...] = ()

    @property
    def ok(self) -> bool:
        return self.nominee is not None


@dataclass(frozen=True)
class UnitQuota:
    unit: str
    awards: tuple[UnitAwardStatus, ...]
    pools: tuple[LimitStatus, ...]  # city-wide limits touching this campaign (pools, divisions, totals)


class NomineeService(Protocol):
    async def campaign(self, campaign_id: str) -> Campaign: ...

    async def get_user(self, tg_id: int) -> UserInfo | None: ...
    async def user_context(self, tg_id: int) -> tuple[UserInfo, Campaign] | None: ...  # get_user + campaign
    async def join(self, code: str, tg_id: int, language: str) -> UserInfo: ...  # ServiceError("invite.invalid")
    async def set_language(self, tg_id: int, language: str) -> None: ...

    async def load_draft(self, tg_id: int) -> Draft | None: ...
    async def save_draft(self, draft: Draft) -> None: ...
    async def drop_draft(self, tg_id: int) -> None: ...
    async def store_file(self, data: bytes, mime: str, filename: str, uploaded_by: int) -> str: ...

    async def save_nominee(
        self,
        user: UserInfo,
        award: str,
        answers: Mapping[str, Any],
        *,
        nominee_id: int | None = None,
        alternate_for: int | None = None,
    ) -> SaveOutcome: ...
    async def precheck(
        self, user: UserInfo, award: str, partial: Mapping[str, Any], *, exclude: int | None = None
    ) -> Decision: ...  # core.quota.check_add_partial on the current counts; claims nothing
    async def precheck_many(
        self, user: UserInfo, award: str, partials: Sequence[Mapping[str, Any]], *, exclude: int | None = None
    ) -> list[Decision]: ...  # precheck for several alternatives on one reading of the counts
    async def category_view(
        self, user: UserInfo, award: str, partials: Sequence[Mapping[str, Any]]
    ) -> tuple[list[Decision], UnitQuota]: ...  # precheck_many and the unit's places for the award
    async def withdraw(self, user: UserInfo, nominee_id: int) -> NomineeInfo: ...
    async def nominees(self, user: UserInfo, offset: int = 0, limit: int = 10) -> tuple[list[NomineeInfo], int]: ...
    async def nominee(self, user: UserInfo, nominee_id: int) -> tuple[NomineeInfo, list[HistoryEntry]]: ...
    async def unit_quota(self, user: UserInfo) -> UnitQuota: ...
    async def submit(self, user: UserInfo) -> list[Gap]: ...  # empty list: submitted and locked

    async def review(
        self, user: UserInfo, nominee_id: int, action: ReviewAction, note: str | None = None
    ) -> NomineeInfo: ...
    async def standing(self, campaign_id: str) -> CampaignStanding: ...


__all__ = [
    "EDITABLE",
    "PLACE_HOLDING",
    "Draft",
    "HistoryEntry",
    "NomineeInfo",
    "NomineeService",
    "Refusal",
    "SaveOutcome",
    "ServiceError",
    "UnitQuota",
    "UserInfo",
]
