"""The plain data that crosses the layers: who is writing, a nominee, its history, a draft, the
places of a unit. No ORM object and no Telegram type is one of these; storage returns them and the
chat renders them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from core.quota import LimitStatus, UnitAwardStatus
from core.refusals import Refusal, ReservedOpen

ID_MAX = 2**31 - 1  # the largest id of a stored row (a 32-bit INTEGER on PostgreSQL); ids start at 1
Role = Literal["clerk", "office"]
Status = Literal["saved", "submitted", "returned", "accepted", "approved", "not_approved", "withdrawn"]
# DOMAIN.md "Status of a nominee": the statuses that hold a place (a draft holds none).
PLACE_HOLDING: frozenset[str] = frozenset({"saved", "submitted", "returned", "accepted", "approved"})
EDITABLE: frozenset[str] = frozenset({"saved", "returned"})
ReviewAction = Literal["accept", "return", "approve", "not_approve", "reopen"]


def is_id(value: int) -> bool:
    """Could ``value`` be the id of a stored row? (Anything else names nothing — and would make
    the database driver fail: SQLite above 2⁶³, PostgreSQL above 2³¹.)"""
    return 1 <= value <= ID_MAX


def holds_place(status: str, alternate_for: int | None) -> bool:
    """An alternate (备选) takes no place of its own (郑工办〔2024〕6号, the alternate rule)."""
    return status in PLACE_HOLDING and alternate_for is None


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
    created_at: datetime  # aware, UTC
    updated_at: datetime
    note: str | None = None  # the office's reason when returned
    version: int = 1  # grows with every change
    # procedure steps recorded (core.checklist): step key → ISO date
    procedure: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime  # aware, UTC: shown in the campaign's time zone
    actor: int | None
    action: str  # created, edited, withdrawn, submitted, returned, accepted, approved, not_approved, reopened
    changes: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)
    note: str | None = None


@dataclass(frozen=True)
class Replies:
    """Which of the clerk's chat messages answered which question of a draft, so that an edited
    message can be matched to its question (Telegram sends an edit as the message again).

    ``steps``: message id → step key, the newest :data:`MAX_REPLIES`; ``last``: the message that
    gave the latest answer, and ``shown``: the draft's step right after it (its next question, or
    ``core.flow.SUMMARY``) — while the draft is still there, that answer may be replaced by
    editing its message."""

    steps: Mapping[int, str] = field(default_factory=dict)
    last: int | None = None
    shown: str | None = None


MAX_REPLIES = 100  # a form has about 25 questions; a few changes each are plenty


@dataclass(frozen=True)
class Draft:
    """A half-typed nominee: survives restarts because it is stored at every step."""

    tg_id: int
    campaign_id: str
    award: str | None = None
    answers: Mapping[str, Any] = field(default_factory=dict)
    step: str | None = None  # the step key being asked, or core.flow.SUMMARY
    editing: int | None = None  # nominee id when editing a saved nominee
    alternate_for: int | None = None
    in_summary: bool = False  # "修改某项": return to the summary after this step
    updated_at: datetime | None = None
    replies: Replies = field(default_factory=Replies)
    version: int | None = None  # editing: the nominee's version the edit began from (a later one refuses the save)


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


@dataclass(frozen=True)
class UnitState:
    campaign_id: str
    name: str
    active: bool
    submitted_at: datetime | None
    reopened_at: datetime | None
    # the reserved places the clerk gave up when submitting (视为放弃), for the office to see
    given_up: tuple[ReservedOpen, ...] = ()
    # reopened by the office until this day (campaign's zone, included); None: no such limit
    open_until: date | None = None


@dataclass(frozen=True)
class CampaignInfo:
    id: str
    name: str
    version: int
    digest: str
    loaded_at: datetime


@dataclass(frozen=True)
class StoredFile:
    ref: str  # the content's SHA-256, what answers store for a photo
    size: int
    mime: str
    filename: str
    uploaded_by: int
    uploaded_at: datetime


__all__ = [
    "EDITABLE",
    "ID_MAX",
    "MAX_REPLIES",
    "PLACE_HOLDING",
    "CampaignInfo",
    "Draft",
    "HistoryEntry",
    "NomineeInfo",
    "Replies",
    "ReviewAction",
    "Role",
    "SaveOutcome",
    "Status",
    "StoredFile",
    "UnitQuota",
    "UnitState",
    "UserInfo",
    "holds_place",
    "is_id",
]
