"""Attempt counters shared by every replica: sign-in and access-code limits

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attempt_counters",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("window_ends", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_attempt_counters")),
    )
    op.create_index(
        op.f("ix_attempt_counters_window_ends"), "attempt_counters", ["window_ends"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_attempt_counters_window_ends"), table_name="attempt_counters")
    op.drop_table("attempt_counters")
