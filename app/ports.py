"""What the use cases need from the world, as narrow Protocols.

- :class:`Transactions` opens a :class:`UnitOfWork`: one database transaction, repositories
  bound to it, and one ``commit()`` at the end of a use case (leaving without it rolls back).
- :class:`Drafts` and :class:`Files` are atomic on their own (one statement, one file); a use
  case that must remove a draft together with its own writes does it through ``tx.drafts``.
- :data:`Clock` is "now" as an aware datetime; local dates come from the campaign's time zone
  (:mod:`core.clock`).

Repositories return plain data (:mod:`core.records`), never ORM objects. Storage implements these
(``storage/``); the unit tests use in-memory fakes (``tests/fakes.py``).

Lock order, which every use case that moves counters follows (it keeps PostgreSQL free of
deadlocks and SQLite's single writer short): the unit's row first (:meth:`Users.enter` or
:meth:`Units.get` with ``lock``), then the definition in force, then nominee rows, then the unit's
counter, and the city-wide counters last, in key order.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from core.campaign import Campaign
from core.deadlines import StageDate
from core.records import CampaignInfo, Draft, HistoryEntry, NomineeInfo, Role, StoredFile, UnitState, UserInfo
from core.refusals import ReservedOpen

Clock = Callable[[], datetime]  # aware datetimes; tests pass a settable one
P = ParamSpec("P")
T = TypeVar("T")


class IdentityTaken(Exception):
    """The person or organisation became someone's nominee at the same moment (the unique
    identity constraint fired); the transaction is lost."""


class AlreadyExists(Exception):
    """A row with this key was created at the same moment by someone else."""


# --------------------------------------------------------------------------- records of the ports


@dataclass(frozen=True)
class NomineeRecord:
    """A nominee with what storage keeps beside it: its identity hash and the counters it holds
    (``"unit"`` and limit keys), so giving them back frees exactly what was taken."""

    info: NomineeInfo
    identity: str | None
    claims: tuple[str, ...]


@dataclass(frozen=True)
class Reading:
    """Who is writing, as stored now, with the campaign's version and a unit's state (the clerk's
    own, or the one the office asked for) — one lookup for the read-only use cases."""

    user: UserInfo
    version: int | None  # None: the campaign is gone
    unit: UnitState | None


@dataclass(frozen=True)
class StoredCampaign:
    info: CampaignInfo
    definition: str  # the TOML text as loaded


@dataclass(frozen=True)
class Invite:
    code_hash: str
    campaign_id: str
    unit: str | None
    role: Role
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: int | None
    campaign_id: str
    action: str
    nominee_id: int | None = None
    changes: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    note: str | None = None


@dataclass(frozen=True)
class Counter:
    """A place counter: a unit's for one award (``key`` is the award) or a city-wide limit."""

    key: str
    cap: int
    used: int
    unit: str | None = None


# --------------------------------------------------------------------------- repositories


class Users(Protocol):
    async def get(self, tg_id: int, *, lock: bool = False) -> UserInfo | None: ...
    async def reading(self, tg_id: int, office_unit: str | None = None) -> Reading | None: ...
    async def enter(self, tg_id: int) -> tuple[UserInfo, UnitState] | None:
        """A clerk with their unit's row locked (the first step of every clerk's change)."""
        ...

    async def put(self, user: UserInfo, now: datetime) -> None: ...
    async def set_language(self, tg_id: int, language: str, now: datetime) -> None: ...
    async def of_campaign(self, campaign_id: str, unit: str | None, role: Role | None) -> list[UserInfo]: ...


class Units(Protocol):
    async def get(self, campaign_id: str, name: str, *, lock: bool = False) -> UnitState | None: ...
    async def all(self, campaign_id: str, *, lock: bool = False) -> list[UnitState]: ...
    async def activate(self, campaign_id: str, names: Sequence[str]) -> None:
        """Exactly ``names`` are active afterwards (missing ones added); the rest stay, inactive."""
        ...

    async def set_submitted(
        self,
        campaign_id: str,
        name: str,
        at: datetime | None,
        by: int | None,
        given_up: Sequence[ReservedOpen] = (),
    ) -> None:
        """Locks (``at``) or unlocks (None) the unit's list; ``given_up``: the reserved places the
        submission gives up (kept until the next submission or reopening)."""
        ...

    async def set_reopened(self, campaign_id: str, name: str, at: datetime, until: date | None = None) -> None:
        """Records the office reopening the unit at ``at``, until the day ``until`` (None: no end)."""
        ...


class Campaigns(Protocol):
    async def version(self, campaign_id: str) -> int | None: ...
    async def definition(self, campaign_id: str, version: int) -> Campaign | None:
        """The definition of a version just read (parsed once per version, then remembered)."""
        ...

    async def stored(self, campaign_id: str, *, lock: bool = False) -> StoredCampaign | None: ...
    async def put(self, campaign: Campaign, text: str, version: int, now: datetime) -> None: ...
    async def all(self) -> list[CampaignInfo]: ...
    async def dates(self, campaign_id: str) -> list[StageDate]: ...
    async def set_date(self, campaign_id: str, date: StageDate, by: int | None, at: datetime) -> None:
        """Stores the office's date of a stage (replacing an earlier one) and raises the campaign's
        version, so every process reads the definition again with the new date laid over it."""
        ...


class Nominees(Protocol):
    async def get(self, nominee_id: int, *, lock: bool = False) -> NomineeRecord | None: ...
    async def holder(self, campaign_id: str, identity: str, exclude: int | None) -> tuple[str, str, int] | None:
        """(unit, award, id) of the live nominee with this identity."""
        ...

    async def holding_answers(
        self, campaign_id: str, unit: str, award: str | None, keys: Sequence[str], exclude: int | None
    ) -> list[tuple[str, dict[str, Any]]]:
        """(award, the answers to ``keys``) of the unit's place-holding principals (of one award or all)."""
        ...

    async def add(self, info: NomineeInfo, identity: str, claims: Sequence[str]) -> int:
        """Raises IdentityTaken."""
        ...

    async def update(self, nominee_id: int, **values: Any) -> None:
        """Sets columns: status, answers, identity, claims, note, updated_at, version.
        Raises IdentityTaken."""
        ...

    async def of_unit(
        self, campaign_id: str, unit: str, statuses: frozenset[str], *, lock: bool = False
    ) -> list[NomineeRecord]: ...
    async def alternates_of(
        self, principal_id: int, *, exclude: int | None = None, lock: bool = False
    ) -> list[NomineeRecord]:
        """The principal's alternates that are not withdrawn."""
        ...

    async def page(
        self, campaign_id: str, unit: str | None, offset: int, limit: int, *, include_withdrawn: bool
    ) -> tuple[list[NomineeInfo], int]: ...
    async def live(self, campaign_id: str) -> list[NomineeRecord]:
        """Every nominee of the campaign that is not withdrawn."""
        ...

    async def unit_of(self, nominee_id: int) -> str | None: ...


class Counters(Protocol):
    async def take_unit(self, campaign_id: str, unit: str, award: str) -> bool:
        """``used + 1`` while ``used < cap``; False when full or absent."""
        ...

    async def unit(self, campaign_id: str, unit: str, award: str) -> Counter | None: ...
    async def release_unit(self, campaign_id: str, unit: str, award: str) -> None: ...
    async def take_limit(self, campaign_id: str, key: str) -> bool: ...
    async def limit(self, campaign_id: str, key: str) -> Counter | None: ...
    async def release_limit(self, campaign_id: str, key: str) -> None: ...
    async def limit_counts(self, campaign_id: str) -> dict[str, int]: ...
    async def all(self, campaign_id: str) -> tuple[list[Counter], list[Counter]]:
        """(the units' counters, the city-wide ones)."""
        ...

    async def replace(self, campaign_id: str, units: Sequence[Counter], limits: Sequence[Counter]) -> None: ...


class Audit(Protocol):
    async def add(self, entry: AuditEntry) -> None: ...
    async def history(self, nominee_id: int) -> list[HistoryEntry]: ...


class Invites(Protocol):
    async def add(self, invite: Invite, created_by: int | None, created_at: datetime) -> None: ...
    async def get(self, code_hash: str, *, lock: bool = False) -> Invite | None: ...
    async def use(self, code_hash: str, at: datetime, by: int) -> None: ...


@dataclass(frozen=True)
class Delivery:
    """One reminder to one chat: ``outcome`` None while claimed and not known to be delivered
    (a crash between claim and send), else "sent", "blocked" (403) or "failed"."""

    unit: str
    tg_id: int
    outcome: str | None


class Reminders(Protocol):
    async def claim(self, campaign_id: str, unit: str, stage: str, kind: str, tg_id: int, at: datetime) -> bool:
        """True the first time only."""
        ...

    async def claimed(self, campaign_id: str, stage: str, kind: str) -> set[int]:
        """The chats that already have (a claim on) this reminder."""
        ...

    async def settle(self, campaign_id: str, stage: str, kind: str, tg_id: int, outcome: str) -> None: ...
    async def deliveries(self, campaign_id: str, stage: str, kind: str) -> list[Delivery]: ...


class DraftRows(Protocol):
    """The drafts inside a transaction: a draft removed here goes with what the use case
    commits, or stays with what it rolls back."""

    async def drop(self, tg_id: int) -> None: ...

    async def of_unit(self, campaign_id: str, unit: str) -> list[Draft]:
        """The unfinished drafts (an award chosen) of the unit's clerks in the campaign, oldest
        change first."""
        ...


class UnitOfWork(Protocol):
    users: Users
    units: Units
    campaigns: Campaigns
    nominees: Nominees
    counters: Counters
    audit: Audit
    invites: Invites
    reminders: Reminders

    @property
    def drafts(self) -> DraftRows: ...

    async def commit(self) -> None: ...


class Transactions(Protocol):
    async def run(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """Awaits ``fn(*args, **kwargs)``, a whole use case, where its transactions are cheapest
        (on an SQLite file: in the database's own thread, in one hop). See :func:`usecase`."""
        ...

    def read(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """A consistent snapshot to read in; nothing it does is kept."""
        ...

    def write(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """A write transaction (SQLite: the database's write lock from its first statement);
        what the use case did is kept only if it called ``commit()``."""
        ...


class Drafts(Protocol):
    async def load(self, tg_id: int) -> Draft | None: ...
    async def save(self, draft: Draft) -> None: ...
    async def drop(self, tg_id: int) -> None: ...


class Files(Protocol):
    async def put(self, data: bytes, mime: str, filename: str, uploaded_by: int, at: datetime) -> str:
        """Stores the bytes once per content (SHA-256, the returned reference)."""
        ...

    async def get(self, ref: str) -> StoredFile | None: ...
    async def read(self, ref: str) -> bytes | None: ...


@dataclass(frozen=True)
class Ports:
    """Everything a use case runs over; built once by the composition root (``bot/``)."""

    db: Transactions
    drafts: Drafts
    files: Files
    clock: Clock


def usecase(fn: Callable[Concatenate[Ports, P], Awaitable[T]]) -> Callable[Concatenate[Ports, P], Awaitable[T]]:
    """Marks a use case: called as usual, it runs through ``ports.db.run`` — as a whole, where its
    transactions are cheapest. A use case calling another runs it in place."""

    @functools.wraps(fn)
    async def run(ports: Ports, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await ports.db.run(fn, ports, *args, **kwargs)

    return run


__all__ = [
    "AlreadyExists",
    "Audit",
    "AuditEntry",
    "Campaigns",
    "Clock",
    "Counter",
    "Counters",
    "Delivery",
    "DraftRows",
    "Drafts",
    "Files",
    "IdentityTaken",
    "Invite",
    "Invites",
    "NomineeRecord",
    "Nominees",
    "Ports",
    "Reading",
    "Reminders",
    "StoredCampaign",
    "Transactions",
    "UnitOfWork",
    "Units",
    "Users",
    "usecase",
]
