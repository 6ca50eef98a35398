"""initial schema: campaigns, units and their counters, users, invites, nominees, drafts, files,
the audit log, reminder deliveries and FSM state

Revision ID: 0001
Revises:
Create Date: 2026-11-21

Hand-checked against storage/models.py (the stairway test also compares them). Timestamps are
``timestamp with time zone`` on PostgreSQL; storage.models.UTCDateTime stores UTC on SQLite.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("loaded_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    op.create_table(
        "units",
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("submitted_at", TS, nullable=True),
        sa.Column("submitted_by", sa.BigInteger(), nullable=True),
        sa.Column("reopened_at", TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_units_campaign_id_campaigns"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("campaign_id", "name", name=op.f("pk_units")),
    )
    op.create_table(
        "unit_quotas",
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("award", sa.String(length=32), nullable=False),
        sa.Column("cap", sa.Integer(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.CheckConstraint("used >= 0 AND used <= cap", name=op.f("ck_unit_quotas_used_within_cap")),
        sa.ForeignKeyConstraint(
            ["campaign_id", "unit"],
            ["units.campaign_id", "units.name"],
            name=op.f("fk_unit_quotas_campaign_id_unit_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", "unit", "award", name=op.f("pk_unit_quotas")),
    )
    op.create_table(
        "limit_counters",
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("cap", sa.Integer(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.CheckConstraint("used >= 0 AND used <= cap", name=op.f("ck_limit_counters_used_within_cap")),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_limit_counters_campaign_id_campaigns"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("campaign_id", "key", name=op.f("pk_limit_counters")),
    )
    op.create_table(
        "users",
        sa.Column("tg_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.CheckConstraint("role = 'office' OR unit IS NOT NULL", name=op.f("ck_users_clerk_has_unit")),
        sa.CheckConstraint("role IN ('clerk', 'office')", name=op.f("ck_users_role")),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_users_campaign_id_campaigns"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tg_id", name=op.f("pk_users")),
    )
    op.create_index(op.f("ix_users_campaign_id"), "users", ["campaign_id"], unique=False)
    op.create_table(
        "invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS, nullable=True),
        sa.Column("used_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_invites_campaign_id_campaigns"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invites")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_invites_code_hash")),
    )
    op.create_index(op.f("ix_invites_campaign_id"), "invites", ["campaign_id"], unique=False)
    op.create_table(
        "nominees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("award", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        # sha256 of core.identity.identity_key; NULL once withdrawn, so UNIQUE covers live nominees only
        sa.Column("identity", sa.String(length=64), nullable=True),
        sa.Column("claims", sa.JSON(), nullable=False),
        sa.Column("alternate_for", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["alternate_for"], ["nominees.id"], name=op.f("fk_nominees_alternate_for_nominees")),
        sa.ForeignKeyConstraint(
            ["campaign_id", "unit"], ["units.campaign_id", "units.name"], name=op.f("fk_nominees_campaign_id_unit_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nominees")),
        sa.UniqueConstraint("campaign_id", "identity", name=op.f("uq_nominees_campaign_id_identity")),
    )
    op.create_index(op.f("ix_nominees_alternate_for"), "nominees", ["alternate_for"], unique=False)
    op.create_index("ix_nominees_unit", "nominees", ["campaign_id", "unit", "award"], unique=False)
    op.create_table(
        "drafts",
        sa.Column("tg_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("award", sa.String(length=32), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("step", sa.String(length=64), nullable=True),
        sa.Column("editing", sa.Integer(), nullable=True),
        sa.Column("alternate_for", sa.Integer(), nullable=True),
        sa.Column("in_summary", sa.Boolean(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("tg_id", name=op.f("pk_drafts")),
    )
    op.create_table(
        "files",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("mime", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column("uploaded_by", sa.BigInteger(), nullable=False),
        sa.Column("uploaded_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_files")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.BigInteger(), nullable=True),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("nominee_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["nominee_id"], ["nominees.id"], name=op.f("fk_audit_log_nominee_id_nominees")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_campaign_id"), "audit_log", ["campaign_id"], unique=False)
    op.create_index(op.f("ix_audit_log_nominee_id"), "audit_log", ["nominee_id"], unique=False)
    op.create_table(
        "reminder_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("tg_id", sa.BigInteger(), nullable=False),
        sa.Column("sent_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_deliveries")),
        sa.UniqueConstraint(
            "campaign_id", "unit", "stage", "kind", "tg_id", name=op.f("uq_reminder_deliveries_campaign_id_unit_stage_kind_tg_id")
        ),
    )
    op.create_table(
        "fsm",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=255), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_fsm")),
    )

    # The audit log is append-only: history cannot be rewritten, even by a bug (rows may still be
    # deleted, so personal data can be purged after a campaign).
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
    else:
        op.execute(
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    op.drop_table("fsm")
    op.drop_table("reminder_deliveries")
    op.drop_index(op.f("ix_audit_log_nominee_id"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_campaign_id"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("files")
    op.drop_table("drafts")
    op.drop_index("ix_nominees_unit", table_name="nominees")
    op.drop_index(op.f("ix_nominees_alternate_for"), table_name="nominees")
    op.drop_table("nominees")
    op.drop_index(op.f("ix_invites_campaign_id"), table_name="invites")
    op.drop_table("invites")
    op.drop_index(op.f("ix_users_campaign_id"), table_name="users")
    op.drop_table("users")
    op.drop_table("limit_counters")
    op.drop_table("unit_quotas")
    op.drop_table("units")
    op.drop_table("campaigns")
