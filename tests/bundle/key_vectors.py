"""The key-chain vectors of ``docs/key-vectors/``: written from fixed seeds, so that a test
can rebuild them and see that the files were not edited by hand.

``python -m tests.bundle.key_vectors`` rewrites the files.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from trails.bundle.keychain import MAX_KEYS
from trails.bundle.signing import SigningKey, endorse, public_b64

FOLDER = Path(__file__).resolve().parents[2] / "docs" / "key-vectors"


def key(name: str) -> SigningKey:
    """A key whose seed is derived from a name (Ed25519 signatures are deterministic too)."""
    seed = hashlib.sha256(f"baladeur key vector {name}".encode()).digest()
    return SigningKey(Ed25519PrivateKey.from_private_bytes(seed))


def when(n: int) -> str:
    """A creation time, one day apart per step."""
    return f"2025-{1 + n // 28:02d}-{1 + n % 28:02d}T09:00:00Z"


def entry(
    k: SigningKey, n: int, by: SigningKey | None = None, current: bool = False
) -> dict[str, Any]:
    """One ``/v1/keys`` entry, endorsed by ``by`` when given."""
    created = when(n)
    return {
        "id": k.id,
        "algorithm": "Ed25519",
        "public_key": public_b64(k.public),
        "created_at": created,
        "current": current,
        "endorsement": endorse(by, k.public, created) if by else None,
    }


def pin(*keys: SigningKey) -> list[dict[str, str]]:
    """The pinned keys of a vector."""
    return [{"id": k.id, "public_key": public_b64(k.public)} for k in keys]


def accepted(*added: SigningKey, pinned: list[SigningKey], current: SigningKey) -> dict[str, Any]:
    """What an accepted list gives."""
    return {
        "ok": True,
        "current": current.id,
        "added": sorted(k.id for k in added),
        "pinned": sorted({k.id for k in pinned} | {k.id for k in added}),
    }


def refused(code: str) -> dict[str, Any]:
    """What a refused list gives."""
    return {"ok": False, "code": code}


def chain(length: int) -> tuple[list[SigningKey], list[dict[str, Any]]]:
    """``length`` keys, each endorsed by the one before, the last current."""
    keys = [key(f"chain {i}") for i in range(length)]
    items = [
        entry(k, i, keys[i - 1] if i else None, current=i == length - 1) for i, k in enumerate(keys)
    ]
    return keys, items


def vectors() -> dict[str, dict[str, Any]]:
    """Every vector by file name."""
    k0, k1, k2 = key("k0"), key("k1"), key("k2")
    x, y = key("stranger x"), key("stranger y")
    out: dict[str, dict[str, Any]] = {}

    def add(name: str, description: str, pinned: list[SigningKey], items: list, expected: dict):
        out[f"{len(out) + 1:02d}-{name}.json"] = {
            "description": description,
            "pinned": pin(*pinned),
            "document": {"keys": items},
            "expected": expected,
        }

    add(
        "first-use-pins-every-key",
        "No pins yet: every listed key is pinned (trust on first use).",
        [],
        [entry(k0, 0), entry(k1, 1, k0, current=True)],
        accepted(k0, k1, pinned=[], current=k1),
    )
    add(
        "nothing-new",
        "The current key is already pinned: nothing changes.",
        [k0],
        [entry(k0, 0, current=True)],
        accepted(pinned=[k0], current=k0),
    )
    add(
        "rotation-endorsed",
        "The new current key is endorsed by the pinned one.",
        [k0],
        [entry(k0, 0), entry(k1, 1, k0, current=True)],
        accepted(k1, pinned=[k0], current=k1),
    )
    add(
        "chain-of-two-rotations",
        "k0 endorses k1, k1 endorses k2: both are followed from the pin.",
        [k0],
        [entry(k0, 0), entry(k1, 1, k0), entry(k2, 2, k1, current=True)],
        accepted(k1, k2, pinned=[k0], current=k2),
    )
    add(
        "chain-listed-newest-first",
        "The order of the list does not matter.",
        [k0],
        [entry(k2, 2, k1, current=True), entry(k1, 1, k0), entry(k0, 0)],
        accepted(k1, k2, pinned=[k0], current=k2),
    )
    add(
        "pinned-key-no-longer-listed",
        "The endorsing key is pinned but the list no longer names it.",
        [k0],
        [entry(k1, 1, k0, current=True)],
        accepted(k1, pinned=[k0], current=k1),
    )
    add(
        "unendorsed-extra-key-ignored",
        "A listed key nobody trusted endorses is not pinned; the list is still accepted.",
        [k0],
        [entry(k0, 0), entry(x, 1), entry(k1, 2, k0, current=True)],
        accepted(k1, pinned=[k0], current=k1),
    )
    broken = entry(k1, 1, k0, current=True)
    sig = bytearray(base64.b64decode(broken["endorsement"]["signature"]))
    sig[5] ^= 0x01
    broken["endorsement"]["signature"] = base64.b64encode(bytes(sig)).decode()
    add(
        "broken-signature",
        "The endorsement of the new key does not verify (one bit changed).",
        [k0],
        [entry(k0, 0), broken],
        refused("endorsement-invalid"),
    )
    moved = entry(k1, 1, k0, current=True)
    moved["created_at"] = when(5)
    add(
        "endorsed-statement-changed",
        "created_at is part of what the endorsement signs: changing it breaks the endorsement.",
        [k0],
        [entry(k0, 0), moved],
        refused("endorsement-invalid"),
    )
    add(
        "broken-signature-on-first-use",
        "A list carrying a false endorsement is refused even with nothing pinned.",
        [],
        [entry(k0, 0), broken],
        refused("endorsement-invalid"),
    )
    add(
        "replaced-by-unendorsed-key",
        "The server's keys were replaced (reset or compromised): the new key has no endorsement.",
        [k0],
        [entry(x, 3, current=True)],
        refused("keys-not-endorsed"),
    )
    add(
        "chain-from-an-unpinned-key",
        "A valid chain that starts at a key the app never pinned.",
        [k0],
        [entry(x, 3), entry(y, 4, x, current=True)],
        refused("keys-not-endorsed"),
    )
    add(
        "endorsement-loop",
        "Two keys endorsing each other, neither pinned: a loop is no way in.",
        [k0],
        [entry(x, 3, y), entry(y, 4, x, current=True)],
        refused("keys-not-endorsed"),
    )
    add(
        "endorsed-by-an-unlisted-key",
        "The endorser is neither pinned nor listed.",
        [k0],
        [entry(k1, 1, x, current=True)],
        refused("keys-not-endorsed"),
    )
    keys, items = chain(MAX_KEYS)
    add(
        "longest-chain",
        f"A chain through {MAX_KEYS} keys, the most a list may hold.",
        [keys[0]],
        items,
        accepted(*keys[1:], pinned=[keys[0]], current=keys[-1]),
    )
    keys, items = chain(MAX_KEYS + 1)
    add(
        "chain-too-long",
        f"A list of {MAX_KEYS + 1} keys is refused before any signature is checked.",
        [keys[0]],
        items,
        refused("key-list-too-long"),
    )
    forged = entry(k1, 1, k0, current=True)
    forged["id"] = k2.id
    add(
        "id-does-not-match",
        "A key's id is not the one its public key gives.",
        [k0],
        [entry(k0, 0), forged],
        refused("key-list-malformed"),
    )
    add(
        "two-current-keys",
        "A list marks exactly one key as current.",
        [k0],
        [entry(k0, 0, current=True), entry(k1, 1, k0, current=True)],
        refused("key-list-malformed"),
    )
    return out


def main() -> None:
    """Rewrite the vector files."""
    FOLDER.mkdir(parents=True, exist_ok=True)
    for old in FOLDER.glob("*.json"):
        old.unlink()
    for name, vector in vectors().items():
        text = json.dumps(vector, indent=2, ensure_ascii=False) + "\n"
        (FOLDER / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
