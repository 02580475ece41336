"""Schema migrations with Alembic, on SpatiaLite and PostGIS alike."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from geoalchemy2 import alembic_helpers
from sqlalchemy import Engine, MetaData

from server.db.engine import is_sqlite
from server.db.models import Base
from server.errors import DatabaseUnavailable

# Full-text indexes made by migration 0013 on one backend only (an FTS5 table, a GIN
# expression index), which the models cannot state for both.
SEARCH_INDEXES = frozenset({"ix_releases_search"})
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Compare only our own tables: SpatiaLite and PostGIS keep system tables beside them."""
    if type_ == "table" and reflected and compare_to is None:
        return False
    if type_ == "index" and name in SEARCH_INDEXES:
        return False
    return bool(alembic_helpers.include_object(obj, name, type_, reflected, compare_to))


def alembic_config() -> Config:
    """An Alembic configuration pointing at the packaged migration scripts."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _run(engine: Engine, action: Any, *args: Any, **kwargs: Any) -> None:
    config = alembic_config()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite changes a constraint by rebuilding the table (migration 0011); dropping
            # the old table with foreign keys on would delete every row that refers to it.
            # Off for the migration (it can only change outside a transaction), checked
            # before the commit instead, and on again before the connection is pooled.
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            connection.commit()
        try:
            with connection.begin(), warnings.catch_warnings():
                # SQLite cannot add a CHECK constraint to an existing table; the column is
                # added without it on purpose (see migration 0003): nothing new to say.
                warnings.filterwarnings("ignore", message="Skipping unsupported ALTER")
                config.attributes["connection"] = connection
                action(config, *args, **kwargs)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"a migration broke foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys = ON")
                connection.commit()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema up to ``revision``."""
    _run(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Take the database schema down to ``revision``."""
    _run(engine, command.downgrade, revision)


def revision(engine: Engine, message: str) -> None:
    """Write a new migration script from the difference between models and the database."""
    _run(engine, command.revision, message=message, autogenerate=True)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or ``None`` for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(scripts: ScriptDirectory | None = None) -> str:
    """The revision the packaged migrations lead to: the schema this version needs."""
    scripts = scripts or ScriptDirectory.from_config(alembic_config())
    head = scripts.get_current_head()
    assert head is not None, "the packaged migrations have no head"
    return head


def _known(scripts: ScriptDirectory, revision: str) -> bool:
    """Whether ``revision`` is one of the packaged migrations."""
    try:
        return scripts.get_revision(revision) is not None
    except CommandError:  # an id no packaged migration has
        return False


def ready_to_serve(engine: Engine) -> tuple[str | None, str] | None:
    """Make sure a server may start on this database: ``None`` when its schema is current.

    A SpatiaLite file (the embedded mode: one machine, one ``baladeur serve``) that is empty
    or behind is brought up to date here, and its revisions before and after are returned.
    Any other database may be served by several replicas that must not all migrate at once,
    so it is left alone and refused until ``baladeur db upgrade`` has run.
    """
    # The migration scripts are read once: a server's start-up pays for this check.
    scripts = ScriptDirectory.from_config(alembic_config())
    head = head_revision(scripts)
    before = current_revision(engine)
    if before == head:
        return None
    where = engine.url.render_as_string(hide_password=True)
    if before is not None and not _known(scripts, before):
        raise DatabaseUnavailable(
            f"the database at {where} is at schema revision {before}, which this version of "
            "Baladeur does not know (a newer version migrated it): run that newer version, "
            "or take the database back with its `baladeur db downgrade`"
        )
    if not is_sqlite(engine):
        state = "has no schema yet" if before is None else f"is at schema revision {before}"
        raise DatabaseUnavailable(
            f"the database at {where} {state} and this server needs revision {head}: run "
            "`baladeur db upgrade` once (not on every replica), then start the server"
        )
    upgrade(engine, head)
    return before, head


def pending_differences(engine: Engine, metadata: MetaData = Base.metadata) -> list[Any]:
    """Differences between the models and the database schema (empty when in step)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "include_object": include_object,
                "compare_type": True,
            },
        )
        return list(compare_metadata(context, metadata))
