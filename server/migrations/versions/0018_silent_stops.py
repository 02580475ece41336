"""A stop may be silent on purpose: the checks then accept it without audio

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 04:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("stops") as batch:
        # Existing stops without audio were published before the check existed: they keep
        # publishing only once an editor says they are silent on purpose (or adds audio).
        batch.add_column(
            sa.Column("silent", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("stops") as batch:
        batch.drop_column("silent")
