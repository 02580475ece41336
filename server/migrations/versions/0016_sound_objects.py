"""Sound objects of a draft trail and a stop's narration position (bundle format 1.2)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sound_objects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trail_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("titles", sa.JSON(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.JSON(), nullable=False),
        sa.Column("radius_m", sa.Float(), nullable=False),
        sa.Column("ref_distance_m", sa.Float(), nullable=False),
        sa.Column("rolloff", sa.String(length=16), nullable=False),
        sa.Column("gain_db", sa.Float(), nullable=False),
        sa.Column("loop", sa.Boolean(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_sound_objects_asset_id_assets"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["trail_id"],
            ["trails.id"],
            name=op.f("fk_sound_objects_trail_id_trails"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sound_objects")),
        sa.UniqueConstraint("trail_id", "key", name=op.f("uq_sound_objects_trail_id")),
    )
    with op.batch_alter_table("sound_objects") as batch:
        batch.create_index(batch.f("ix_sound_objects_asset_id"), ["asset_id"], unique=False)
        batch.create_index(batch.f("ix_sound_objects_trail_id"), ["trail_id"], unique=False)
    with op.batch_alter_table("stops") as batch:
        batch.add_column(sa.Column("narration_position", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stops") as batch:
        batch.drop_column("narration_position")
    with op.batch_alter_table("sound_objects") as batch:
        batch.drop_index(batch.f("ix_sound_objects_trail_id"))
        batch.drop_index(batch.f("ix_sound_objects_asset_id"))
    op.drop_table("sound_objects")
