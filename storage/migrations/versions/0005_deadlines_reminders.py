"""Deadlines and reminders (issue 11): stage_dates (the dates the office sets or moves, laid over
the definition's), units.open_until (a unit reopened until a day), reminder_deliveries.outcome
(sent, blocked, failed; NULL while claimed and not known to be delivered)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stage_dates",
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("closes_at", sa.Time(), nullable=True),
        sa.Column("set_by", sa.BigInteger(), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_stage_dates_campaign_id_campaigns"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("campaign_id", "stage", name=op.f("pk_stage_dates")),
    )
    op.add_column("units", sa.Column("open_until", sa.Date(), nullable=True))
    op.add_column("reminder_deliveries", sa.Column("outcome", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reminder_deliveries") as batch:  # SQLite rebuilds the table
        batch.drop_column("outcome")
    with op.batch_alter_table("units") as batch:
        batch.drop_column("open_until")
    op.drop_table("stage_dates")
