"""Pinned publisher keys, carried across a key rotation only by endorsements.

An endorsement is the previous signing key's Ed25519 signature over a canonical statement
of the new key (``docs/bundle-format.md`` section 4.1). An app that pinned a publisher's keys
accepts a new key list only when its current key is reached from a pinned key through a
chain of such endorsements; anything else is refused rather than replacing the pin.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from trails.bundle.signing import ALGORITHM, endorsement_statement, key_id, verify_signature
from trails.errors import DomainError
from trails.messages import msg

# One list of at most this many keys bounds every chain an app follows (63 rotations).
MAX_KEYS = 64
# The bundle format's time form; it keeps the signed statement ASCII in every language.
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


class KeyListRefused(DomainError):
    """A ``/v1/keys`` document that may not change a publisher's pinned keys."""

    title = "Key list refused"

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


@dataclass(frozen=True)
class _Entry:
    id: str
    public: Ed25519PublicKey
    public_text: str
    created_at: str
    current: bool
    endorser: str | None
    signature: bytes | None


@dataclass(frozen=True)
class PinUpdate:
    """The outcome of reading a key list against a publisher's pins."""

    keys: dict[str, Ed25519PublicKey]
    added: tuple[str, ...]
    current: str
    first_use: bool


def update_pins(pinned: Mapping[str, Ed25519PublicKey], document: Any) -> PinUpdate:
    """The pins after reading ``document``, or :class:`KeyListRefused` with a stable code.

    With no pins yet (first use) every listed key is pinned. Otherwise a listed key is
    pinned only when endorsed by a key already trusted, and the list's current key must be.
    Pinned keys are never dropped by a list that no longer names them.
    """
    entries = _entries(document)
    by_id = {e.id: e for e in entries}
    for entry in entries:
        signer = pinned.get(entry.endorser or "") or (
            by_id[entry.endorser].public if entry.endorser in by_id else None
        )
        if signer is None or entry.signature is None:
            continue
        statement = endorsement_statement(entry.id, entry.public_text, entry.created_at)
        if not verify_signature(signer, entry.signature, statement):
            raise KeyListRefused(
                "endorsement-invalid",
                msg(
                    "the endorsement of key {key} by key {endorser} does not verify",
                    key=entry.id,
                    endorser=entry.endorser,
                ),
            )
    current = next(e.id for e in entries if e.current)
    if not pinned:
        keys = {e.id: e.public for e in entries}
        return PinUpdate(keys, tuple(keys), current, first_use=True)
    trusted = dict(pinned)
    added: list[str] = []
    grew = True
    while grew:  # a fixed point: loops and keys endorsed by strangers never get in
        grew = False
        for entry in entries:
            if entry.id not in trusted and entry.endorser in trusted and entry.signature:
                trusted[entry.id] = entry.public
                added.append(entry.id)
                grew = True
    if current not in trusted:
        raise KeyListRefused(
            "keys-not-endorsed",
            msg(
                "the current key {key} is not endorsed by a pinned key"
                " (pinned: {pinned}); the key list was not accepted",
                key=current,
                pinned=", ".join(sorted(pinned)),
            ),
        )
    return PinUpdate(trusted, tuple(added), current, first_use=False)


def _malformed(detail: str) -> KeyListRefused:
    return KeyListRefused("key-list-malformed", detail)


def _entries(document: Any) -> list[_Entry]:
    items = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise _malformed(msg('a key list is {{"keys": [...]}}'))
    if len(items) > MAX_KEYS:
        raise KeyListRefused(
            "key-list-too-long",
            msg("{count} keys listed; at most {limit} are read", count=len(items), limit=MAX_KEYS),
        )
    entries = [_entry(i, item) for i, item in enumerate(items)]
    if len({e.id for e in entries}) != len(entries):
        raise _malformed(msg("a key is listed twice"))
    if sum(e.current for e in entries) != 1:
        raise _malformed(msg("a key list marks exactly one key as current"))
    return entries


def _entry(i: int, item: Any) -> _Entry:
    if not isinstance(item, dict) or item.get("algorithm") != ALGORITHM:
        raise _malformed(
            msg("key {index}: the algorithm must be {algorithm}", index=i, algorithm=ALGORITHM)
        )
    text = item.get("public_key")
    raw = _b64(text, 32)
    if raw is None or not isinstance(text, str):
        raise _malformed(msg("key {index}: public_key is base64 of 32 bytes", index=i))
    public = Ed25519PublicKey.from_public_bytes(raw)
    if item.get("id") != key_id(public):
        raise _malformed(msg("key {index}: the id does not match the key", index=i))
    created_at = item.get("created_at")
    current = item.get("current", False)
    if not isinstance(created_at, str) or not _TIME.fullmatch(created_at):
        raise _malformed(
            msg("key {index}: created_at is a UTC time like 2025-06-21T08:00:00Z", index=i)
        )
    if not isinstance(current, bool):
        raise _malformed(msg("key {index}: current is true or false", index=i))
    endorsement = item.get("endorsement")
    endorser, signature = None, None
    if endorsement is not None:
        endorser = endorsement.get("key_id") if isinstance(endorsement, dict) else None
        signature = _b64(endorsement.get("signature"), 64) if endorser else None
        if not isinstance(endorser, str) or signature is None:
            raise _malformed(
                msg("key {index}: an endorsement is {{key_id, signature (64 bytes)}}", index=i)
            )
    return _Entry(item["id"], public, text, created_at, current, endorser, signature)


def _b64(text: Any, size: int) -> bytes | None:
    if not isinstance(text, str):
        return None
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == size else None
