"""Start-up failures are clear messages, with secrets kept out of them."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.db.session import Database
from server.errors import DatabaseUnavailable
from server.settings import Settings


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _down_url() -> str:
    return f"postgresql+psycopg://mediator:s3cr3t-pw@127.0.0.1:{_closed_port()}/baladeur"


def test_database_down_names_the_url_without_password(tmp_path: Path) -> None:
    url = _down_url()
    with pytest.raises(DatabaseUnavailable) as caught:
        Database.from_settings(Settings(data_dir=tmp_path, database_url=url))
    message = str(caught.value)
    assert (
        "cannot connect to the database at postgresql+psycopg://mediator:***@127.0.0.1" in message
    )
    assert "s3cr3t-pw" not in message


def test_app_start_fails_when_database_is_down(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path, database_url=_down_url()))
    with pytest.raises(DatabaseUnavailable), TestClient(app):
        pass


def test_cli_reports_database_down_in_one_line(tmp_path: Path) -> None:
    url = _down_url()
    result = subprocess.run(
        [sys.executable, "-m", "authoring.cli", "db", "upgrade"],
        env={"BALADEUR_DATABASE_URL": url, "BALADEUR_DATA_DIR": str(tmp_path), "PATH": "/usr/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "cannot connect to the database at" in result.stderr
    assert "s3cr3t-pw" not in result.stderr + result.stdout


def test_missing_spatialite_names_the_package(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, spatialite_library=str(tmp_path / "mod_nowhere"))
    with pytest.raises(DatabaseUnavailable, match="install the libsqlite3-mod-spatialite package"):
        Database.from_settings(settings)


def test_unsupported_database_url(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url="mysql://root:pw@localhost/x")
    with pytest.raises(
        DatabaseUnavailable, match="unsupported database URL mysql://root:\\*\\*\\*@"
    ):
        Database.from_settings(settings)


def test_default_settings_need_no_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'var' / 'baladeur.db'}"
    assert settings.resolved_blob_dir == tmp_path / "var" / "blobs"
    key = settings.resolved_secret_key()
    assert len(key) > 40
    assert Settings().resolved_secret_key() == key
    assert (tmp_path / "var" / "secret.key").stat().st_mode & 0o777 == 0o600


def test_settings_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BALADEUR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BALADEUR_SECRET_KEY", "from-env")
    monkeypatch.setenv("BALADEUR_LOG_LEVEL", "DEBUG")
    settings = Settings()
    assert settings.resolved_data_dir == tmp_path / "data"
    assert settings.resolved_secret_key() == "from-env"
    assert not (tmp_path / "data" / "secret.key").exists()
    assert settings.log_level == "DEBUG"
