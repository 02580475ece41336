"""Pinned keys follow a rotation only through endorsements: the shared vectors, and the
server's keyring writing endorsements that the chain logic accepts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.bundle.key_vectors import FOLDER, vectors
from trails.bundle.keychain import KeyListRefused, update_pins
from trails.bundle.signing import Keyring, generate_key, key_id, parse_public_key

VECTOR_FILES = sorted(FOLDER.glob("*.json"))


def test_the_vector_files_are_the_generated_ones() -> None:
    expected = vectors()
    assert [p.name for p in VECTOR_FILES] == sorted(expected)
    for path in VECTOR_FILES:
        assert json.loads(path.read_text(encoding="utf-8")) == expected[path.name], path.name


def run_vector(vector: dict[str, Any]) -> dict[str, Any]:
    """What the reference logic makes of one vector, in the vectors' terms."""
    pinned = {p["id"]: parse_public_key(p["public_key"]) for p in vector["pinned"]}
    try:
        update = update_pins(pinned, vector["document"])
    except KeyListRefused as exc:
        return {"ok": False, "code": exc.code}
    return {
        "ok": True,
        "current": update.current,
        "added": sorted(update.added),
        "pinned": sorted(update.keys),
    }


@pytest.mark.parametrize("path", VECTOR_FILES, ids=[p.stem for p in VECTOR_FILES])
def test_key_vector(path: Path) -> None:
    vector = json.loads(path.read_text(encoding="utf-8"))
    assert run_vector(vector) == vector["expected"]


def test_the_vectors_cover_refusals_and_acceptances() -> None:
    codes = {json.loads(p.read_text())["expected"].get("code") for p in VECTOR_FILES}
    assert codes == {
        None,
        "endorsement-invalid",
        "keys-not-endorsed",
        "key-list-too-long",
        "key-list-malformed",
    }


def test_a_rotated_keyring_is_followed_from_the_first_pin(tmp_path: Path) -> None:
    ring = Keyring(tmp_path)
    ring.current()
    first = update_pins({}, ring.document())
    ring.rotate()
    newest = ring.rotate()
    update = update_pins(first.keys, ring.document())
    assert update.current == newest.id and len(update.added) == 2
    listed = ring.document()["keys"]
    assert listed[0]["endorsement"] is None
    assert [k["endorsement"]["key_id"] for k in listed[1:]] == [k["id"] for k in listed[:-1]]


def test_a_keyring_started_afresh_is_refused(tmp_path: Path) -> None:
    old, new = Keyring(tmp_path / "old"), Keyring(tmp_path / "new")
    old.current()
    new.current()
    first = update_pins({}, old.document())
    with pytest.raises(KeyListRefused) as caught:
        update_pins(first.keys, new.document())
    assert caught.value.code == "keys-not-endorsed"
    assert "not endorsed by a pinned key" in caught.value.detail


def test_a_configured_key_is_endorsed_by_the_generated_one_before_it(tmp_path: Path) -> None:
    generated = Keyring(tmp_path).current()
    pins = update_pins({}, Keyring(tmp_path).document()).keys
    configured = generate_key()
    ring = Keyring(tmp_path, configured=configured)
    ring.current()
    update = update_pins(pins, ring.document())
    assert update.added == (key_id(configured.public_key()),)
    assert ring.document()["keys"][1]["endorsement"]["key_id"] == generated.id


def test_endorse_missing_backfills_old_rotations(tmp_path: Path) -> None:
    ring = Keyring(tmp_path)
    old = ring.current()
    pins = update_pins({}, ring.document()).keys
    ring.rotate()
    # A key directory written before endorsements existed: the entries carry none.
    path = tmp_path / "keyring.json"
    stored = json.loads(path.read_text())
    for item in stored["keys"]:
        item.pop("endorsement", None)
    path.write_text(json.dumps(stored))
    with pytest.raises(KeyListRefused):
        update_pins(pins, ring.document())
    assert ring.endorse_missing() == [stored["keys"][1]["id"]]
    assert ring.endorse_missing() == []
    assert update_pins(pins, ring.document()).added == (stored["keys"][1]["id"],)
    assert ring.current().id != old.id
