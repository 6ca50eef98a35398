"""drafts.replies: which chat message answered which question (edited messages, issue 9)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

Nullable: a draft stored before it (NULL) is read as one whose answers no message is known to have
given; editing such a message is then answered as an edit of no answer.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(sa.Column("replies", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        batch.drop_column("replies")
