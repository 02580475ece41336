"""The database handle the application and commands share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from server.db.engine import check_connection, make_engine
from server.search import FTS5_TABLE
from server.settings import Settings


class Database:
    """An engine and its session factory."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        """Open the configured database and check that it answers."""
        engine = make_engine(settings.resolved_database_url, settings.spatialite_library)
        check_connection(engine)
        return cls(engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    def scrub(self) -> None:
        """After an erasure, leave no old copy of erased rows in SQLite's write-ahead log.

        ``secure_delete`` zeroes them in the database file; the log still holds the pages as
        they were until it is checkpointed and truncated. PostgreSQL reuses dead row space
        on (auto)vacuum; there is nothing to do here.

        The full-text index marks deleted releases' words deleted, but keeps their terms in
        its segments until they are merged: merging them all ("optimize") drops the terms.
        """
        if self.engine.dialect.name == "sqlite":
            with self.engine.begin() as conn:
                conn.exec_driver_sql(f"INSERT INTO {FTS5_TABLE}({FTS5_TABLE}) VALUES ('optimize')")
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
