"""``baladeur serve`` on a database that is empty, behind or current, as a person starts it.

The embedded SpatiaLite file is brought up to date at start, in one printed line; an external
database (PostgreSQL, possibly under several replicas) is refused until ``baladeur db
upgrade`` has run, in one sentence that names that command.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from bench.common import stop, wait_http
from server.db import migrate
from server.db.engine import make_engine
from server.db.session import Database
from server.errors import DatabaseUnavailable
from server.settings import Settings
from tests.support.factories import add_trail, trail_source
from tests.support.live import free_port

BALADEUR = str(Path(sys.executable).with_name("baladeur"))
HEAD = migrate.head_revision()
MIGRATED_LINE = "brought up to date"


def _env(data_dir: Path, **settings: str) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith("BALADEUR_")}
    # No job threads: these tests are about the start, not about encoding.
    return kept | {
        "BALADEUR_DATA_DIR": str(data_dir),
        "BALADEUR_INPROCESS_WORKER": "false",
        **settings,
    }


@contextmanager
def _serving(data_dir: Path, **settings: str) -> Iterator[tuple[str, Path]]:
    """``baladeur serve`` until the block ends; yields its address and its output file."""
    port = free_port()
    output = data_dir / "serve.out"
    with output.open("wb") as out:
        process = subprocess.Popen(
            [BALADEUR, "serve", "--port", str(port)],
            env=_env(data_dir, **settings),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_http(f"{base}/healthz", process, timeout=120)
        except RuntimeError as exc:
            raise AssertionError(output.read_text()[-3000:]) from exc
        yield base, output
    finally:
        stop(process)


def _revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        return migrate.current_revision(engine)
    finally:
        engine.dispose()


def _previous(revision: str) -> str:
    """The revision just before ``revision``."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config()).get_revision(revision)
    assert script is not None and isinstance(script.down_revision, str)
    return script.down_revision


def test_a_fresh_data_directory_is_migrated_and_served(tmp_path: Path) -> None:
    with _serving(tmp_path) as (base, output):
        assert httpx.get(f"{base}/healthz", timeout=10).status_code == 200
        trails = httpx.get(f"{base}/v1/trails", timeout=10)
        assert trails.status_code == 200, trails.text
        assert trails.json()["items"] == []
    printed = output.read_text()
    lines = [line for line in printed.splitlines() if MIGRATED_LINE in line]
    assert lines == [
        f"database sqlite:///{tmp_path / 'baladeur.db'} {MIGRATED_LINE}: "
        f"revision {HEAD} (was empty)"
    ], printed
    # Alembic's step-by-step log stays out of it; the one line says it all.
    assert "Running upgrade" not in printed
    assert _revision(f"sqlite:///{tmp_path / 'baladeur.db'}") == HEAD


def test_an_outdated_embedded_database_is_brought_up_to_date_with_its_data(
    tmp_path: Path, spatialite_migrated: Path
) -> None:
    shutil.copyfile(spatialite_migrated, tmp_path / "baladeur.db")
    url = f"sqlite:///{tmp_path / 'baladeur.db'}"
    db = Database.from_settings(Settings(data_dir=tmp_path))
    add_trail(db, trail_source("mill", 50.405, 4.395, title={"fr": "Le Moulin"}))
    older = _previous(HEAD)
    migrate.downgrade(db.engine, older)
    db.dispose()
    assert _revision(url) == older

    with _serving(tmp_path) as (base, output):
        trails = httpx.get(f"{base}/v1/trails", timeout=10)
        assert [t["slug"] for t in trails.json()["items"]] == ["mill"]
    assert f"{MIGRATED_LINE}: revision {HEAD} (was {older})" in output.read_text()
    assert _revision(url) == HEAD


def test_a_current_embedded_database_starts_without_migrating(
    tmp_path: Path, spatialite_migrated: Path
) -> None:
    shutil.copyfile(spatialite_migrated, tmp_path / "baladeur.db")
    with _serving(tmp_path) as (base, output):
        assert httpx.get(f"{base}/v1/trails", timeout=10).status_code == 200
    printed = output.read_text()
    assert MIGRATED_LINE not in printed
    assert "Baladeur is starting" in printed


@pytest.mark.parametrize("backend", ["postgis"])
@pytest.mark.parametrize("state", ["empty", "behind"])
def test_an_external_database_not_migrated_is_refused_in_one_sentence(
    database_url: str, tmp_path: Path, state: str
) -> None:
    engine = make_engine(database_url)
    if state == "behind":
        migrate.upgrade(engine, _previous(HEAD))
    before = migrate.current_revision(engine)
    engine.dispose()

    result = subprocess.run(
        [BALADEUR, "serve", "--port", str(free_port())],
        env=_env(tmp_path, BALADEUR_DATABASE_URL=database_url),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    said = result.stderr.strip()
    assert len(said.splitlines()) == 1, said
    assert "run `baladeur db upgrade` once" in said
    expected = "has no schema yet" if state == "empty" else f"is at schema revision {before}"
    assert expected in said
    assert f"needs revision {HEAD}" in said
    assert "Baladeur is starting" not in result.stdout
    # Refused means untouched: the replicas' one migration is still the deployer's to run.
    assert _revision(database_url) == before


@pytest.mark.parametrize("backend", ["postgis"])
def test_a_current_external_database_is_served(
    database_url: str, db: Database, tmp_path: Path
) -> None:
    with _serving(tmp_path, BALADEUR_DATABASE_URL=database_url) as (base, output):
        assert httpx.get(f"{base}/v1/trails", timeout=10).status_code == 200
    assert MIGRATED_LINE not in output.read_text()


def test_a_database_from_a_newer_version_is_refused(db: Database) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(DatabaseUnavailable, match="revision 9999, which this version"):
        migrate.ready_to_serve(db.engine)
    assert migrate.current_revision(db.engine) == "9999"
