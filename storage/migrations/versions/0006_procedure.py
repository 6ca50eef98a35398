"""The procedure checklist (issue 11): nominees.procedure, the steps recorded for a nominee as
{"<step key>": "<ISO date>"} (NULL: none yet); every change is also in the audit log

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("nominees", sa.Column("procedure", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("nominees") as batch:  # SQLite rebuilds the table
        batch.drop_column("procedure")
