"""Trail slugs unique per organisation; the public address claimed at the first publish

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 10:15:00

A draft's slug no longer has to be unique across the server, so that creating one never
tells whether another organisation has a draft of that name. The public address
(``/v1/trails/{address}``, ``/play/{address}``) is claimed, server-wide, when a trail is
first published: ``address``, unique. Trails published before keep their slug as address.
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GLOBAL = "CONSTRAINT uq_trails_slug UNIQUE (slug)"
PER_ORGANISATION = "CONSTRAINT uq_trails_organisation_id UNIQUE (organisation_id, slug)"


def _sqlite_swap(old: str, new: str) -> None:
    """Rebuild ``trails`` on SQLite with one constraint replaced (SQLite cannot drop one)."""
    bind = op.get_bind()
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        # Dropping the table would cascade into stops and releases: refuse, never lose data.
        raise RuntimeError("run this migration with `baladeur db upgrade` (foreign keys off)")
    ddl = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'trails'"
    ).scalar()
    if old not in ddl:
        raise RuntimeError(f"unexpected schema of trails: no {old}")
    # One transaction for the whole rebuild, even though the driver commits DDL on its own.
    bind.exec_driver_sql("SAVEPOINT rebuild_trails")
    bind.exec_driver_sql("SELECT DiscardGeometryColumn('trails', 'route')")
    # After a rename SQLite keeps the name quoted: CREATE TABLE "trails".
    renamed = re.sub(r'^CREATE TABLE\s+"?trails"?', "CREATE TABLE rebuilt_trails", ddl, count=1)
    bind.exec_driver_sql(renamed.replace(old, new))
    bind.exec_driver_sql("INSERT INTO rebuilt_trails SELECT * FROM trails")
    bind.exec_driver_sql("DROP TABLE trails")
    bind.exec_driver_sql("ALTER TABLE rebuilt_trails RENAME TO trails")
    bind.exec_driver_sql("CREATE INDEX ix_trails_current_release_id ON trails (current_release_id)")
    bind.exec_driver_sql("CREATE INDEX ix_trails_organisation_id ON trails (organisation_id)")
    bind.exec_driver_sql(
        "SELECT RecoverGeometryColumn('trails', 'route', 4326, 'LINESTRING', 'XY')"
    )
    bind.exec_driver_sql("RELEASE rebuild_trails")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_swap(GLOBAL, PER_ORGANISATION)
    else:
        op.drop_constraint("uq_trails_slug", "trails", type_="unique")
        op.create_unique_constraint(
            "uq_trails_organisation_id", "trails", ["organisation_id", "slug"]
        )
    op.add_column("trails", sa.Column("address", sa.String(length=80), nullable=True))
    op.create_index("uq_trails_address", "trails", ["address"], unique=True)
    # Every trail published so far keeps its address (slugs were unique until now).
    op.execute(
        "UPDATE trails SET address = slug "
        "WHERE EXISTS (SELECT 1 FROM releases WHERE releases.trail_id = trails.id)"
    )


def downgrade() -> None:
    # Fails, and changes nothing, if two organisations now have drafts of the same slug.
    op.drop_index("uq_trails_address", table_name="trails")
    op.drop_column("trails", "address")
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_swap(PER_ORGANISATION, GLOBAL)
    else:
        op.drop_constraint("uq_trails_organisation_id", "trails", type_="unique")
        op.create_unique_constraint("uq_trails_slug", "trails", ["slug"])
