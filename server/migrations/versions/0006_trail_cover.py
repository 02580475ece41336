"""A trail's cover image, stored by hash

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 17:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE, not a batch: rebuilding ``trails`` on SQLite would trip the foreign keys
# between trails and releases (both SQLite and PostgreSQL add and drop a column in place).
def upgrade() -> None:
    op.add_column("trails", sa.Column("cover_sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column("trails", "cover_sha256")
