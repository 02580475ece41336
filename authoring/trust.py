"""The command line's trust store: publishers' pinned public keys, by server address.

One JSON file, by default ``$XDG_CONFIG_HOME/baladeur/trusted-keys.json``
(``~/.config/baladeur/trusted-keys.json``)::

    {"publishers": {"https://example.org": {"keys": [{"id", "algorithm", "public_key"}]}}}

A publisher is a server address (bundle format section 4.1): scheme, host and port in lower
case, default ports dropped, and the path before ``/v1/keys`` without its last ``/``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from trails.bundle.signing import ALGORITHM, parse_public_key, public_b64
from trails.errors import invalid
from trails.files import atomic_file
from trails.messages import msg

_DEFAULT_PORTS = {"http": 80, "https": 443}


def default_trust_path() -> Path:
    """Where pins are kept when ``--trust`` is not given."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "baladeur" / "trusted-keys.json"


def publisher_address(url: str) -> str:
    """The address that names a publisher: ``https://Example.org:443/x/`` is ``https://example.org/x``."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise invalid("--server", url, msg("a server address is http(s)://host[:port][/path]"))
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    return f"{scheme}://{netloc}{parts.path.rstrip('/')}"


class TrustStore:
    """Pinned keys per publisher in one JSON file; every change rewrites it atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"publishers": {}}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            reason = msg("unreadable trust store: {reason}", reason=exc)
            raise invalid("--trust", str(self.path), reason) from None
        if not isinstance(data, dict) or not isinstance(data.get("publishers"), dict):
            raise invalid(
                "--trust", str(self.path), msg('a trust store is {{"publishers": {{...}}}}')
            )
        return data

    def pins(self, publisher: str) -> dict[str, Ed25519PublicKey]:
        """The keys pinned for one publisher (empty when none yet)."""
        entry = self._read()["publishers"].get(publisher) or {}
        field = f"{self.path}: {publisher}"
        return {k["id"]: parse_public_key(k["public_key"], field) for k in entry.get("keys", [])}

    def every_pin(self) -> dict[str, Ed25519PublicKey]:
        """Every pinned key of every publisher, by id."""
        out: dict[str, Ed25519PublicKey] = {}
        for publisher in self._read()["publishers"]:
            out.update(self.pins(publisher))
        return out

    def pin(self, publisher: str, keys: dict[str, Ed25519PublicKey]) -> None:
        """Record the keys pinned for a publisher."""
        data = self._read()
        data["publishers"][publisher] = {
            "keys": [
                {"id": id_, "algorithm": ALGORITHM, "public_key": public_b64(public)}
                for id_, public in keys.items()
            ]
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(self.path) as fh:
            fh.write((json.dumps(data, indent=2, sort_keys=True) + "\n").encode())
