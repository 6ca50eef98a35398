"""drafts.version: the version of the nominee an edit began from, so a save made on an older
version is refused instead of silently undoing someone else's change (issue 9, item 6)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("drafts", sa.Column("version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("drafts") as batch:  # SQLite rebuilds the table
        batch.drop_column("version")
