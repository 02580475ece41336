"""Assets derived from another by an edit (trim, fades)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 17:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("derived_from_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("edit", sa.JSON(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_assets_derived_from_id"), ["derived_from_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_assets_derived_from_id_assets"),
            "assets",
            ["derived_from_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_assets_derived_from_id_assets"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_assets_derived_from_id"))
        batch_op.drop_column("edit")
        batch_op.drop_column("derived_from_id")
