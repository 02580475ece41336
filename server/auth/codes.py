"""Access codes of private trails: a keyed hash, checked in constant time and rate-limited.

A code is stored as ``hmac-sha256$<salt>$<digest>``: HMAC-SHA256, keyed with a key derived
from the server's secret key, of a random per-trail salt and the code. Checking one costs
microseconds, the same for a trail that does not exist (a dummy is checked), so a guess is
no longer a CPU and memory amplifier; guessing is bounded by the attempt limiter, and a
stolen database alone does not allow an offline search (the key is not in it).

Codes stored before this scheme are argon2 hashes: they are still checked (slowly, and only
for a trail that exists and within the same limits) and re-stored as the keyed hash the
first time a visitor gives the right code.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from server.auth.passwords import verify_password
from server.auth.ratelimit import Limiter
from trails.errors import invalid
from trails.messages import msg

SCHEME = "hmac-sha256"
MIN_LENGTH = 10
MAX_LENGTH = 64
_DUMMY_SALT = "0" * 32


class AccessCodes:
    """Hashes and checks access codes with a key derived from the server's secret key."""

    def __init__(self, secret: str) -> None:
        self._key = hmac.new(secret.encode(), b"baladeur access codes v1", hashlib.sha256).digest()

    def _digest(self, salt: str, code: str) -> str:
        message = f"{salt}\x00{code}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def hash(self, code: str) -> str:
        """The stored form of a new code (a fresh salt each time)."""
        if not MIN_LENGTH <= len(code) <= MAX_LENGTH:
            raise invalid(
                "access_code",
                None,
                msg(
                    "an access code has {min} to {max} characters (a "
                    "generated one is best: four random words, or 12 random letters and "
                    "digits)",
                    min=MIN_LENGTH,
                    max=MAX_LENGTH,
                ),
            )
        salt = secrets.token_hex(16)
        return f"{SCHEME}${salt}${self._digest(salt, code)}"

    def matches(self, stored: str | None, code: str) -> bool:
        """Whether ``code`` is the one stored; ``None`` (no trail) costs the same and fails."""
        if stored is not None and not stored.startswith(f"{SCHEME}$"):
            return verify_password(stored, code)  # a code stored before keyed hashes
        _, salt, digest = (stored or f"{SCHEME}${_DUMMY_SALT}$").split("$", 2)
        expected = self._digest(salt, code)
        return hmac.compare_digest(expected, digest) and stored is not None

    @staticmethod
    def is_legacy(stored: str | None) -> bool:
        """Whether a stored code predates keyed hashes (and should be re-stored)."""
        return stored is not None and not stored.startswith(f"{SCHEME}$")


@dataclass(frozen=True)
class GivenCode:
    """An access code a visitor gave, with what is needed to check it under the limits."""

    value: str
    address: str
    codes: AccessCodes
    limiter: Limiter

    def opens(self, slug: str, stored: str | None) -> bool:
        """Whether this code opens trail ``slug`` (``stored`` is None for no such trail).

        Counted per trail and per address whether the trail exists or not (429 when over
        the limit), so that neither the answer nor its time tells an unknown trail apart.
        """
        attempt = self.limiter.attempt(f"trail:{slug}", self.address)
        if self.codes.matches(stored, self.value):
            attempt.succeeded()
            return True
        return False
