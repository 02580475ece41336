"""Blob keys: relative, slash-separated, never escaping their store."""

from __future__ import annotations

import re

from trails.errors import invalid

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(?:/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


def check_key(key: str) -> str:
    """Return ``key`` if it is a safe blob key, else raise :class:`InvalidInput`."""
    if not _KEY.match(key) or ".." in key.split("/"):
        raise invalid("key", key, "a blob key is relative, uses '/' and has no '..'")
    return key
