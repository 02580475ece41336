"""Database engines for SpatiaLite (embedded) and PostGIS (scale), one code path."""

from __future__ import annotations

import contextlib
import importlib
import os
import sqlite3
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import OperationalError

from server.errors import DatabaseUnavailable
from trails.errors import invalid

SPATIALITE_PACKAGE = "libsqlite3-mod-spatialite"


def redacted(url: str) -> str:
    """The URL with any password replaced by ``***``."""
    return make_url(url).render_as_string(hide_password=True)


def sqlite_driver() -> ModuleType:
    """A DB-API sqlite module that can load extensions.

    Many Python builds ship a stdlib ``sqlite3`` without extension loading; the
    ``pysqlite3`` wheel brings its own SQLite that has it.
    """
    if hasattr(sqlite3.connect(":memory:"), "enable_load_extension"):
        return sqlite3
    try:
        return importlib.import_module("pysqlite3.dbapi2")
    except ImportError:
        raise DatabaseUnavailable(
            "this Python's sqlite3 cannot load extensions and pysqlite3 is not installed: "
            "install the pysqlite3-binary package (pip install pysqlite3-binary)"
        ) from None


def _spatialite_loader(library: str) -> Any:
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.enable_load_extension(True)
        try:
            dbapi_conn.load_extension(library)
        except Exception as exc:
            raise DatabaseUnavailable(
                f"cannot load the SpatiaLite extension '{library}' ({exc}): install the "
                f"{SPATIALITE_PACKAGE} package (apt-get install {SPATIALITE_PACKAGE})"
            ) from None
        finally:
            dbapi_conn.enable_load_extension(False)
        dbapi_conn.execute("PRAGMA foreign_keys = ON")
        dbapi_conn.execute("PRAGMA busy_timeout = 10000")
        # Erasure erases: deleted rows (a withdrawn transcript) are overwritten with zeros
        # instead of lingering in free pages of the file.
        dbapi_conn.execute("PRAGMA secure_delete = ON")
        # Readers (visitors) keep reading while a publish writes: write-ahead logging.
        dbapi_conn.execute("PRAGMA journal_mode = WAL")
        if dbapi_conn.execute("SELECT CheckSpatialMetaData()").fetchone()[0] < 1:
            # Only the WGS84 reference systems: we store everything in EPSG:4326.
            dbapi_conn.execute("SELECT InitSpatialMetaData(1, 'WGS84')")

    return on_connect


# PostgreSQL's SQLSTATE for "numeric value out of range".
_OUT_OF_RANGE = "22003"


def _number_out_of_range(context: ExceptionContext) -> BaseException | None:
    """A number too large for its column is the request's fault, not a server error."""
    # A path id or an offset beyond 64 bits (SQLite's driver cannot even send it), or beyond
    # the 32-bit ids of PostgreSQL: no row can match, so this is bad input, never a 500.
    original = context.original_exception
    if isinstance(original, OverflowError) or getattr(original, "sqlstate", None) == _OUT_OF_RANGE:
        return invalid("request", None, "a number in this request is too large")
    return None


def make_engine(url: str, spatialite_library: str = "mod_spatialite") -> Engine:
    """Create an engine for a SpatiaLite or PostGIS URL."""
    engine = _make_engine(url, spatialite_library)
    event.listen(engine, "handle_error", _number_out_of_range)
    return engine


def owner_only(path: Path) -> None:
    """Create the database file readable by its owner only, or make an existing one so.

    SQLite creates its ``-wal`` and ``-shm`` files with the database file's mode, so they
    follow; existing ones are corrected too.
    """
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))  # an empty file is a new DB
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with contextlib.suppress(FileNotFoundError, PermissionError):
            if candidate.stat().st_mode & 0o077:
                candidate.chmod(0o600)


# Connections a process keeps open to its database, at most; more requests wait for one.
POOL_CONNECTIONS = 15


def _make_engine(url: str, spatialite_library: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if (
            parsed.database
            and parsed.database != ":memory:"
            and Path(parsed.database).parent.is_dir()
        ):
            owner_only(Path(parsed.database))
        engine = create_engine(
            parsed,
            module=sqlite_driver(),
            # Pooled: opening a connection loads SpatiaLite, which costs more than a query,
            # so connections are kept rather than opened for a burst and closed after it.
            # A pooled connection is used by one thread at a time, never shared.
            connect_args={"check_same_thread": False},
            pool_size=POOL_CONNECTIONS,
            max_overflow=0,
        )
        event.listen(engine, "connect", _spatialite_loader(spatialite_library))
        return engine
    if parsed.get_backend_name() == "postgresql":
        # Kept too: a connection opened for a burst and closed after it costs PostgreSQL a
        # new backend process each time (5 kept and 10 for bursts gave a p99 of half a second
        # to the catalogue at 32 clients, and two replicas less than one; bench/README.md).
        return create_engine(parsed, pool_pre_ping=True, pool_size=POOL_CONNECTIONS, max_overflow=0)
    raise DatabaseUnavailable(
        f"unsupported database URL {redacted(url)}: use sqlite:///FILE or postgresql+psycopg://"
    )


def is_sqlite(engine: Engine) -> bool:
    """Whether the engine talks to SQLite (SpatiaLite)."""
    return engine.dialect.name == "sqlite"


def check_connection(engine: Engine) -> None:
    """Connect once and run a spatial function, or raise a clear error naming the URL."""
    url = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT ST_AsText(ST_GeomFromText('POINT(0 0)', 4326))")).scalar()
    except DatabaseUnavailable:
        raise
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseUnavailable(f"cannot connect to the database at {url}: {reason}") from None
    except Exception as exc:
        reason = str(exc).strip().splitlines()[0]
        raise DatabaseUnavailable(f"the database at {url} is not usable: {reason}") from None
