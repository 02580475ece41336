"""Completed bundle downloads per trail and day (audience figures without tracking)

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-04 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "download_counts",
        sa.Column("trail_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["trail_id"],
            ["trails.id"],
            name=op.f("fk_download_counts_trail_id_trails"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("trail_id", "day", name=op.f("pk_download_counts")),
    )


def downgrade() -> None:
    op.drop_table("download_counts")
