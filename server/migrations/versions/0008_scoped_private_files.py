"""Private files held by organisation and uploader; contributors' uploads are their own rows

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-30 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Until now any hash stored anywhere could be named; from now on a file is held by the
# organisation that uploaded it. Files a story or a consent already names are given to
# the organisation of the first row naming them (a copy named later, from elsewhere, can
# only have been named by its hash); files never named are not held, and are uploaded
# again when needed.


def _hold(kind: str, table: str, column: str, uploader: str) -> str:
    """Give each file ``table`` names in ``column`` to the organisation of its first row."""
    return (
        "INSERT INTO private_files (organisation_id, kind, sha256, uploaded_by_id, created_at) "
        f"SELECT r.organisation_id, '{kind}', r.{column}, r.{uploader}, r.created_at "
        f"FROM {table} r WHERE r.{column} IS NOT NULL "
        f"AND r.id = (SELECT MIN(f.id) FROM {table} f WHERE f.{column} = r.{column})"
    )


def upgrade() -> None:
    op.create_table(
        "private_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_private_files_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_private_files_uploaded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_private_files")),
    )
    with op.batch_alter_table("private_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_private_files_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_private_files_sha256"), ["sha256"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_private_files_uploaded_by_id"), ["uploaded_by_id"], unique=False
        )
    op.execute(_hold("photo", "stories", "photo_sha256", "submitted_by_id"))
    op.execute(_hold("form", "consent_records", "form_sha256", "recorded_by_id"))

    # One row per organisation, bytes and uploader: a contributor's upload is their own.
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_constraint("uq_assets_organisation_id", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_assets_organisation_id"), ["organisation_id", "sha256", "uploaded_by_id"]
        )

    # Unfinished uploads are counted per user (their number and declared bytes are capped).
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_uploads_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_uploads_user_id"))
    # Going back to one row per organisation and bytes fails, deleting nothing, if members
    # have since uploaded the same bytes as their own rows.
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_constraint("uq_assets_organisation_id", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_assets_organisation_id"), ["organisation_id", "sha256"]
        )
    with op.batch_alter_table("private_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_private_files_uploaded_by_id"))
        batch_op.drop_index(batch_op.f("ix_private_files_sha256"))
        batch_op.drop_index(batch_op.f("ix_private_files_organisation_id"))
    op.drop_table("private_files")
