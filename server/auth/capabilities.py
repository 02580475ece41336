"""Expiring capabilities: a private trail's bundle redirect hands one out, by-hash URLs check it.

A capability is ``<expiry>.<mac>``: an HMAC-SHA256, keyed with the server's secret key, of
the bundle's sha256 and the expiry. It is made and checked without any I/O: the key is read
once, when the application starts (``app.state.bundle_capabilities``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

CAPABILITY_TTL_S = 24 * 3600
"""How long the address a private trail's bundle redirect gives stays valid (to resume)."""
# Far beyond any expiry this server writes (year 2286), and short enough for int().
_MAX_EXPIRY_DIGITS = 10


class BundleCapabilities:
    """Issues and checks permissions to download one bundle until an expiry."""

    def __init__(self, secret: str) -> None:
        self._key = secret.encode()

    def _mac(self, sha256: str, expires: int) -> str:
        message = f"bundle-access:{sha256}:{expires}".encode()
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def issue(self, sha256: str, now: float) -> str:
        """An unguessable, expiring permission to download one bundle: ``<expiry>.<mac>``."""
        expires = int(now) + CAPABILITY_TTL_S
        return f"{expires}.{self._mac(sha256, expires)}"

    def valid(self, sha256: str, access: str, now: float) -> bool:
        """Whether ``access`` is an unexpired capability of this bundle (anything else: no)."""
        expires, _, mac = access.partition(".")
        # ASCII digits only: str.isdigit() also takes '²', which int() refuses.
        if not (expires.isascii() and expires.isdigit()) or len(expires) > _MAX_EXPIRY_DIGITS:
            return False
        if int(expires) < now:
            return False
        return hmac.compare_digest(mac, self._mac(sha256, int(expires)))
