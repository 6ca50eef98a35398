"""The use cases behind :class:`core.ports.NomineeService`, one database transaction each.

How places stay exact under any concurrency (DESIGN.md, storage/):

- A place is claimed with one conditional ``UPDATE ... SET used = used + 1 WHERE ... AND used <
  cap`` checked by its row count. On PostgreSQL the updated row stays locked until commit, so
  a second writer of the same counter waits and then re-evaluates ``used < cap`` against the
  committed value; on SQLite every write transaction starts with ``BEGIN IMMEDIATE`` and writers
  run one at a time.
- Every use case that moves counters first locks the row of the unit concerned (``FOR NO KEY
  UPDATE``), so everything the quota engine reads about that unit — its nominees, its submitted
  state — cannot change underneath it; only then does it read the definition's version.
- A campaign reload locks the campaign row and *all* its unit rows, so it waits for the use
  cases in flight and the next ones wait for it (and then see the new version). Nobody else
  locks the campaign row, which would become the hottest row of the database.
- City-wide counters (award totals, divisions, pools) are claimed last, in key order, just
  before commit: the hottest rows are held for the shortest time and never in a cycle.
- Uniqueness of a person or organisation is the ``UNIQUE(campaign_id, identity)`` constraint.

Nothing here logs answers; errors carry codes and parameters for the chat to phrase.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import json
import os
import secrets
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import String, Table, bindparam, case, delete, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from core.campaign import Campaign, Unit
from core.eligibility import evaluate
from core.form import IntakeForm
from core.identity import identity_key
from core.loader import builtin_text, load_builtin, parse
from core.ports import (
    EDITABLE,
    PLACE_HOLDING,
    Draft,
    HistoryEntry,
    NomineeInfo,
    NomineeService,
    ReviewAction,
    Role,
    SaveOutcome,
    ServiceError,
    Status,
    UnitQuota,
    UserInfo,
)
from core.quota import (
    CampaignStanding,
    Decision,
    Gap,
    Limit,
    LimitStatus,
    ListedNominee,
    Refusal,
    UnitAwardStatus,
    campaign_standing,
    check_add,
    check_add_partial,
    limits,
    limits_hit,
    needs_alternate,
    selector_fields,
    unit_gaps,
    unit_status,
    valid_alternate,
)
from storage.campaigns import LoadReport, StoredNominee, blockers, compare
from storage.db import Database, InlineReader, Plain, execute
from storage.memo import MISSING, WriteThrough
from storage.models import (
    AuditRow,
    CampaignRow,
    DraftRow,
    FileRow,
    InviteRow,
    LimitCounterRow,
    NomineeRow,
    ReminderDeliveryRow,
    UnitQuotaRow,
    UnitRow,
    UserRow,
)

UNIT_CLAIM = "unit"  # the claims entry for the unit's (unit, award) counter
INVITE_BYTES = 18  # token_urlsafe(18) is 24 characters: fits a /start deep link (64 max)
MAX_FILE_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download
DRAFT_CACHE_SIZE = 10_000  # drafts kept in memory with cache_drafts (the most recently used)
REVIEW: dict[str, tuple[frozenset[str], Status]] = {
    "accept": (frozenset({"submitted"}), "accepted"),
    "return": (frozenset({"submitted", "accepted"}), "returned"),
    "approve": (frozenset({"accepted"}), "approved"),
    "not_approve": (frozenset({"submitted", "accepted"}), "not_approved"),
    "reopen": (frozenset({"accepted", "approved", "not_approved", "returned"}), "submitted"),
}
REVIEW_ACTION = {
    "accept": "accepted",
    "return": "returned",
    "approve": "approved",
    "not_approve": "not_approved",
    "reopen": "reopened",
}


@dataclass(frozen=True)
class FileInfo:
    ref: str  # the content's SHA-256, what answers store for a photo
    size: int
    mime: str
    filename: str
    path: Path
    uploaded_by: int
    uploaded_at: datetime


@dataclass(frozen=True)
class UnitState:
    campaign_id: str
    name: str
    active: bool
    submitted_at: datetime | None
    reopened_at: datetime | None


@dataclass(frozen=True)
class CampaignInfo:
    id: str
    name: str
    version: int
    digest: str
    loaded_at: datetime


class _Refused(Exception):
    """Internal: roll the transaction back and answer with these refusals."""

    def __init__(self, refusals: Sequence[Refusal]) -> None:
        super().__init__("refused")
        self.refusals = tuple(refusals)


class _Duplicate(Exception):
    """Internal: the identity constraint fired; look up who holds the person after rollback."""

    def __init__(self, identity: str) -> None:
        super().__init__("duplicate")
        self.identity = identity


# Statements of the per-update path, built once (SQLAlchemy then reuses their compiled form).
# Read or written on every chat update: Plain (storage/db.py) on SQLite.
_USER_CONTEXT = Plain(
    select(UserRow.tg_id, UserRow.role, UserRow.campaign_id, UserRow.unit, UserRow.language, CampaignRow.version)
    .outerjoin(CampaignRow, CampaignRow.id == UserRow.campaign_id)
    .where(UserRow.tg_id == bindparam("tg_id"))
)
_DRAFT_COLUMNS = (
    "tg_id",
    "campaign_id",
    "award",
    "answers",
    "step",
    "editing",
    "alternate_for",
    "in_summary",
    "updated_at",
)
_FILE_COLUMNS = ("sha256", "size", "mime", "filename", "path", "uploaded_by", "uploaded_at")
_DROP_DRAFT = Plain(delete(DraftRow).where(DraftRow.tg_id == bindparam("tg_id")))
_LOAD_DRAFT = Plain(
    select(*(DraftRow.__table__.c[c] for c in _DRAFT_COLUMNS)).where(DraftRow.tg_id == bindparam("tg_id"))
)


# The read-only use cases behind the chat's buttons (prechecks, places left): built once too,
# Plain (storage/db.py) in an inline reading on SQLite.
_READING = Plain(
    select(
        UserRow.tg_id,
        UserRow.role,
        UserRow.campaign_id,
        UserRow.unit,
        UserRow.language,
        CampaignRow.version,
        UnitRow.name.label("unit_name"),
        UnitRow.active,
        UnitRow.submitted_at,
        UnitRow.reopened_at,
    )
    .outerjoin(CampaignRow, CampaignRow.id == UserRow.campaign_id)
    .outerjoin(
        UnitRow,
        (UnitRow.campaign_id == UserRow.campaign_id)
        & (UnitRow.name == case((UserRow.role == "clerk", UserRow.unit), else_=bindparam("office_unit", type_=String))),
    )
    .where(UserRow.tg_id == bindparam("tg_id"))
)
_HOLDING = or_(*(NomineeRow.status == status for status in PLACE_HOLDING))  # constants: no IN list to expand
_CAMPAIGN_DEFINITION = Plain(select(CampaignRow.definition).where(CampaignRow.id == bindparam("campaign_id")))
_LIMIT_COUNTS = Plain(
    select(LimitCounterRow.key, LimitCounterRow.used).where(LimitCounterRow.campaign_id == bindparam("campaign_id"))
)
_NOMINEE_CLAIMS = Plain(
    select(
        NomineeRow.campaign_id, NomineeRow.unit, NomineeRow.status, NomineeRow.alternate_for, NomineeRow.claims
    ).where(NomineeRow.id == bindparam("id"))
)

# The save path (one transaction per nominee, this process's write lock held throughout).
_ENTER = (
    select(UserRow, UnitRow)
    .join(UnitRow, (UnitRow.campaign_id == UserRow.campaign_id) & (UnitRow.name == UserRow.unit))
    .where(UserRow.tg_id == bindparam("tg_id"))
    .with_for_update(of=UnitRow, key_share=True)
)
_CAMPAIGN_VERSION = select(CampaignRow.version).where(CampaignRow.id == bindparam("campaign_id"))
_HOLDER = select(NomineeRow.unit, NomineeRow.award).where(
    NomineeRow.campaign_id == bindparam("campaign_id"), NomineeRow.identity == bindparam("identity")
)
_HOLDER_EXCEPT = _HOLDER.where(NomineeRow.id != bindparam("exclude"))
_UNIT_QUOTA_WHERE = (  # b_…: an UPDATE reserves the columns' own names for its SET clause
    UnitQuotaRow.campaign_id == bindparam("b_campaign_id"),
    UnitQuotaRow.unit == bindparam("b_unit"),
    UnitQuotaRow.award == bindparam("b_award"),
)


def _take_one(counter: type[UnitQuotaRow] | type[LimitCounterRow], *where: Any) -> Any:
    """``used = used + 1`` while ``used < cap``: a place is taken only if one is left (rowcount 1)."""
    return (
        update(counter)
        .where(*where, counter.used < counter.cap)
        .values(used=counter.used + 1)
        .execution_options(synchronize_session=False)
    )


_CLAIM_UNIT = _take_one(UnitQuotaRow, *_UNIT_QUOTA_WHERE)
_UNIT_QUOTA = select(UnitQuotaRow.cap, UnitQuotaRow.used).where(*_UNIT_QUOTA_WHERE)
_LIMIT_WHERE = (LimitCounterRow.campaign_id == bindparam("b_campaign_id"), LimitCounterRow.key == bindparam("b_key"))
_TAKE_LIMIT = _take_one(LimitCounterRow, *_LIMIT_WHERE)
_LIMIT = select(LimitCounterRow.cap, LimitCounterRow.used).where(*_LIMIT_WHERE)
_NOMINEES = cast(Table, NomineeRow.__table__)
_INSERT_NOMINEE = insert(_NOMINEES).returning(_NOMINEES.c.id)
_INSERT_AUDIT = insert(cast(Table, AuditRow.__table__))

Reader = AsyncSession | AsyncConnection | InlineReader  # a transaction to read in


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _rowcount(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount)


def _identity_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _json_safe(answers: Mapping[str, Any]) -> dict[str, Any]:
    """A plain JSON copy: what is stored is exactly what will be read back, on both databases."""
    return cast(dict[str, Any], json.loads(json.dumps(dict(answers), ensure_ascii=False)))


def _diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {k: [old.get(k), new.get(k)] for k in sorted(old.keys() | new.keys()) if old.get(k) != new.get(k)}


def entry_deadline(campaign: Campaign) -> tuple[str, date] | None:
    """The first dated stage that closes entry: after that day (campaign time) clerks stop."""
    dated = [(s.deadline, s.key) for s in campaign.stages if s.closes_entry and s.deadline is not None]
    if not dated:
        return None
    deadline, key = min(dated)
    assert deadline is not None
    return key, deadline


class Store:
    """Implements :class:`core.ports.NomineeService` plus the office's and the CLI's use cases.

    ``clock`` returns an aware datetime (tests pin it to a day before a campaign's deadline).
    """

    def __init__(
        self,
        db: Database | AsyncEngine,
        *,
        files_dir: Path | None = None,
        clock: Callable[[], datetime] = _utcnow,
        cache_drafts: bool = False,
    ) -> None:
        self.db = db if isinstance(db, Database) else Database(db)
        self._files_dir = files_dir
        self.clock = clock
        self._campaigns: dict[str, tuple[int, Campaign]] = {}
        # Drafts are written at every step and read at the next: with ``cache_drafts`` (one bot
        # process, the only writer of its users' drafts — not with several instances behind
        # Redis) the last one written or read is kept here, so a step costs one write, no read.
        self._drafts: WriteThrough[int, Draft | None] = WriteThrough(DRAFT_CACHE_SIZE if cache_drafts else 0)
        self._holding_queries: dict[tuple[tuple[str, ...], bool, bool], Plain] = {}
        upsert = (sqlite_insert if self.db.sqlite else pg_insert)(DraftRow)
        self._draft_upsert = Plain(
            upsert.on_conflict_do_update(
                index_elements=["tg_id"], set_={c: upsert.excluded[c] for c in _DRAFT_COLUMNS if c != "tg_id"}
            ),
            keys=_DRAFT_COLUMNS,
        )
        self._file_insert = Plain(
            (sqlite_insert if self.db.sqlite else pg_insert)(FileRow).on_conflict_do_nothing(index_elements=["sha256"]),
            keys=_FILE_COLUMNS,
        )

    @property
    def files_dir(self) -> Path:
        if self._files_dir is None:
            from bot.settings import get_settings

            self._files_dir = get_settings().files_dir
        return self._files_dir

    def _now(self) -> datetime:
        return self.clock().astimezone(UTC)

    # ------------------------------------------------------------------ campaigns

    async def _campaign_in(self, s: AsyncSession, campaign_id: str) -> Campaign:
        """The definition in force (parsed once per stored version). Read it after locking a unit
        row: then a reload cannot change it before this transaction ends."""
        version = (await s.execute(_CAMPAIGN_VERSION, {"campaign_id": campaign_id})).scalar_one_or_none()
        if version is None:
            raise ServiceError("campaign.unknown", campaign=campaign_id)
        return await self._campaign_at(s, campaign_id, version)

    async def _campaign_at(self, s: Reader, campaign_id: str, version: int) -> Campaign:
        """The definition of a version just read: parsed once, then from memory."""
        cached = self._campaigns.get(campaign_id)
        if cached is not None and cached[0] == version:
            return cached[1]
        row = (await execute(s, _CAMPAIGN_DEFINITION, {"campaign_id": campaign_id})).first()
        if row is None:
            raise ServiceError("campaign.unknown", campaign=campaign_id)
        text = row[0]
        campaign = parse(text, f"{campaign_id} (stored v{version})")
        self._campaigns[campaign_id] = (version, campaign)
        return campaign

    async def campaign(self, campaign_id: str) -> Campaign:
        async with self.db.read() as s:
            return await self._campaign_in(s, campaign_id)

    async def user_context(self, tg_id: int) -> tuple[UserInfo, Campaign] | None:
        """Who is writing and the definition in force, in one round trip: what the chat looks up
        on every update (None for a user who has not joined). As exact as get_user + campaign: the
        campaign's version is read each time, the parsed definition is reused while it is current."""
        row = await self.db.first(_USER_CONTEXT, {"tg_id": tg_id})
        if row is None:
            return None
        user = UserInfo(row.tg_id, cast(Role, row.role), row.campaign_id, row.unit, row.language)
        cached = self._campaigns.get(user.campaign_id)
        if row.version is not None and cached is not None and cached[0] == row.version:
            return user, cached[1]
        return user, await self.campaign(user.campaign_id)  # not parsed yet, or gone: says which

    async def campaigns(self) -> list[CampaignInfo]:
        async with self.db.read() as s:
            rows = (await s.execute(select(CampaignRow).order_by(CampaignRow.id))).scalars().all()
            return [CampaignInfo(r.id, r.name, r.version, r.digest, r.loaded_at) for r in rows]

    async def ensure_builtin(self, name: str) -> Campaign:
        """A built-in campaign, loaded on first use; a stored (possibly edited) copy wins."""
        campaign = load_builtin(name)
        async with self.db.read() as s:
            exists = (await s.execute(select(CampaignRow.id).where(CampaignRow.id == campaign.id))).first()
        if exists is None:
            # IntegrityError: another process loaded it at the same moment, from the same text.
            with contextlib.suppress(IntegrityError):
                await self.load_campaign(campaign, text=builtin_text(name))
        return await self.campaign(campaign.id)

    async def load_campaign(self, campaign: Campaign, *, text: str) -> LoadReport:
        """Loads or reloads a definition (idempotent). A changed definition is compared with the
        stored one; changes that would break stored nominees are refused and nothing is written."""
        now = self._now()
        async with self.db.write() as s:
            row = (
                await s.execute(select(CampaignRow).where(CampaignRow.id == campaign.id).with_for_update())
            ).scalar_one_or_none()
            if row is None:
                s.add(
                    CampaignRow(
                        id=campaign.id,
                        name=campaign.name,
                        definition=text,
                        digest=campaign.digest,
                        version=1,
                        loaded_at=now,
                    )
                )
                await s.flush()
                await self._sync_units(s, campaign, [])
                self._campaigns[campaign.id] = (1, campaign)
                return LoadReport(campaign.id, "created", 1)
            if row.digest == campaign.digest:
                return LoadReport(campaign.id, "unchanged", row.version)
            # Wait for every use case holding one of the campaign's units, and keep new ones out.
            await s.execute(select(UnitRow.name).where(UnitRow.campaign_id == campaign.id).with_for_update())
            old = parse(row.definition, f"{campaign.id} (stored v{row.version})")
            changes = tuple(compare(old, campaign))
            live = await self._live_for_load(s, campaign.id)
            stored = [StoredNominee(n.unit, n.award, n.answers, self._holds(n.status, n.alternate_for)) for n in live]
            found = tuple(blockers(old, campaign, stored))
            if found:
                return LoadReport(campaign.id, "refused", row.version, changes, found)
            row.version += 1
            row.definition, row.digest, row.name, row.loaded_at = text, campaign.digest, campaign.name, now
            await self._sync_units(s, campaign, live)
            self._campaigns[campaign.id] = (row.version, campaign)
            return LoadReport(campaign.id, "updated", row.version, changes)

    async def _live_for_load(self, s: AsyncSession, campaign_id: str) -> list[NomineeRow]:
        query = select(NomineeRow).where(NomineeRow.campaign_id == campaign_id, NomineeRow.status != "withdrawn")
        return list((await s.execute(query)).scalars().all())

    async def _sync_units(self, s: AsyncSession, campaign: Campaign, live: Sequence[NomineeRow]) -> None:
        """Units, unit counters and city-wide counters rebuilt from the definition, with ``used``
        recounted from the nominees that hold places (and their ``claims`` rewritten to match)."""
        cid = campaign.id
        existing = {r.name: r for r in (await s.execute(select(UnitRow).where(UnitRow.campaign_id == cid))).scalars()}
        names = {u.name for u in campaign.units}
        for name, unit_row in existing.items():
            unit_row.active = name in names
        for name in names - existing.keys():
            s.add(UnitRow(campaign_id=cid, name=name, active=True))
        await s.flush()

        quota_caps: dict[tuple[str, str], int] = {}
        for unit in campaign.units:
            for award in campaign.awards:
                if award.competitive and award.per_unit_max is not None:
                    quota_caps[(unit.name, award.key)] = award.per_unit_max
                elif award.key in unit.quotas:
                    quota_caps[(unit.name, award.key)] = unit.quotas[award.key].cap
        quota_used: dict[tuple[str, str], int] = dict.fromkeys(quota_caps, 0)
        limit_used = {lim.key: 0 for lim in limits(campaign)}
        for n in live:
            claims: list[str] = []
            if self._holds(n.status, n.alternate_for):
                if (n.unit, n.award) in quota_caps:
                    quota_used[(n.unit, n.award)] += 1
                    claims.append(UNIT_CLAIM)
                for lim in limits_hit(campaign, n.award, n.answers):
                    limit_used[lim.key] += 1
                    claims.append(lim.key)
            if list(n.claims) != claims:
                n.claims = claims
        await s.execute(delete(UnitQuotaRow).where(UnitQuotaRow.campaign_id == cid))
        await s.execute(delete(LimitCounterRow).where(LimitCounterRow.campaign_id == cid))
        s.add_all(
            UnitQuotaRow(campaign_id=cid, unit=u, award=a, cap=cap, used=quota_used[(u, a)])
            for (u, a), cap in sorted(quota_caps.items())
        )
        s.add_all(
            LimitCounterRow(campaign_id=cid, key=lim.key, cap=lim.cap, used=limit_used[lim.key])
            for lim in limits(campaign)
        )
        await s.flush()

    # ------------------------------------------------------------------ users and invites

    async def create_invite(
        self, campaign_id: str, unit: str | None, role: Role, ttl_days: int = 14, *, created_by: int | None = None
    ) -> str:
        """A single-use code for ``/start <code>``; only its SHA-256 is stored."""
        if role not in ("clerk", "office"):
            raise ServiceError("invite.role", role=role)
        if (role == "clerk") != (unit is not None):
            raise ServiceError("invite.role", role=role, unit=unit)
        code = secrets.token_urlsafe(INVITE_BYTES)
        now = self._now()
        async with self.db.write() as s:
            campaign = await self._campaign_in(s, campaign_id)
            if unit is not None:
                await self._unit_row(s, campaign.id, unit)
            s.add(
                InviteRow(
                    code_hash=_identity_hash(code),
                    campaign_id=campaign_id,
                    unit=unit,
                    role=role,
                    created_by=created_by,
                    created_at=now,
                    expires_at=now + timedelta(days=ttl_days),
                )
            )
        return code

    async def join(self, code: str, tg_id: int, language: str) -> UserInfo:
        now = self._now()
        async with self.db.write() as s:
            invite = (
                await s.execute(
                    select(InviteRow).where(InviteRow.code_hash == _identity_hash(code.strip())).with_for_update()
                )
            ).scalar_one_or_none()
            if invite is None:
                raise ServiceError("invite.invalid", reason="unknown")
            if invite.used_at is not None:
                raise ServiceError("invite.invalid", reason="used")
            if invite.expires_at <= now:
                raise ServiceError("invite.invalid", reason="expired")
            campaign = await self._campaign_in(s, invite.campaign_id)
            if invite.unit is not None:
                await self._unit_row(s, campaign.id, invite.unit)
            invite.used_at, invite.used_by = now, tg_id
            user = await s.get(UserRow, tg_id, with_for_update=True)
            if user is None:
                user = UserRow(tg_id=tg_id, created_at=now)
                s.add(user)
            user.role, user.campaign_id, user.unit = invite.role, invite.campaign_id, invite.unit
            user.language, user.updated_at = language, now
            s.add(
                AuditRow(
                    at=now,
                    actor=tg_id,
                    campaign_id=invite.campaign_id,
                    action="joined",
                    changes={"role": [None, invite.role], "unit": [None, invite.unit]},
                )
            )
            return self._user_info(user)

    @staticmethod
    def _user_info(row: UserRow) -> UserInfo:
        return UserInfo(row.tg_id, cast(Role, row.role), row.campaign_id, row.unit, row.language)

    async def get_user(self, tg_id: int) -> UserInfo | None:
        async with self.db.read() as s:
            row = await s.get(UserRow, tg_id)
            return None if row is None else self._user_info(row)

    async def set_language(self, tg_id: int, language: str) -> None:
        """Remembers the language of a registered user; for anyone else there is nothing to keep."""
        async with self.db.write() as s:
            await s.execute(
                update(UserRow).where(UserRow.tg_id == tg_id).values(language=language, updated_at=self._now())
            )

    async def users(self, campaign_id: str, *, unit: str | None = None, role: Role | None = None) -> list[UserInfo]:
        """Who to remind or notify: the users of a campaign, optionally of one unit or role."""
        query = select(UserRow).where(UserRow.campaign_id == campaign_id)
        if unit is not None:
            query = query.where(UserRow.unit == unit)
        if role is not None:
            query = query.where(UserRow.role == role)
        async with self.db.read() as s:
            return [self._user_info(r) for r in (await s.execute(query.order_by(UserRow.tg_id))).scalars()]

    async def _enter(self, s: AsyncSession, user: UserInfo) -> tuple[Campaign, UserInfo, UnitRow]:
        """The first step of a clerk's use case: the clerk as stored now, their unit's row locked
        (one statement), then the definition in force."""
        found = (await s.execute(_ENTER, {"tg_id": user.tg_id})).first()
        if found is None:
            await self._actor(s, user, "clerk")  # says why: unknown user, or not a clerk
            raise ServiceError("unit.unknown", unit=user.unit)
        row, unit_row = found
        actor = self._user_info(row)
        if actor.campaign_id != user.campaign_id:
            raise ServiceError("user.unknown")
        if actor.role != "clerk":
            raise ServiceError("forbidden.clerk_only")
        if not unit_row.active:
            raise ServiceError("unit.unknown", unit=unit_row.name)
        return await self._campaign_in(s, actor.campaign_id), actor, unit_row

    async def _reading(
        self, s: Reader, user: UserInfo, role: Role | None = None, *, office_unit: str | None = None
    ) -> tuple[UserInfo, Campaign, UnitState]:
        """For the read-only use cases of one unit: the user as stored now, the definition in
        force and the unit's state (a clerk's own unit; ``office_unit`` for the office) — one query
        where _actor, _campaign_in and _unit_row took three. Same refusals, in the same order."""
        row = (await execute(s, _READING, {"tg_id": user.tg_id, "office_unit": office_unit})).first()
        if row is None or row.campaign_id != user.campaign_id:
            raise ServiceError("user.unknown")
        actor = UserInfo(row.tg_id, cast(Role, row.role), row.campaign_id, row.unit, row.language)
        if role == "office" and actor.role != "office":
            raise ServiceError("forbidden.office_only")
        if role == "clerk" and (actor.role != "clerk" or actor.unit is None):
            raise ServiceError("forbidden.clerk_only")
        if row.version is None:
            raise ServiceError("campaign.unknown", campaign=actor.campaign_id)
        campaign = await self._campaign_at(s, actor.campaign_id, row.version)
        name = actor.unit if actor.role == "clerk" else office_unit
        if row.unit_name is None or not row.active:
            raise ServiceError("unit.unknown", unit=name)
        return actor, campaign, UnitState(campaign.id, row.unit_name, row.active, row.submitted_at, row.reopened_at)

    async def _actor(self, s: AsyncSession, user: UserInfo, role: Role | None = None) -> UserInfo:
        """The user as stored now (a role or unit may have changed since the chat read it)."""
        row = await s.get(UserRow, user.tg_id)
        if row is None or row.campaign_id != user.campaign_id:
            raise ServiceError("user.unknown")
        fresh = self._user_info(row)
        if role == "office" and fresh.role != "office":
            raise ServiceError("forbidden.office_only")
        if role == "clerk" and (fresh.role != "clerk" or fresh.unit is None):
            raise ServiceError("forbidden.clerk_only")
        return fresh

    # ------------------------------------------------------------------ drafts and files

    async def load_draft(self, tg_id: int) -> Draft | None:
        found = self._drafts.get(tg_id)
        if found is MISSING:
            writes = self._drafts.writes
            row = await self.db.first(_LOAD_DRAFT, {"tg_id": tg_id})
            found = None if row is None else Draft(**row._asdict())
            self._drafts.remember_read(writes, tg_id, found)
        return None if found is None else dataclasses.replace(found, answers=dict(found.answers))

    async def save_draft(self, draft: Draft) -> None:
        """One upsert in its own transaction: the whole draft, so a crash loses nothing."""
        saved = dataclasses.replace(draft, answers=_json_safe(draft.answers), updated_at=self._now())
        with self._drafts.writing(draft.tg_id):
            await self.db.execute_write(self._draft_upsert, {c: getattr(saved, c) for c in _DRAFT_COLUMNS})
        self._drafts.remember(draft.tg_id, saved)

    async def drop_draft(self, tg_id: int) -> None:
        with self._drafts.writing(tg_id):
            await self.db.execute_write(_DROP_DRAFT, {"tg_id": tg_id})
        self._drafts.remember(tg_id, None)

    async def store_file(self, data: bytes, mime: str, filename: str, uploaded_by: int) -> str:
        """Stores the bytes once per content hash under files_dir; returns the hash as reference."""
        if len(data) > MAX_FILE_BYTES:
            raise ServiceError("file.too_large", max=MAX_FILE_BYTES, size=len(data))
        ref = hashlib.sha256(data).hexdigest()
        rel = f"{ref[:2]}/{ref}"
        await asyncio.to_thread(self._write_file, self.files_dir / rel, data)
        values = {
            "sha256": ref,
            "size": len(data),
            "mime": mime[:100],
            "filename": filename[:255],
            "path": rel,
            "uploaded_by": uploaded_by,
            "uploaded_at": self._now(),
        }
        await self.db.execute_write(self._file_insert, values)
        return ref

    @staticmethod
    def _write_file(path: Path, data: bytes) -> None:
        if path.exists() and path.stat().st_size == len(data):
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # A temporary name of its own: two clerks may send the same photo at the same moment.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)  # atomic: a reader never sees half a file
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    async def file(self, ref: str) -> FileInfo | None:
        async with self.db.read() as s:
            row = await s.get(FileRow, ref)
            if row is None:
                return None
            path = self.files_dir / row.path
            return FileInfo(row.sha256, row.size, row.mime, row.filename, path, row.uploaded_by, row.uploaded_at)

    # ------------------------------------------------------------------ units

    async def _unit_row(self, s: AsyncSession, campaign_id: str, unit: str, *, lock: bool = False) -> UnitRow:
        query = select(UnitRow).where(UnitRow.campaign_id == campaign_id, UnitRow.name == unit)
        if lock:
            # Serialises the writers of one unit: its nominees and its submitted state stay as read.
            query = query.with_for_update(key_share=True)
        row = (await s.execute(query)).scalar_one_or_none()
        if row is None or not row.active:
            raise ServiceError("unit.unknown", unit=unit)
        return row

    def _unit_def(self, campaign: Campaign, unit: str) -> Unit:
        try:
            return campaign.unit(unit)
        except KeyError:
            raise ServiceError("unit.unknown", unit=unit) from None

    def _check_open(self, campaign: Campaign, row: UnitRow | UnitState) -> None:
        """Clerks may change a list until it is submitted or its entry deadline has passed."""
        if row.submitted_at is not None:
            raise ServiceError("unit.submitted", unit=row.name)
        closing = entry_deadline(campaign)
        if closing is None:
            return
        stage, deadline = closing
        zone = ZoneInfo(campaign.timezone)
        today = self._now().astimezone(zone).date()
        reopened_after = row.reopened_at is not None and row.reopened_at.astimezone(zone).date() > deadline
        if today > deadline and not reopened_after:
            raise ServiceError("unit.closed", unit=row.name, stage=stage, deadline=deadline.isoformat())

    async def unit_states(self, campaign_id: str) -> list[UnitState]:
        async with self.db.read() as s:
            rows = (await s.execute(select(UnitRow).where(UnitRow.campaign_id == campaign_id))).scalars().all()
            return [UnitState(r.campaign_id, r.name, r.active, r.submitted_at, r.reopened_at) for r in rows]

    # ------------------------------------------------------------------ nominees: saving

    @staticmethod
    def _holds(status: str, alternate_for: int | None) -> bool:
        return status in PLACE_HOLDING and alternate_for is None

    async def save_nominee(
        self,
        user: UserInfo,
        award: str,
        answers: Mapping[str, Any],
        *,
        nominee_id: int | None = None,
        alternate_for: int | None = None,
    ) -> SaveOutcome:
        """Saves a complete nominee (new, or an edit of ``nominee_id``) with its places, or refuses.

        Refusals come back in the outcome (quota, eligibility, duplicate); a list that is closed,
        a missing answer, a bad alternate or a nominee not of this unit raise ServiceError."""
        clean = _json_safe(answers)
        for _attempt in range(3):
            try:
                async with self.db.write() as s:
                    info = await self._save(s, user, award, clean, nominee_id, alternate_for)
                return SaveOutcome(info)
            except _Refused as refused:
                return SaveOutcome(None, refused.refusals)
            except _Duplicate as dup:
                holder = await self._holder(user.campaign_id, dup.identity, nominee_id)
                if holder is not None:
                    return SaveOutcome(None, (Refusal("duplicate", {"unit": holder[0], "award": holder[1]}),))
                # The holder was withdrawn in the meantime: try again.
        raise ServiceError("nominee.conflict")  # pragma: no cover - needs three lost races in a row

    async def _holder(self, campaign_id: str, identity: str, exclude: int | None) -> tuple[str, str] | None:
        async with self.db.read() as s:
            return await self._holder_in(s, campaign_id, identity, exclude)

    @staticmethod
    async def _holder_in(
        s: AsyncSession, campaign_id: str, identity: str, exclude: int | None
    ) -> tuple[str, str] | None:
        params = {"campaign_id": campaign_id, "identity": identity, "exclude": exclude}
        row = (await s.execute(_HOLDER if exclude is None else _HOLDER_EXCEPT, params)).first()
        return None if row is None else (row[0], row[1])

    async def _save(
        self,
        s: AsyncSession,
        user: UserInfo,
        award_key: str,
        answers: dict[str, Any],
        nominee_id: int | None,
        alternate_for: int | None,
    ) -> NomineeInfo:
        campaign, actor, unit_row = await self._enter(s, user)
        assert actor.unit is not None
        try:
            award = campaign.award(award_key)
        except KeyError:
            raise ServiceError("award.unknown", award=award_key) from None
        unit = self._unit_def(campaign, actor.unit)

        current: NomineeRow | None = None
        if nominee_id is not None:
            current = await self._own_nominee(s, actor, nominee_id, lock=True)
            if current.status not in EDITABLE:
                raise ServiceError("nominee.locked", status=current.status)
            if current.award != award_key:
                raise ServiceError("nominee.award_changed", award=current.award)
            if current.status == "saved":
                self._check_open(campaign, unit_row)
            alternate_for = current.alternate_for
        else:
            self._check_open(campaign, unit_row)

        form = IntakeForm(campaign, award_key, alternate=alternate_for is not None)
        missing = form.missing(answers)
        if missing:
            raise ServiceError("nominee.incomplete", fields=missing)
        hard = evaluate(campaign, award_key, answers).hard
        if hard:
            raise _Refused(
                [
                    Refusal(
                        "ineligible",
                        {"award": award_key, "rule": r.key, "message": r.message, "message_en": r.message_en},
                    )
                    for r in hard
                ]
            )
        key = identity_key(award, answers)
        if key is None:
            raise ServiceError("nominee.incomplete", fields=["id_number" if award.kind == "individual" else "org_name"])
        identity = _identity_hash(key)
        holder = await self._holder_in(s, campaign.id, identity, nominee_id)
        if holder is not None:
            raise _Refused([Refusal("duplicate", {"unit": holder[0], "award": holder[1]})])

        wanted: dict[str, Limit] = {}  # the city-wide counters the nominee will hold
        claims: list[str] = []
        if alternate_for is not None:  # an alternate holds no place
            await self._check_alternate(s, campaign, actor, award_key, answers, alternate_for, nominee_id)
        else:
            claims = await self._claim_unit(s, campaign, unit, award_key, answers, current)
            wanted = {lim.key: lim for lim in limits_hit(campaign, award_key, answers)}
            claims += sorted(wanted)

        now = self._now()
        try:
            if current is None:
                # Core statements on this hot path: one round trip each, no unit-of-work bookkeeping.
                values = {
                    "campaign_id": campaign.id,
                    "unit": actor.unit,
                    "award": award_key,
                    "status": "saved",
                    "answers": answers,
                    "identity": identity,
                    "claims": claims,
                    "alternate_for": alternate_for,
                    "created_by": actor.tg_id,
                    "created_at": now,
                    "updated_at": now,
                    "note": None,
                    "version": 1,
                }
                new_id = (await s.execute(_INSERT_NOMINEE, values)).scalar_one()
                info = self._info(NomineeRow(id=new_id, **values))
                changes, action, held = _diff({}, answers), "created", set()
            else:
                changes, action = _diff(current.answers, answers), "edited"
                held = {k for k in current.claims if k != UNIT_CLAIM}
                current.answers, current.identity, current.claims = answers, identity, claims
                current.updated_at, current.version = now, current.version + 1
                await s.flush()
                new_id, info = current.id, self._info(current)
        except IntegrityError as exc:
            if "identity" in str(exc.orig):
                raise _Duplicate(identity) from None
            raise
        audit = {"at": now, "actor": actor.tg_id, "campaign_id": campaign.id, "nominee_id": new_id}
        await s.execute(_INSERT_AUDIT, audit | {"action": action, "changes": changes, "note": None})
        if alternate_for is None:
            # City-wide counters last: the rows every unit contends for are held only until commit.
            await self._move_limits(s, campaign.id, award_key, wanted, held)
        return info

    async def precheck(
        self, user: UserInfo, award: str, partial: Mapping[str, Any], *, exclude: int | None = None
    ) -> Decision:
        """Could a nominee with these answers so far still get a place? The quota engine's answer on
        the current counts (``exclude``: the nominee being edited, whose own place is left out).
        Claims nothing: advisory, for greying out choices; the save decides. A closed list is a
        ``closed`` refusal whose ``code`` is the ServiceError code a save would raise."""
        return (await self.precheck_many(user, award, [partial], exclude=exclude))[0]

    async def precheck_many(
        self,
        user: UserInfo,
        award: str,
        partials: Sequence[Mapping[str, Any]],
        *,
        exclude: int | None = None,
    ) -> list[Decision]:
        """:meth:`precheck` for several alternatives (the category buttons) on one reading of the
        counts: one transaction instead of one per button."""
        async with self.db.reading() as s:
            decisions, _status = await self._prechecks(s, user, award, partials, exclude)
            return decisions

    async def category_view(
        self, user: UserInfo, award: str, partials: Sequence[Mapping[str, Any]]
    ) -> tuple[list[Decision], UnitQuota]:
        """What the category question shows, on one reading: :meth:`precheck_many` for the buttons
        and the unit's standing for this award (as :meth:`unit_quota` has it, without the pools)."""
        async with self.db.reading() as s:
            decisions, status = await self._prechecks(s, user, award, partials, None)
            return decisions, UnitQuota(status[0], (status[1],) if status[1] is not None else (), ())

    async def _prechecks(
        self, s: Reader, user: UserInfo, award: str, partials: Sequence[Mapping[str, Any]], exclude: int | None
    ) -> tuple[list[Decision], tuple[str, UnitAwardStatus | None]]:
        actor, campaign, unit_state = await self._reading(s, user, "clerk")
        assert actor.unit is not None
        try:
            campaign.award(award)
        except KeyError:
            raise ServiceError("award.unknown", award=award) from None
        unit = self._unit_def(campaign, actor.unit)
        current = None
        if exclude is not None:
            current = (await execute(s, _NOMINEE_CLAIMS, {"id": exclude})).first()
            if current is None or current.campaign_id != actor.campaign_id or current.unit != actor.unit:
                raise ServiceError("nominee.not_found", nominee=exclude)
        if current is not None and current.alternate_for is not None:
            return [Decision() for _ in partials], (unit.name, None)  # an alternate takes no place
        others = await self._unit_answers(s, campaign, unit.name, award, exclude)
        status = unit_status(campaign, unit, award, others) if exclude is None else None
        if current is None or current.status == "saved":
            try:
                self._check_open(campaign, unit_state)
            except ServiceError as err:
                closed = Decision((Refusal("closed", {"code": err.code, **err.params}),))
                return [closed for _ in partials], (unit.name, status)
        used = await self._limit_counts(s, campaign.id, [lim.key for lim in limits(campaign, award)])
        for key in current.claims if current is not None else []:
            if key in used:
                used[key] -= 1
        decisions = [check_add_partial(campaign, unit, award, others, used, partial) for partial in partials]
        return decisions, (unit.name, status)

    async def _check_alternate(
        self,
        s: AsyncSession,
        campaign: Campaign,
        actor: UserInfo,
        award_key: str,
        answers: Mapping[str, Any],
        principal_id: int,
        nominee_id: int | None,
    ) -> None:
        principal = await s.get(NomineeRow, principal_id)
        if (
            principal is None
            or principal.campaign_id != campaign.id
            or principal.unit != actor.unit
            or principal.award != award_key
            or principal.alternate_for is not None
            or not self._holds(principal.status, principal.alternate_for)
        ):
            raise ServiceError("alternate.invalid_principal", nominee=principal_id)
        if not needs_alternate(campaign, award_key, principal.answers):
            raise ServiceError("alternate.not_needed", nominee=principal_id)
        if not valid_alternate(campaign, award_key, answers):
            raise ServiceError("alternate.category", nominee=principal_id)
        query = select(NomineeRow.id).where(NomineeRow.alternate_for == principal_id, NomineeRow.status != "withdrawn")
        if nominee_id is not None:
            query = query.where(NomineeRow.id != nominee_id)
        if (await s.execute(query)).first() is not None:
            raise ServiceError("alternate.exists", nominee=principal_id)

    def _holding_query(self, keys: tuple[str, ...], *, one_award: bool, exclude: bool) -> Plain:
        """The unit's place-holding nominees (alternates excluded): their award and the answers to
        ``keys`` only, extracted by the database — the quota engine reads nothing else of another
        nominee, and decoding whole answers (the deeds, …) of a full unit was most of a precheck."""
        cache_key = (keys, one_award, exclude)
        found = self._holding_queries.get(cache_key)
        if found is None:
            query = select(NomineeRow.award, *(NomineeRow.answers[k].label(f"a{i}") for i, k in enumerate(keys)))
            query = query.where(
                NomineeRow.campaign_id == bindparam("campaign_id"),
                NomineeRow.unit == bindparam("unit"),
                _HOLDING,
                NomineeRow.alternate_for.is_(None),
            )
            if one_award:
                query = query.where(NomineeRow.award == bindparam("award"))
            if exclude:
                query = query.where(NomineeRow.id != bindparam("exclude"))
            found = self._holding_queries[cache_key] = Plain(query)
        return found

    async def _unit_holding(
        self, s: Reader, campaign: Campaign, unit: str, award_key: str | None, exclude: int | None = None
    ) -> list[tuple[str, dict[str, Any]]]:
        """(award, selector answers) of the unit's place-holding nominees — of one award or all."""
        awards = [award_key] if award_key is not None else [a.key for a in campaign.awards]
        keys = tuple(dict.fromkeys(k for a in awards for k in selector_fields(campaign, a, None)))
        query = self._holding_query(keys, one_award=award_key is not None, exclude=exclude is not None)
        params = {"campaign_id": campaign.id, "unit": unit, "award": award_key, "exclude": exclude}
        return [(row[0], dict(zip(keys, row[1:], strict=True))) for row in await execute(s, query, params)]

    async def _unit_answers(
        self, s: Reader, campaign: Campaign, unit: str, award_key: str, exclude: int | None
    ) -> list[dict[str, Any]]:
        """What the quota engine needs of the unit's place-holding nominees of one award."""
        return [answers for _award, answers in await self._unit_holding(s, campaign, unit, award_key, exclude)]

    async def _limit_counts(self, s: Reader, campaign_id: str, keys: Iterable[str]) -> dict[str, int]:
        wanted = set(keys)
        rows = await execute(s, _LIMIT_COUNTS, {"campaign_id": campaign_id})
        return {row.key: row.used for row in rows if row.key in wanted}

    async def _claim_unit(
        self,
        s: AsyncSession,
        campaign: Campaign,
        unit: Unit,
        award_key: str,
        answers: Mapping[str, Any],
        current: NomineeRow | None,
    ) -> list[str]:
        """Takes (or, for an edit, keeps) the unit's place and runs the quota engine; refuses with
        the engine's refusals. Returns the claims so far."""
        where = {"b_campaign_id": campaign.id, "b_unit": unit.name, "b_award": award_key}
        claims: list[str] = []
        held = current is not None and UNIT_CLAIM in current.claims
        if held:
            claims.append(UNIT_CLAIM)
        else:
            result = await s.execute(_CLAIM_UNIT, where)
            if _rowcount(result) == 1:
                claims.append(UNIT_CLAIM)
            else:
                quota = (await s.execute(_UNIT_QUOTA, where)).first()
                if quota is not None:
                    raise _Refused([self._unit_refusal(campaign, award_key, quota[0], quota[1])])
                # No counter: the unit has no allocation for this award (or none at all); the engine says which.
        others = await self._unit_answers(s, campaign, unit.name, award_key, current.id if current else None)
        hits = [lim.key for lim in limits(campaign, award_key)]
        used = await self._limit_counts(s, campaign.id, hits)
        if current is not None:
            for key in current.claims:  # the counters include the nominee being edited
                if key in used:
                    used[key] -= 1
        decision = check_add(campaign, unit, award_key, others, used, answers)
        if not decision.ok:
            raise _Refused(decision.refusals)
        return claims

    @staticmethod
    def _unit_refusal(campaign: Campaign, award_key: str, cap: int, used: int) -> Refusal:
        if campaign.award(award_key).competitive:
            return Refusal("per_unit_limit", {"award": award_key, "max": cap, "used": used})
        if cap == 0:
            return Refusal("no_allocation", {"award": award_key})
        return Refusal("unit_full", {"award": award_key, "cap": cap, "used": used})

    async def _move_limits(
        self, s: AsyncSession, campaign_id: str, award_key: str, wanted: Mapping[str, Limit], held: set[str]
    ) -> None:
        """Moves the city-wide counters from the ``held`` keys to the ``wanted`` ones, in key order
        (so two transactions never wait on each other in a cycle); a full counter refuses the save."""
        for key in sorted(held | wanted.keys()):
            if key in held and key not in wanted:
                await self._release_limit(s, campaign_id, key)
            elif key in wanted and key not in held:
                await self._take_limit(s, campaign_id, wanted[key], award_key)

    async def _take_limit(self, s: AsyncSession, campaign_id: str, lim: Limit, award_key: str) -> None:
        where = {"b_campaign_id": campaign_id, "b_key": lim.key}
        result = await s.execute(_TAKE_LIMIT, where)
        if _rowcount(result) == 1:
            return
        counter = (await s.execute(_LIMIT, where)).first()
        if counter is None:
            raise RuntimeError(f"counter {lim.key} missing: reload the campaign")
        raise _Refused(
            [
                Refusal(
                    "limit_full",
                    {
                        "award": award_key,
                        "limit": lim.key,
                        "kind": lim.kind,
                        "name": lim.name,
                        "name_en": lim.name_en,
                        "cap": counter[0],
                        "used": counter[1],
                    },
                )
            ]
        )

    async def _release_limit(self, s: AsyncSession, campaign_id: str, key: str) -> None:
        result = await s.execute(
            update(LimitCounterRow)
            .where(LimitCounterRow.campaign_id == campaign_id, LimitCounterRow.key == key, LimitCounterRow.used > 0)
            .values(used=LimitCounterRow.used - 1)
            .execution_options(synchronize_session=False)
        )
        if _rowcount(result) != 1:
            raise RuntimeError(f"counter {key} would go below zero")

    async def _release(self, s: AsyncSession, row: NomineeRow) -> None:
        """Gives back every counter the nominee holds."""
        for key in sorted(row.claims):
            if key == UNIT_CLAIM:
                result = await s.execute(
                    update(UnitQuotaRow)
                    .where(
                        UnitQuotaRow.campaign_id == row.campaign_id,
                        UnitQuotaRow.unit == row.unit,
                        UnitQuotaRow.award == row.award,
                        UnitQuotaRow.used > 0,
                    )
                    .values(used=UnitQuotaRow.used - 1)
                    .execution_options(synchronize_session=False)
                )
                if _rowcount(result) != 1:
                    raise RuntimeError("unit counter would go below zero")
        for key in sorted(row.claims):
            if key != UNIT_CLAIM:
                await self._release_limit(s, row.campaign_id, key)
        row.claims = []

    async def _reclaim(self, s: AsyncSession, campaign: Campaign, row: NomineeRow) -> None:
        """Takes the places again for a nominee going back to a place-holding status (office action:
        the caps are hard, the completeness of the unit's list is the office's call)."""
        claims: list[str] = []
        where = (
            UnitQuotaRow.campaign_id == campaign.id,
            UnitQuotaRow.unit == row.unit,
            UnitQuotaRow.award == row.award,
        )
        quota = (await s.execute(select(UnitQuotaRow.cap).where(*where))).first()
        if quota is not None:
            result = await s.execute(
                update(UnitQuotaRow)
                .where(*where, UnitQuotaRow.used < UnitQuotaRow.cap)
                .values(used=UnitQuotaRow.used + 1)
                .execution_options(synchronize_session=False)
            )
            if _rowcount(result) != 1:
                current = (await s.execute(select(UnitQuotaRow.cap, UnitQuotaRow.used).where(*where))).one()
                raise _Refused([self._unit_refusal(campaign, row.award, current[0], current[1])])
            claims.append(UNIT_CLAIM)
        wanted = {lim.key: lim for lim in limits_hit(campaign, row.award, row.answers)}
        await self._move_limits(s, campaign.id, row.award, wanted, set())
        row.claims = claims + sorted(wanted)

    # ------------------------------------------------------------------ nominees: other changes

    async def _own_nominee(self, s: AsyncSession, actor: UserInfo, nominee_id: int, *, lock: bool) -> NomineeRow:
        query = select(NomineeRow).where(NomineeRow.id == nominee_id)
        if lock:
            query = query.with_for_update()
        row = (await s.execute(query)).scalar_one_or_none()
        # Another unit's nominee is "not found": its existence is none of this clerk's business.
        if row is None or row.campaign_id != actor.campaign_id or (actor.role == "clerk" and row.unit != actor.unit):
            raise ServiceError("nominee.not_found", nominee=nominee_id)
        return row

    async def withdraw(self, user: UserInfo, nominee_id: int) -> NomineeInfo:
        """Frees every place the nominee took (and withdraws its alternate with it)."""
        async with self.db.write() as s:
            campaign, actor, unit_row = await self._enter(s, user)
            row = await self._own_nominee(s, actor, nominee_id, lock=True)
            if row.status not in EDITABLE:
                raise ServiceError("nominee.locked", status=row.status)
            if row.status == "saved":
                self._check_open(campaign, unit_row)
            alternates = (
                (
                    await s.execute(
                        select(NomineeRow)
                        .where(NomineeRow.alternate_for == row.id, NomineeRow.status != "withdrawn")
                        .with_for_update()
                    )
                )
                .scalars()
                .all()
            )
            now = self._now()
            for target in [row, *alternates]:
                old = target.status
                await self._release(s, target)
                target.status, target.identity, target.updated_at = "withdrawn", None, now
                target.version += 1
                s.add(
                    AuditRow(
                        at=now,
                        actor=actor.tg_id,
                        campaign_id=campaign.id,
                        nominee_id=target.id,
                        action="withdrawn",
                        changes={"status": [old, "withdrawn"]},
                    )
                )
            await s.flush()
            return self._info(row)

    async def submit(self, user: UserInfo) -> list[Gap]:
        """Hands the unit's list to the office: refused with the gaps while it is incomplete, then
        every saved (or returned and corrected) nominee becomes ``submitted`` and is locked."""
        async with self.db.write() as s:
            campaign, actor, unit_row = await self._enter(s, user)
            assert actor.unit is not None
            unit = self._unit_def(campaign, actor.unit)
            rows = (
                (
                    await s.execute(
                        select(NomineeRow)
                        .where(
                            NomineeRow.campaign_id == campaign.id,
                            NomineeRow.unit == actor.unit,
                            NomineeRow.status.in_(PLACE_HOLDING),
                        )
                        .order_by(NomineeRow.id)
                        .with_for_update()
                    )
                )
                .scalars()
                .all()
            )
            pending = [r for r in rows if r.status in EDITABLE]
            returned_only = (
                unit_row.submitted_at is not None and bool(pending) and all(r.status == "returned" for r in pending)
            )
            if not returned_only:
                # A resubmission of returned nominees is what the office asked for, deadline or not.
                self._check_open(campaign, unit_row)
            listed = [
                ListedNominee(
                    r.id,
                    r.award,
                    r.answers,
                    r.alternate_for,
                    tuple(IntakeForm(campaign, r.award, alternate=r.alternate_for is not None).missing(r.answers)),
                )
                for r in rows
            ]
            gaps = unit_gaps(campaign, unit, listed)
            if gaps:
                return gaps
            now = self._now()
            for r in pending:
                s.add(
                    AuditRow(
                        at=now,
                        actor=actor.tg_id,
                        campaign_id=campaign.id,
                        nominee_id=r.id,
                        action="submitted",
                        changes={"status": [r.status, "submitted"]},
                    )
                )
                r.status, r.note, r.updated_at, r.version = "submitted", None, now, r.version + 1
            unit_row.submitted_at, unit_row.submitted_by = now, actor.tg_id
            return []

    async def review(
        self, user: UserInfo, nominee_id: int, action: ReviewAction, note: str | None = None
    ) -> NomineeInfo:
        """The office's decision on one nominee; a nominee leaving the place-holding statuses gives
        its places back, one coming back takes them again."""
        if action not in REVIEW:
            raise ServiceError("review.action", action=action)
        sources, target = REVIEW[action]
        if action == "return" and not (note and note.strip()):
            raise ServiceError("review.note_required")
        try:
            async with self.db.write() as s:
                actor = await self._actor(s, user, "office")
                unit = (await s.execute(select(NomineeRow.unit).where(NomineeRow.id == nominee_id))).scalar()
                if unit is not None:  # the unit's row first, as in every use case moving counters
                    await s.execute(
                        select(UnitRow.name)
                        .where(UnitRow.campaign_id == actor.campaign_id, UnitRow.name == unit)
                        .with_for_update(key_share=True)
                    )
                campaign = await self._campaign_in(s, actor.campaign_id)
                row = await self._own_nominee(s, actor, nominee_id, lock=True)
                if row.status not in sources:
                    raise ServiceError("review.transition", status=row.status, action=action)
                old = row.status
                was = self._holds(row.status, row.alternate_for)
                will = self._holds(target, row.alternate_for)
                if was and not will:
                    await self._release(s, row)
                elif will and not was:
                    await self._reclaim(s, campaign, row)
                now = self._now()
                row.status, row.updated_at, row.version = target, now, row.version + 1
                row.note = note.strip() if note else None
                s.add(
                    AuditRow(
                        at=now,
                        actor=actor.tg_id,
                        campaign_id=campaign.id,
                        nominee_id=row.id,
                        action=REVIEW_ACTION[action],
                        changes={"status": [old, target]},
                        note=row.note,
                    )
                )
                await s.flush()
                return self._info(row)
        except _Refused as refused:
            raise ServiceError("review.no_place", refusals=list(refused.refusals)) from None

    async def reopen(self, user: UserInfo, unit: str) -> int:
        """Office: opens a unit's list again (after a submit or a passed deadline); its submitted
        nominees become editable. Returns how many nominees were reopened."""
        async with self.db.write() as s:
            actor = await self._actor(s, user, "office")
            unit_row = await self._unit_row(s, actor.campaign_id, unit, lock=True)
            campaign = await self._campaign_in(s, actor.campaign_id)
            rows = (
                (
                    await s.execute(
                        select(NomineeRow)
                        .where(
                            NomineeRow.campaign_id == campaign.id,
                            NomineeRow.unit == unit,
                            NomineeRow.status == "submitted",
                        )
                        .with_for_update()
                    )
                )
                .scalars()
                .all()
            )
            now = self._now()
            for r in rows:
                r.status, r.updated_at, r.version = "saved", now, r.version + 1
                s.add(
                    AuditRow(
                        at=now,
                        actor=actor.tg_id,
                        campaign_id=campaign.id,
                        nominee_id=r.id,
                        action="reopened",
                        changes={"status": ["submitted", "saved"]},
                    )
                )
            unit_row.submitted_at, unit_row.submitted_by, unit_row.reopened_at = None, None, now
            s.add(
                AuditRow(
                    at=now,
                    actor=actor.tg_id,
                    campaign_id=campaign.id,
                    action="unit_reopened",
                    changes={},
                    note=unit,
                )
            )
            return len(rows)

    # ------------------------------------------------------------------ reading

    @staticmethod
    def _info(row: NomineeRow) -> NomineeInfo:
        return NomineeInfo(
            id=row.id,
            campaign_id=row.campaign_id,
            unit=row.unit,
            award=row.award,
            status=cast(Status, row.status),
            answers=dict(row.answers),
            alternate_for=row.alternate_for,
            created_by=row.created_by,
            created_at=row.created_at,
            updated_at=row.updated_at,
            note=row.note,
        )

    async def nominees(
        self,
        user: UserInfo,
        offset: int = 0,
        limit: int = 10,
        *,
        unit: str | None = None,
        include_withdrawn: bool = False,
    ) -> tuple[list[NomineeInfo], int]:
        """A clerk sees their unit's nominees; the office sees the campaign's (or ``unit``'s)."""
        async with self.db.read() as s:
            actor = await self._actor(s, user)
            where = [NomineeRow.campaign_id == actor.campaign_id]
            if actor.role == "clerk":
                where.append(NomineeRow.unit == actor.unit)
            elif unit is not None:
                where.append(NomineeRow.unit == unit)
            if not include_withdrawn:
                where.append(NomineeRow.status != "withdrawn")
            total = (await s.execute(select(func.count()).select_from(NomineeRow).where(*where))).scalar_one()
            rows = (
                (await s.execute(select(NomineeRow).where(*where).order_by(NomineeRow.id).offset(offset).limit(limit)))
                .scalars()
                .all()
            )
            return [self._info(r) for r in rows], int(total)

    async def nominee(self, user: UserInfo, nominee_id: int) -> tuple[NomineeInfo, list[HistoryEntry]]:
        async with self.db.read() as s:
            actor = await self._actor(s, user)
            row = await self._own_nominee(s, actor, nominee_id, lock=False)
            audit = (
                (await s.execute(select(AuditRow).where(AuditRow.nominee_id == nominee_id).order_by(AuditRow.id)))
                .scalars()
                .all()
            )
            history = [
                HistoryEntry(
                    at=a.at,
                    actor=a.actor,
                    action=a.action,
                    changes={k: (v[0], v[1]) for k, v in a.changes.items()},
                    note=a.note,
                )
                for a in audit
            ]
            return self._info(row), history

    async def unit_quota(self, user: UserInfo, unit: str | None = None) -> UnitQuota:
        """What is left for the clerk's unit (the office names the unit)."""
        async with self.db.reading() as s:
            _actor, campaign, unit_state = await self._reading(s, user, office_unit=unit)
            name = unit_state.name
            unit_def = self._unit_def(campaign, name)
            holding = await self._unit_holding(s, campaign, name, None)
            awards = tuple(
                unit_status(campaign, unit_def, a.key, [answers for award, answers in holding if award == a.key])
                for a in campaign.awards
            )
            return UnitQuota(name, awards, await self._limit_statuses(s, campaign))

    async def _limit_statuses(self, s: Reader, campaign: Campaign) -> tuple[LimitStatus, ...]:
        all_limits = limits(campaign)
        used = await self._limit_counts(s, campaign.id, [lim.key for lim in all_limits])
        return tuple(LimitStatus(lim, used.get(lim.key, 0)) for lim in all_limits)

    async def standing(self, campaign_id: str) -> CampaignStanding:
        async with self.db.read() as s:
            campaign = await self._campaign_in(s, campaign_id)
            pairs = (
                await s.execute(
                    select(NomineeRow.award, NomineeRow.answers).where(
                        NomineeRow.campaign_id == campaign_id,
                        NomineeRow.status.in_(PLACE_HOLDING),
                        NomineeRow.alternate_for.is_(None),
                    )
                )
            ).all()
            return campaign_standing(campaign, [(a, dict(ans)) for a, ans in pairs])

    async def verify_counters(self, campaign_id: str) -> list[str]:
        """Every counter recounted from the nominees holding places; returns the mismatches (none
        is the invariant the race and kill tests check; an operator can run it any time)."""
        async with self.db.read() as s:
            campaign = await self._campaign_in(s, campaign_id)
            rows = (
                await s.execute(
                    select(NomineeRow.unit, NomineeRow.award, NomineeRow.answers, NomineeRow.claims).where(
                        NomineeRow.campaign_id == campaign_id,
                        NomineeRow.status.in_(PLACE_HOLDING),
                        NomineeRow.alternate_for.is_(None),
                    )
                )
            ).all()
            quotas = (await s.execute(select(UnitQuotaRow).where(UnitQuotaRow.campaign_id == campaign_id))).scalars()
            counters = (
                (await s.execute(select(LimitCounterRow).where(LimitCounterRow.campaign_id == campaign_id)))
                .scalars()
                .all()
            )
            problems: list[str] = []
            for q in quotas:
                mine = [c for u, a, _ans, c in rows if u == q.unit and a == q.award]
                claimed = sum(1 for c in mine if UNIT_CLAIM in c)
                if not q.used == claimed == len(mine):
                    problems.append(
                        f"unit {q.unit}/{q.award}: counter {q.used}, claims {claimed}, nominees {len(mine)}"
                    )
            for counter in counters:
                claimed = sum(1 for *_rest, c in rows if counter.key in c)
                hit = sum(
                    1 for _u, a, ans, _c in rows if any(lim.key == counter.key for lim in limits_hit(campaign, a, ans))
                )
                if not counter.used == claimed == hit:
                    problems.append(f"{counter.key}: counter {counter.used}, claims {claimed}, nominees {hit}")
            return problems

    # ------------------------------------------------------------------ reminders

    async def claim_reminder(self, campaign_id: str, unit: str, stage: str, kind: str, tg_id: int) -> bool:
        """True the first time only: record before sending, so a reminder goes out once."""
        upsert = sqlite_insert if self.db.sqlite else pg_insert
        stmt = (
            upsert(ReminderDeliveryRow)
            .values(campaign_id=campaign_id, unit=unit, stage=stage, kind=kind, tg_id=tg_id, sent_at=self._now())
            .on_conflict_do_nothing()
        )
        async with self.db.write() as s:
            return _rowcount(await s.execute(stmt)) == 1


if TYPE_CHECKING:

    def _implements(store: Store) -> NomineeService:
        return store  # mypy checks here that Store implements the whole protocol


__all__ = ["CampaignInfo", "FileInfo", "LoadReport", "Store", "UnitState", "entry_deadline"]
