"""Co-construction in the browser: what an invitation is for, licence and credit of a
consent, and a resident's own withdrawal code

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invitations") as batch:
        batch.add_column(sa.Column("trail_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("stop_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("topic", sa.String(length=200), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("languages", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("licences", sa.JSON(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_invitations_trail_id_trails"),
            "trails",
            ["trail_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_foreign_key(
            op.f("fk_invitations_stop_id_stops"), "stops", ["stop_id"], ["id"], ondelete="SET NULL"
        )
    with op.batch_alter_table("consent_records") as batch:
        batch.add_column(sa.Column("licence", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("credit", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("withdrawal_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(
            op.f("ix_consent_records_withdrawal_hash"), ["withdrawal_hash"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("consent_records") as batch:
        batch.drop_index(op.f("ix_consent_records_withdrawal_hash"))
        batch.drop_column("removed_at")
        batch.drop_column("withdrawal_hash")
        batch.drop_column("credit")
        batch.drop_column("licence")
    with op.batch_alter_table("invitations") as batch:
        batch.drop_constraint(op.f("fk_invitations_stop_id_stops"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_invitations_trail_id_trails"), type_="foreignkey")
        batch.drop_column("licences")
        batch.drop_column("languages")
        batch.drop_column("topic")
        batch.drop_column("stop_id")
        batch.drop_column("trail_id")
