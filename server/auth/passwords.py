"""Password hashing with argon2id."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from trails.errors import invalid

MIN_LENGTH = 10
_hasher = PasswordHasher()
# Verifying against this when the account does not exist keeps both paths equally slow,
# so response times do not reveal which emails have accounts.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")


def check_strength(password: str) -> str:
    """Refuse passwords too short to resist guessing."""
    if len(password) < MIN_LENGTH:
        raise invalid("password", None, f"use at least {MIN_LENGTH} characters")
    return password


def hash_password(password: str) -> str:
    """An argon2id hash of the password (salted)."""
    return _hasher.hash(check_strength(password))


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether the password matches; an account without a password never matches."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False
