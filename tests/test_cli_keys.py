"""``baladeur keys``: a rotation on the command line is served, endorsed, by a running app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from media.blobs.memory import MemoryBlobStore
from server.app import create_app
from server.db.session import Database
from server.settings import Settings
from tests.support.cli import run_cli
from trails.bundle.keychain import KeyListRefused, update_pins


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BALADEUR_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("BALADEUR_SIGNING_KEY", raising=False)
    return tmp_path


def test_rotate_is_endorsed_and_served(
    data_dir: Path, db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(data_dir=data_dir, inprocess_worker=False)
    with TestClient(create_app(settings, database=db, blobs=MemoryBlobStore())) as client:
        first = client.get("/v1/keys").json()
        pins = update_pins({}, first).keys
        code, out, _ = run_cli(capsys, "keys", "rotate", "--json")
        assert code == 0
        rotated = json.loads(out)
        served = client.get("/v1/keys").json()  # the running app reads the new list
    assert rotated["previous"] == first["keys"][0]["id"]
    assert [k["id"] for k in served["keys"] if k["current"]] == [rotated["current"]]
    assert served["keys"][1]["endorsement"]["key_id"] == rotated["previous"]
    assert update_pins(pins, served).added == (rotated["current"],)

    code, out, _ = run_cli(capsys, "keys", "list")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert "current" in lines[1] and f"endorsed by {rotated['previous']}" in lines[1]
    assert "not endorsed" in lines[0]


def test_endorse_backfills_a_rotation_made_before_endorsements(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, "keys", "rotate")[0] == 0  # creates the first key, then a second
    ring_file = data_dir / "keys" / "keyring.json"
    old = json.loads(ring_file.read_text())
    for item in old["keys"]:
        item.pop("endorsement", None)
    ring_file.write_text(json.dumps(old))
    code, out, _ = run_cli(capsys, "keys", "list", "--json")
    listed = json.loads(out)
    first_only = {"keys": [{**listed["keys"][0], "current": True}]}
    with pytest.raises(KeyListRefused):
        update_pins(update_pins({}, first_only).keys, listed)
    code, out, _ = run_cli(capsys, "keys", "endorse", "--json")
    assert code == 0 and json.loads(out) == {"endorsed": [old["keys"][1]["id"]]}
    code, out, _ = run_cli(capsys, "keys", "endorse")
    assert code == 0 and "nothing to do" in out


def test_rotate_refuses_a_configured_key(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BALADEUR_SIGNING_KEY", "A" * 43 + "=")
    code, _, err = run_cli(capsys, "keys", "rotate")
    assert code == 1 and "configuration" in err
