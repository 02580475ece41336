"""Erasure erases: a withdrawn transcript leaves no bytes in the SQLite files, kept 0600/0700.

Finding 8 of issue 16: the text of a withdrawn story remained in free pages of the database
file (``secure_delete`` was off), and ``baladeur.db`` was readable by everyone (0644).
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from media.blobs.memory import MemoryBlobStore
from server.db.session import Database
from server.settings import Settings
from tests.api.test_withdrawal import SECRET_TEXT, _scene
from tests.support.people import People


def _files(db: Database) -> tuple[Path, Path]:
    path = Path(str(db.engine.url.database))
    return path, path.with_name(path.name + "-wal")


def _bytes(path: Path) -> bytes:
    return path.read_bytes() if path.exists() else b""


@pytest.mark.parametrize("backend", ["spatialite"])
def test_a_withdrawn_transcript_leaves_no_bytes_in_the_database_files(
    client: TestClient, people: People, db: Database, blobs: MemoryBlobStore, tmp_path: Path
) -> None:
    scene = _scene(client, people, db, blobs, tmp_path)
    marker = SECRET_TEXT.encode()
    database, wal = _files(db)
    with db.engine.connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    assert marker in _bytes(database)  # the check below would see it

    r = client.post(
        f"/v1/orgs/mill/consents/{scene.consent_id}/withdraw", headers=people["contributor"]
    )
    assert r.status_code == 200, r.text
    # The withdrawal itself checkpoints: neither file holds the words any more.
    assert marker not in _bytes(database)
    assert marker not in _bytes(wal)
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA secure_delete")).scalar() == 1
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    assert marker not in _bytes(database) + _bytes(wal)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_data_directory_and_database_are_owner_only(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var")
    db = Database.from_settings(settings)
    try:
        with db.transaction() as session:
            session.execute(text("CREATE TABLE probe (x TEXT)"))
            session.execute(text("INSERT INTO probe VALUES ('x')"))
        database, wal = _files(db)
        assert _mode(settings.resolved_data_dir) == 0o700
        assert _mode(database) == 0o600
        assert _mode(wal) == 0o600
        assert _mode(database.with_name(database.name + "-shm")) == 0o600
    finally:
        db.dispose()


def test_existing_files_too_open_are_closed(tmp_path: Path) -> None:
    data = tmp_path / "var"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    (data / "baladeur.db").touch()
    (data / "baladeur.db").chmod(0o644)
    settings = Settings(data_dir=data)
    Database.from_settings(settings).dispose()
    assert _mode(data) == 0o700
    assert _mode(data / "baladeur.db") == 0o600
