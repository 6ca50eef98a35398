"""The database schema (SQLAlchemy 2 declarative). Alembic migrations in storage/migrations must
match it; tests/integration/storage/test_migrations.py checks that autogenerate finds nothing.

Portable between SQLite and PostgreSQL: JSON columns use the generic ``JSON`` type, timestamps
are stored in UTC and always come back timezone-aware, constraint names follow one convention so
batch migrations on SQLite can name them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from datetime import time as clock_time
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out — SQLite keeps no zone and would hand back naive ones."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one (UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


class CampaignRow(Base):
    """A loaded definition. ``version`` grows by one with every changed load."""

    __tablename__ = "campaigns"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    definition: Mapped[str] = mapped_column(Text)  # the TOML text as loaded
    digest: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    loaded_at: Mapped[datetime]


class UnitRow(Base):
    """A recommending unit. Never deleted (nominees refer to it); ``active`` is false once the
    definition no longer lists it. ``submitted_at`` locks its list; ``reopened_at`` records the
    office lifting a lock or a passed deadline."""

    __tablename__ = "units"

    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    submitted_at: Mapped[datetime | None]
    submitted_by: Mapped[int | None] = mapped_column(BigInteger)
    reopened_at: Mapped[datetime | None]
    # the reserved places given up with the last submission (core.refusals.ReservedOpen as dicts)
    given_up: Mapped[list[Any] | None]
    # reopened by the office until this day (the campaign's zone, included): migration 0005
    open_until: Mapped[date | None] = mapped_column(Date)


class UnitQuotaRow(Base):
    """One counter per allocated (unit, award); competitive awards get ``cap = per_unit_max``.
    Claimed with ``UPDATE ... SET used = used + 1 WHERE used < cap``; the CHECK is the last guard."""

    __tablename__ = "unit_quotas"
    __table_args__ = (
        ForeignKeyConstraint(["campaign_id", "unit"], ["units.campaign_id", "units.name"], ondelete="CASCADE"),
        CheckConstraint("used >= 0 AND used <= cap", name="used_within_cap"),
    )

    campaign_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    unit: Mapped[str] = mapped_column(String(200), primary_key=True)
    award: Mapped[str] = mapped_column(String(32), primary_key=True)
    cap: Mapped[int] = mapped_column(Integer)
    used: Mapped[int] = mapped_column(Integer, default=0)


class LimitCounterRow(Base):
    """A campaign-wide counter: an award's total, a division's, or a pool (keys of core.quota.limits)."""

    __tablename__ = "limit_counters"
    __table_args__ = (CheckConstraint("used >= 0 AND used <= cap", name="used_within_cap"),)

    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    cap: Mapped[int] = mapped_column(Integer)
    used: Mapped[int] = mapped_column(Integer, default=0)


class UserRow(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('clerk', 'office')", name="role"),
        CheckConstraint("role = 'office' OR unit IS NOT NULL", name="clerk_has_unit"),
    )

    tg_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    role: Mapped[str] = mapped_column(String(16))
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    unit: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class InviteRow(Base):
    """Only the SHA-256 of the code is kept: a leaked database does not let anyone join."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    unit: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by: Mapped[int | None] = mapped_column(BigInteger)


class NomineeRow(Base):
    """A saved nominee. ``identity`` is the SHA-256 of core.identity.identity_key while the nominee
    is not withdrawn and NULL afterwards, so the plain UNIQUE(campaign, identity) covers exactly the
    live nominees on both databases (NULLs never collide). Hashed so that a constraint-violation
    message (PostgreSQL quotes the key) cannot carry an ID number. ``claims`` lists the counters this
    nominee holds ("unit" and limit keys), so giving them back frees exactly what was taken."""

    __tablename__ = "nominees"
    __table_args__ = (
        ForeignKeyConstraint(["campaign_id", "unit"], ["units.campaign_id", "units.name"]),
        UniqueConstraint("campaign_id", "identity"),
        Index("ix_nominees_unit", "campaign_id", "unit", "award"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(200))
    award: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    answers: Mapped[dict[str, Any]]
    identity: Mapped[str | None] = mapped_column(String(64))
    claims: Mapped[list[Any]]
    alternate_for: Mapped[int | None] = mapped_column(ForeignKey("nominees.id"), index=True)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # the procedure steps recorded (core.checklist): {"<step key>": "<ISO date>"}; migration 0006
    procedure: Mapped[dict[str, Any] | None]


class DraftRow(Base):
    """A half-typed nominee, one per Telegram user, written at every step."""

    __tablename__ = "drafts"

    tg_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    campaign_id: Mapped[str] = mapped_column(String(64))
    award: Mapped[str | None] = mapped_column(String(32))
    answers: Mapped[dict[str, Any]]
    step: Mapped[str | None] = mapped_column(String(64))
    editing: Mapped[int | None] = mapped_column(Integer)
    alternate_for: Mapped[int | None] = mapped_column(Integer)
    in_summary: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime]
    # core.records.Replies as JSON: {"steps": {"<message id>": "<step>"}, "last": id, "shown": step};
    # NULL in drafts stored before it existed (read as no replies)
    replies: Mapped[dict[str, Any] | None]
    version: Mapped[int | None] = mapped_column(Integer)  # of the nominee being edited, when the edit began


class FileRow(Base):
    """An uploaded file, stored once per content hash under settings.files_dir (``path`` is relative)."""

    __tablename__ = "files"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    mime: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(255))
    path: Mapped[str] = mapped_column(String(255))
    uploaded_by: Mapped[int] = mapped_column(BigInteger)
    uploaded_at: Mapped[datetime]


class AuditRow(Base):
    """Append-only (a trigger from the migration refuses UPDATE): who, when, which nominee, old → new."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[int | None] = mapped_column(BigInteger)
    campaign_id: Mapped[str] = mapped_column(String(64), index=True)
    nominee_id: Mapped[int | None] = mapped_column(ForeignKey("nominees.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    changes: Mapped[dict[str, Any]]
    note: Mapped[str | None] = mapped_column(Text)


class ReminderDeliveryRow(Base):
    """A reminder goes out once: the scheduler inserts before sending; the UNIQUE refuses a repeat."""

    __tablename__ = "reminder_deliveries"
    __table_args__ = (UniqueConstraint("campaign_id", "unit", "stage", "kind", "tg_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(200))
    stage: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    tg_id: Mapped[int] = mapped_column(BigInteger)
    sent_at: Mapped[datetime]  # when it was claimed
    # NULL: claimed, not known to be delivered (a crash between claim and send); "sent",
    # "blocked" (403: the user blocked the bot, not retried), "failed" (anything else): 0005
    outcome: Mapped[str | None] = mapped_column(String(16))


class StageDateRow(Base):
    """A stage's date set or moved by the office (``/deadline``, ``deadline set``), laid over the
    definition's dates whenever a definition is read (core.deadlines.with_dates): migration 0005."""

    __tablename__ = "stage_dates"

    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    stage: Mapped[str] = mapped_column(String(32), primary_key=True)
    deadline: Mapped[date] = mapped_column(Date)
    closes_at: Mapped[clock_time | None] = mapped_column(Time)  # NULL: at the day's end
    set_by: Mapped[int | None] = mapped_column(BigInteger)
    set_at: Mapped[datetime]


class FsmRow(Base):
    """aiogram FSM state and data for one storage key (storage/fsm.py)."""

    __tablename__ = "fsm"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]


__all__ = [
    "AuditRow",
    "Base",
    "CampaignRow",
    "DraftRow",
    "FileRow",
    "FsmRow",
    "InviteRow",
    "LimitCounterRow",
    "NomineeRow",
    "ReminderDeliveryRow",
    "StageDateRow",
    "UnitQuotaRow",
    "UnitRow",
    "UserRow",
]
