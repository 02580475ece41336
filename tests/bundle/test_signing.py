"""Ed25519 keys: ids, files with mode 0600, settings strings, the keyring and rotation."""

from __future__ import annotations

import base64
import hashlib
import stat
from pathlib import Path

import pytest

from trails.bundle.signing import (
    Keyring,
    SigningKey,
    generate_key,
    key_id,
    keys_from_document,
    load_private_key,
    parse_private_key,
    parse_public_key,
    private_key_pem,
    raw_public,
    save_private_key,
    verify_signature,
)
from trails.errors import InvalidInput


def test_key_id_is_a_prefix_of_the_public_key_hash() -> None:
    key = generate_key()
    assert key_id(key.public_key()) == hashlib.sha256(raw_public(key.public_key())).hexdigest()[:16]


def test_sign_and_verify_are_deterministic() -> None:
    key = SigningKey(generate_key())
    assert key.sign(b"manifest") == key.sign(b"manifest")
    assert verify_signature(key.public, key.sign(b"manifest"), b"manifest")
    assert not verify_signature(key.public, key.sign(b"manifest"), b"manifesT")


def test_saved_private_key_is_owner_only_and_loads_back(tmp_path: Path) -> None:
    key = generate_key()
    path = tmp_path / "keys" / "signing.key"
    save_private_key(key, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key_id(load_private_key(path).public_key()) == key_id(key.public_key())
    assert [p.name for p in path.parent.iterdir()] == ["signing.key"]  # no temporary left


def test_private_key_from_a_setting_string() -> None:
    key = generate_key()
    seed = key.private_bytes_raw()
    from_b64 = parse_private_key(base64.b64encode(seed).decode())
    from_pem = parse_private_key(private_key_pem(key).decode())
    assert from_b64.private_bytes_raw() == seed == from_pem.private_bytes_raw()


@pytest.mark.parametrize("text", ["", "not base64!", base64.b64encode(b"short").decode()])
def test_bad_key_strings_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_private_key(text)
    with pytest.raises(InvalidInput):
        parse_public_key(text)


def test_keyring_creates_one_key_on_first_use(tmp_path: Path) -> None:
    ring = Keyring(tmp_path / "keys")
    first = ring.current()
    assert Keyring(tmp_path / "keys").current().id == first.id
    private = tmp_path / "keys" / f"{first.id}.key"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    listed = ring.document()["keys"]
    assert [(k["id"], k["current"], k["algorithm"]) for k in listed] == [
        (first.id, True, "Ed25519")
    ]
    assert base64.b64decode(listed[0]["public_key"]) == raw_public(first.public)


def test_rotation_keeps_old_public_keys(tmp_path: Path) -> None:
    ring = Keyring(tmp_path)
    old = ring.current()
    new = ring.rotate()
    assert ring.current().id == new.id != old.id
    listed = {k.id: k.current for k in ring.public_keys()}
    assert listed == {old.id: False, new.id: True}
    assert set(ring.public_key_map()) == {old.id, new.id}


def test_configured_key_is_current_and_earlier_ones_stay_listed(tmp_path: Path) -> None:
    generated = Keyring(tmp_path).current()
    configured = generate_key()
    ring = Keyring(tmp_path, configured=configured)
    assert ring.current().id == key_id(configured.public_key())
    assert not (tmp_path / f"{ring.current().id}.key").exists()  # the setting stays the source
    replaced = Keyring(tmp_path, configured=generate_key())
    replaced.current()
    ids = [k.id for k in replaced.public_keys()]
    assert ids[:2] == [generated.id, key_id(configured.public_key())] and len(ids) == 3
    with pytest.raises(InvalidInput):
        replaced.rotate()


def test_keys_document_round_trip_and_forged_id(tmp_path: Path) -> None:
    ring = Keyring(tmp_path)
    key = ring.current()
    assert set(keys_from_document(ring.document())) == {key.id}
    forged = ring.document()
    forged["keys"][0]["id"] = "0" * 16
    with pytest.raises(InvalidInput):
        keys_from_document(forged)
    with pytest.raises(InvalidInput):
        keys_from_document({"keys": "nope"})
