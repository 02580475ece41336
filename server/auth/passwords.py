"""Passwords: one rule for every password that is set, and hashing with argon2id.

The rule is a small, explained rule set rather than a strength estimator: at least 10 and
at most 1,024 characters (sign-in accepts no longer ones, so a longer one could never be
used); at least 5 different characters; not a run such as ``0123456789`` or ``zyxwvutsrq``;
not one of the commonest long passwords; not the account's email address or its name part.
Everything else is the person's choice (a passphrase is best).
"""

from __future__ import annotations

from itertools import pairwise

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from trails.errors import invalid
from trails.messages import msg

MIN_LENGTH = 10
MAX_LENGTH = 1024
MIN_DISTINCT = 5
# The commonest passwords of 10 characters or more in public breach lists, and the French
# and Belgian keyboard's own (compared without case).
COMMON = frozenset(
    {
        "1234567890",
        "0987654321",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "qwertyuiop",
        "azertyuiop",
        "qwertzuiop",
        "password123",
        "password1234",
        "passw0rd123",
        "motdepasse",
        "motdepasse123",
        "wachtwoord",
        "iloveyou123",
        "princess123",
        "football123",
        "baseball123",
        "abc1234567",
        "a1b2c3d4e5",
        "qwerty12345",
        "qwerty123456",
        "azerty1234",
        "azerty123456",
        "1234567890a",
        "0123456789",
        "123456789a",
        "1234512345",
        "123123123123",
        "baladeur123",
        "baladeur2026",
    }
)
_hasher = PasswordHasher()
# Verifying against this when the account does not exist keeps both paths equally slow,
# so response times do not reveal which emails have accounts.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")


def _is_run(password: str) -> bool:
    # Every step between neighbouring characters is the same: 0123456789, zyxwvutsrq, 2468...
    steps = {ord(b) - ord(a) for a, b in pairwise(password)}
    return len(steps) == 1


def check_strength(password: str, *avoid: str) -> str:
    """Refuse a password that is too short, too long or trivial to guess (422 on ``password``).

    ``avoid`` holds words the password must not be, nor contain, such as the email address.
    """
    if len(password) < MIN_LENGTH:
        raise invalid("password", None, msg("use at least {min} characters", min=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        raise invalid("password", None, msg("use at most {max} characters", max=MAX_LENGTH))
    folded = password.casefold()
    if len(set(folded)) < MIN_DISTINCT or _is_run(folded) or folded in COMMON:
        raise invalid(
            "password",
            None,
            msg("this password is too easy to guess; a few unrelated words work well"),
        )
    for word in avoid:
        for part in {word.casefold(), word.casefold().split("@")[0]}:
            if len(part) >= 4 and part in folded:
                raise invalid(
                    "password", None, msg("a password must not contain your email address")
                )
    return password


def hash_password(password: str, *avoid: str) -> str:
    """An argon2id hash of a password that passes :func:`check_strength` (salted)."""
    return _hasher.hash(check_strength(password, *avoid))


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether the password matches; an account without a password never matches."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False
