"""Catalogue columns on releases and a full-text index of their words

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 17:00:00

The public listing reads a few columns instead of loading each release's manifest: title,
description, languages, mode, length, stop count, box and cover, copied from the manifest
(releases are immutable, so the copy never drifts). ``search_text`` holds the release's
words, folded (``server.search``), and is indexed: SQLite by an FTS5 table kept in step by
triggers, PostgreSQL by a GIN index on its ``simple`` tsvector. Existing releases are filled
from their manifest here.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from server.catalogue import catalogue_columns

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _columns() -> list[sa.Column[object]]:
    return [
        sa.Column("title", sa.JSON(), nullable=True),
        sa.Column("description", sa.JSON(), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=True),
        sa.Column("mode", sa.String(length=20), nullable=True),
        sa.Column("length_m", sa.Float(), nullable=True),
        sa.Column("stop_count", sa.Integer(), nullable=True),
        sa.Column("bbox", sa.JSON(), nullable=True),
        sa.Column("cover", sa.String(length=200), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=True),
    ]


# External content: the index keeps only its terms; rows are releases, by id. Triggers
# follow every insert, update and delete, so a release deleted (withdrawal, erasure) takes
# its words with it.
SQLITE_INDEX = [
    "CREATE VIRTUAL TABLE release_search USING fts5(search_text, content='releases', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER release_search_insert AFTER INSERT ON releases BEGIN "
    "INSERT INTO release_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER release_search_delete AFTER DELETE ON releases BEGIN "
    "INSERT INTO release_search(release_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER release_search_update AFTER UPDATE OF search_text ON releases BEGIN "
    "INSERT INTO release_search(release_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO release_search(rowid, search_text) VALUES (new.id, new.search_text); END",
]
# fastupdate off: a publish updates the index at once, rather than leaving its entries in a
# pending list that every search reads through until a vacuum merges it. Publishes are
# rare; searches are not.
POSTGRES_INDEX = (
    "CREATE INDEX ix_releases_search ON releases "
    "USING gin (to_tsvector('simple'::regconfig, search_text)) WITH (fastupdate = off)"
)


def _fill() -> None:
    bind = op.get_bind()
    releases = sa.table(
        "releases", sa.column("id", sa.Integer()), sa.column("manifest", sa.JSON()), *_columns()
    )
    rows = bind.execute(sa.select(releases.c.id, releases.c.manifest)).all()
    for release_id, manifest in rows:
        bind.execute(
            releases.update()
            .where(releases.c.id == release_id)
            .values(**catalogue_columns(manifest))
        )


def upgrade() -> None:
    for column in _columns():
        op.add_column("releases", column)
    _fill()
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_INDEX:
            bind.exec_driver_sql(statement)
        bind.exec_driver_sql("INSERT INTO release_search(release_search) VALUES ('rebuild')")
    else:
        bind.exec_driver_sql(POSTGRES_INDEX)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            bind.exec_driver_sql(f"DROP TRIGGER release_search_{trigger}")
        bind.exec_driver_sql("DROP TABLE release_search")
    else:
        bind.exec_driver_sql("DROP INDEX ix_releases_search")
    for column in reversed(_columns()):
        op.drop_column("releases", column.name)
