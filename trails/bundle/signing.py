"""Ed25519 signing keys: create, store, load, identify, sign, verify, rotate."""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import hashlib
import itertools
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from trails.bundle.canonical import canonical_json
from trails.errors import invalid
from trails.files import atomic_file
from trails.messages import msg

ALGORITHM = "Ed25519"
# The statement an endorsement signs names its type, so that it can never be read as a
# manifest (the same key signs both).
ENDORSEMENT_TYPE = "baladeur-key-endorsement"
KEY_ID_HEX_CHARS = 16
_RING_FILE = "keyring.json"
_LOCK_FILE = ".lock"


def key_id(public: Ed25519PublicKey) -> str:
    """A key's identifier: the first 16 hex digits of the sha256 of its raw 32 bytes."""
    return hashlib.sha256(raw_public(public)).hexdigest()[:KEY_ID_HEX_CHARS]


def raw_public(public: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of a public key."""
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_b64(public: Ed25519PublicKey) -> str:
    """A public key as standard base64 of its 32 raw bytes (the form ``/v1/keys`` serves)."""
    return base64.b64encode(raw_public(public)).decode("ascii")


def generate_key() -> Ed25519PrivateKey:
    """A fresh private key."""
    return Ed25519PrivateKey.generate()


def sign(private: Ed25519PrivateKey, data: bytes) -> bytes:
    """The 64-byte Ed25519 signature of ``data`` (deterministic: same key, same bytes)."""
    return private.sign(data)


def verify_signature(public: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    """Whether ``signature`` is a valid signature of ``data`` by ``public``."""
    try:
        public.verify(signature, data)
    except InvalidSignature:
        return False
    return True


def private_key_pem(private: Ed25519PrivateKey) -> bytes:
    """A private key as unencrypted PKCS#8 PEM (readable by OpenSSL)."""
    return private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def save_private_key(private: Ed25519PrivateKey, path: Path) -> None:
    """Write a private key file atomically, mode 0600 from its first byte."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path, mode=0o600) as fh:
        fh.write(private_key_pem(private))


def parse_private_key(text: str | bytes, field: str = "key") -> Ed25519PrivateKey:
    """A private key from PKCS#8 PEM, or from base64 of its 32-byte seed (a setting's form)."""
    data = text.encode("ascii", "replace") if isinstance(text, str) else text
    stripped = data.strip()
    if stripped.startswith(b"-----BEGIN"):
        try:
            key = serialization.load_pem_private_key(stripped, password=None)
        except (ValueError, TypeError) as exc:
            raise invalid(
                field, None, msg("not a readable PEM private key: {reason}", reason=exc)
            ) from None
        if not isinstance(key, Ed25519PrivateKey):
            raise invalid(field, None, msg("the PEM key is not an Ed25519 key"))
        return key
    seed = _b64_32(stripped, field, "private key")
    return Ed25519PrivateKey.from_private_bytes(seed)


def parse_public_key(text: str | bytes, field: str = "key") -> Ed25519PublicKey:
    """A public key from PEM (SubjectPublicKeyInfo) or base64 of its 32 raw bytes."""
    data = text.encode("ascii", "replace") if isinstance(text, str) else text
    stripped = data.strip()
    if stripped.startswith(b"-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(stripped)
        except (ValueError, TypeError) as exc:
            raise invalid(
                field, None, msg("not a readable PEM public key: {reason}", reason=exc)
            ) from None
        if not isinstance(key, Ed25519PublicKey):
            raise invalid(field, None, msg("the PEM key is not an Ed25519 key"))
        return key
    return Ed25519PublicKey.from_public_bytes(_b64_32(stripped, field, "public key"))


def _b64_32(data: bytes, field: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        if what == "private key":
            raise invalid(
                field, None, msg("an Ed25519 private key is PEM or base64 of 32 raw bytes")
            )
        raise invalid(field, None, msg("an Ed25519 public key is PEM or base64 of 32 raw bytes"))
    return raw


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """Read a private key file (PEM or base64 seed)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise invalid(
            "key", str(path), msg("cannot read the key file: {reason}", reason=exc.strerror)
        ) from None
    return parse_private_key(data, field=str(path))


def keys_from_document(document: Any, field: str = "keys") -> dict[str, Ed25519PublicKey]:
    """Public keys by id from a ``/v1/keys`` document; each id is checked against its key."""
    items = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise invalid(
            field, None, msg('a key list is {{"keys": [{{"id", "algorithm", "public_key"}}]}}')
        )
    out: dict[str, Ed25519PublicKey] = {}
    for i, item in enumerate(items):
        if not isinstance(item, dict) or item.get("algorithm") != ALGORITHM:
            raise invalid(f"{field}.{i}", item, msg("each key needs algorithm Ed25519"))
        public = parse_public_key(str(item.get("public_key", "")), field=f"{field}.{i}")
        if item.get("id") != key_id(public):
            raise invalid(f"{field}.{i}.id", item.get("id"), msg("the id does not match the key"))
        out[key_id(public)] = public
    return out


@dataclass(frozen=True)
class SigningKey:
    """A private key with its id, ready to sign."""

    private: Ed25519PrivateKey

    @property
    def id(self) -> str:
        """The key id."""
        return key_id(self.private.public_key())

    @property
    def public(self) -> Ed25519PublicKey:
        """The public half."""
        return self.private.public_key()

    def sign(self, data: bytes) -> bytes:
        """Sign bytes."""
        return sign(self.private, data)


def endorsement_statement(new_id: str, public_key: str, created_at: str) -> bytes:
    """The exact bytes an endorsement signs: a typed, canonical statement of the new key."""
    return canonical_json(
        {
            "type": ENDORSEMENT_TYPE,
            "id": new_id,
            "algorithm": ALGORITHM,
            "public_key": public_key,
            "created_at": created_at,
        }
    )


def endorse(previous: SigningKey, new_public: Ed25519PublicKey, created_at: str) -> dict[str, str]:
    """The endorsement of a new key by the previous one, as ``/v1/keys`` lists it."""
    statement = endorsement_statement(key_id(new_public), public_b64(new_public), created_at)
    return {
        "key_id": previous.id,
        "signature": base64.b64encode(previous.sign(statement)).decode("ascii"),
    }


@dataclass(frozen=True)
class PublicKeyInfo:
    """One entry of the published key list."""

    id: str
    public_key: Ed25519PublicKey
    created_at: str
    current: bool
    endorsement: dict[str, str] | None = None

    def as_dict(self) -> dict[str, Any]:
        """The ``/v1/keys`` form of the entry."""
        return {
            "id": self.id,
            "algorithm": ALGORITHM,
            "public_key": public_b64(self.public_key),
            "created_at": self.created_at,
            "current": self.current,
            "endorsement": self.endorsement,
        }


class Keyring:
    """Signing keys kept in a directory: the current one, and every public key ever used.

    Layout: ``<id>.key`` (private, PEM, mode 0600) for generated keys, and ``keyring.json``
    listing every key's public half, creation time and which one is current. A key given
    through settings (``configured``) is current and is recorded in the list, so that
    bundles signed with an earlier key still verify after the setting changes.
    When a key replaces a current one whose private half is at hand (a ``<id>.key`` file),
    the previous key endorses the new one, so that apps that pinned it follow the rotation.
    Processes sharing the directory serialise creation and rotation with a file lock.
    """

    def __init__(self, directory: Path, configured: Ed25519PrivateKey | None = None) -> None:
        self.directory = Path(directory)
        self.configured = configured

    def current(self) -> SigningKey:
        """The current signing key, created (or the configured one recorded) on first use."""
        with self._locked():
            ring = self._read()
            if self.configured is not None:
                key = SigningKey(self.configured)
                if ring.get("current") != key.id:
                    self._record(ring, key, save_private=False, endorser=self._private(ring))
                return key
            current = ring.get("current")
            if current and (self.directory / f"{current}.key").is_file():
                return SigningKey(load_private_key(self.directory / f"{current}.key"))
            key = SigningKey(generate_key())
            self._record(ring, key, save_private=True, endorser=self._private(ring))
            return key

    def rotate(self) -> SigningKey:
        """Make a new generated key current; earlier public keys stay listed."""
        if self.configured is not None:
            raise invalid(
                "signing_key", None, msg("the key is set by configuration: change it there")
            )
        with self._locked():
            ring = self._read()
            key = SigningKey(generate_key())
            self._record(ring, key, save_private=True, endorser=self._private(ring))
            return key

    def endorse_missing(self) -> list[str]:
        """Endorse each unendorsed key by the one listed before it, when that key's file is here.

        For keys rotated before endorsements existed; returns the ids newly endorsed.
        """
        with self._locked():
            ring = self._read()
            keys = [dict(k) for k in ring.get("keys", [])]
            done: list[str] = []
            for before, item in itertools.pairwise(keys):
                if item.get("endorsement") or item["id"] == before["id"]:
                    continue
                signer = self._private_of(before["id"])
                if signer is not None:
                    public = parse_public_key(item["public_key"])
                    item["endorsement"] = endorse(signer, public, item["created_at"])
                    done.append(item["id"])
            if done:
                self._write({"current": ring.get("current"), "keys": keys})
            return done

    def public_keys(self) -> list[PublicKeyInfo]:
        """Every listed public key, oldest first, the current one flagged."""
        ring = self._read()
        return [
            PublicKeyInfo(
                id=item["id"],
                public_key=parse_public_key(item["public_key"]),
                created_at=item["created_at"],
                current=item["id"] == ring.get("current"),
                endorsement=item.get("endorsement"),
            )
            for item in ring.get("keys", [])
        ]

    def public_key_map(self) -> dict[str, Ed25519PublicKey]:
        """Public keys by id, for verification."""
        return {info.id: info.public_key for info in self.public_keys()}

    def document(self) -> dict[str, Any]:
        """The body of ``GET /v1/keys``."""
        return {"keys": [info.as_dict() for info in self.public_keys()]}

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        with (self.directory / _LOCK_FILE).open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read(self) -> dict[str, Any]:
        path = self.directory / _RING_FILE
        if not path.is_file():
            return {"current": None, "keys": []}
        try:
            ring: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise invalid(
                "keyring", str(path), msg("unreadable key list: {reason}", reason=exc)
            ) from None
        return ring

    def _private_of(self, id_: str) -> SigningKey | None:
        if self.configured is not None and key_id(self.configured.public_key()) == id_:
            return SigningKey(self.configured)
        path = self.directory / f"{id_}.key"
        return SigningKey(load_private_key(path)) if path.is_file() else None

    def _private(self, ring: dict[str, Any]) -> SigningKey | None:
        current = ring.get("current")
        return self._private_of(current) if current else None

    def _record(
        self,
        ring: dict[str, Any],
        key: SigningKey,
        *,
        save_private: bool,
        endorser: SigningKey | None,
    ) -> None:
        if save_private:
            save_private_key(key.private, self.directory / f"{key.id}.key")
        keys = list(ring.get("keys", []))
        if all(k["id"] != key.id for k in keys):
            created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            item: dict[str, Any] = {
                "id": key.id,
                "public_key": public_b64(key.public),
                "created_at": created,
            }
            if endorser is not None and endorser.id != key.id:
                item["endorsement"] = endorse(endorser, key.public, created)
            keys.append(item)
        self._write({"current": key.id, "keys": keys})

    def _write(self, ring: dict[str, Any]) -> None:
        _write_atomic(self.directory / _RING_FILE, json.dumps(ring, indent=2).encode())


def _write_atomic(path: Path, data: bytes) -> None:
    with atomic_file(path) as fh:
        fh.write(data)


def signature_document(key: SigningKey, manifest_bytes: bytes) -> dict[str, str]:
    """The content of ``manifest.sig.json``: a detached signature of the exact manifest bytes."""
    return {
        "algorithm": ALGORITHM,
        "key_id": key.id,
        "signature": base64.b64encode(key.sign(manifest_bytes)).decode("ascii"),
    }


def public_keys_from_text(text: str, field: str = "key") -> dict[str, Ed25519PublicKey]:
    """Public keys by id from a key file's text.

    Accepted: a ``/v1/keys`` JSON document, a PEM public or private key (its public half),
    or base64 of a 32-byte raw public key.
    """
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            document = json.loads(stripped)
        except (ValueError, RecursionError) as exc:
            raise invalid(
                field, None, msg("not a readable key list: {reason}", reason=exc)
            ) from None
        return keys_from_document(document, field)
    if "PRIVATE KEY" in stripped.split("\n", 1)[0]:
        public = parse_private_key(stripped, field).public_key()
    else:
        public = parse_public_key(stripped, field)
    return {key_id(public): public}


def public_key_pem(public: Ed25519PublicKey) -> bytes:
    """A public key as PEM (SubjectPublicKeyInfo)."""
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
