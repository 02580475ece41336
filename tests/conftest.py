"""Shared fixtures: every database test runs on SpatiaLite and on PostGIS."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from authoring.language import language_from
from server.db import migrate
from server.db.engine import make_engine
from server.db.session import Database
from tests.support.browser import chromium
from tests.support.postgres import PostgresCluster, PostgresMissing, start_cluster

# One Chromium for the whole session, shared by the player's and the studio's tests:
# Playwright's synchronous API cannot run twice at once in one process.
__all__ = ["chromium"]

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
BACKENDS = ["spatialite", "postgis"]
_counter = itertools.count()


@pytest.fixture(autouse=True)
def english_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """The ``baladeur`` command speaks the machine's language; the suite asserts English.

    On a machine whose locale is not English, LANGUAGE=en puts the command (and the
    processes the tests start, which inherit it) back in English; tests of other languages
    set their own variables.
    """
    if language_from(os.environ) != "en":
        monkeypatch.setenv("LANGUAGE", "en")


def backend_unavailable(reason: str) -> None:
    """Skip locally; fail in CI, where every backend must run."""
    if IN_CI:
        pytest.fail(f"backend unavailable in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """One throwaway PostgreSQL cluster for the whole session."""
    try:
        cluster = start_cluster()
    except PostgresMissing as exc:
        backend_unavailable(str(exc))
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def postgis_template(postgres_cluster: PostgresCluster) -> str:
    """A database with PostGIS enabled, used as the template of every test database."""
    admin = make_engine(postgres_cluster.url())
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("CREATE DATABASE template_baladeur"))
    admin.dispose()
    engine = make_engine(postgres_cluster.url("template_baladeur"))
    with engine.begin() as conn:
        conn.execute(text("CREATE EXTENSION postgis"))
    engine.dispose()
    return "template_baladeur"


@pytest.fixture(scope="session")
def spatialite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An initialised, empty SpatiaLite file copied for every test (initialising is slow)."""
    path = tmp_path_factory.mktemp("spatialite") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def spatialite_migrated(spatialite_template: Path) -> Path:
    """The SpatiaLite template with every migration applied (migrating is slower than copying)."""
    path = spatialite_template.with_name("migrated.db")
    shutil.copyfile(spatialite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgis_migrated(postgres_cluster: PostgresCluster, postgis_template: str) -> str:
    """The PostGIS template with every migration applied."""
    name = "template_baladeur_migrated"
    admin = make_engine(postgres_cluster.url())
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {postgis_template}"))
    admin.dispose()
    engine = make_engine(postgres_cluster.url(name))
    migrate.upgrade(engine)
    engine.dispose()
    return name


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend under test; appears in test ids as [spatialite] or [postgis]."""
    return str(request.param)


def _fresh_database(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, *, migrated: bool
) -> Iterator[str]:
    """Copy a template database (empty or migrated) for one test; drop it afterwards."""
    if backend == "spatialite":
        fixture = "spatialite_migrated" if migrated else "spatialite_template"
        template: Path = request.getfixturevalue(fixture)
        path = tmp_path / "test.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    template_name: str = request.getfixturevalue(
        "postgis_migrated" if migrated else "postgis_template"
    )
    name = f"test_{os.getpid()}_{next(_counter)}"
    admin = make_engine(cluster.url())
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {template_name}"))
    try:
        yield cluster.url(name)
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a fresh spatial database on the backend under test.

    Empty, unless the test also asks for ``db``: then it is a copy of a migrated template
    (copying is much faster than migrating every time), and ``db`` is that same database.
    """
    migrated = "db" in request.fixturenames
    yield from _fresh_database(backend, request, tmp_path, migrated=migrated)


@pytest.fixture
def empty_engine(database_url: str) -> Iterator[Engine]:
    """An engine on a fresh database (with no schema unless the test uses ``db``)."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db(empty_engine: Engine) -> Database:
    """A migrated database on the backend under test."""
    migrate.upgrade(empty_engine)  # already at the head revision: a quick check
    return Database(empty_engine)


@pytest.fixture
def demo_folder() -> Path:
    """The demo trail source folder."""
    return Path(__file__).resolve().parent.parent / "examples" / "moulin-de-marchienne"
