"""Release bundles: one signed manifest and bundle per audio profile, and their media

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 14:06:38.437606
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "release_bundles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("profile", sa.String(length=16), nullable=False),
        sa.Column("manifest_bytes", sa.LargeBinary(), nullable=False),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.JSON(), nullable=False),
        sa.Column("bundle_sha256", sa.String(length=64), nullable=False),
        sa.Column("bundle_bytes", sa.BigInteger(), nullable=False),
        sa.Column("size_report", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["releases.id"],
            name=op.f("fk_release_bundles_release_id_releases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_bundles")),
        sa.UniqueConstraint("release_id", "profile", name=op.f("uq_release_bundles_release_id")),
    )
    with op.batch_alter_table("release_bundles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_release_bundles_bundle_sha256"), ["bundle_sha256"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_release_bundles_release_id"), ["release_id"], unique=False
        )
    op.create_table(
        "release_media",
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=100), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["releases.id"],
            name=op.f("fk_release_media_release_id_releases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("release_id", "sha256", name=op.f("pk_release_media")),
    )
    with op.batch_alter_table("release_media", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_release_media_sha256"), ["sha256"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("release_media", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_release_media_sha256"))

    op.drop_table("release_media")
    with op.batch_alter_table("release_bundles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_release_bundles_release_id"))
        batch_op.drop_index(batch_op.f("ix_release_bundles_bundle_sha256"))

    op.drop_table("release_bundles")
