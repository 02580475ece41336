"""Opaque bearer tokens: random, stored as a hash, expiring, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.models import ApiToken, User
from server.errors import Unauthorized
from trails.messages import msg

PREFIX = "bal_"


def token_hash(raw: str) -> str:
    """The stored form of a token (or an invitation code)."""
    return hashlib.sha256(raw.encode()).hexdigest()


def new_secret(prefix: str = PREFIX) -> str:
    """A fresh unguessable secret (256 bits)."""
    return prefix + secrets.token_urlsafe(32)


def issue(
    session: Session, user: User, ttl_s: int, now: datetime | None = None
) -> tuple[str, ApiToken]:
    """Create a token for ``user``; the raw value is returned once and never stored."""
    now = now or datetime.now(UTC)
    raw = new_secret()
    row = ApiToken(
        user_id=user.id,
        token_hash=token_hash(raw),
        created_at=now,
        expires_at=now + timedelta(seconds=ttl_s),
    )
    session.add(row)
    session.flush()
    return raw, row


def resolve(session: Session, raw: str, now: datetime | None = None) -> ApiToken:
    """The live token row for a raw token, or :class:`Unauthorized` saying why not."""
    now = now or datetime.now(UTC)
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(raw)))
    if row is None:
        raise Unauthorized(msg("this token is not valid; sign in again"))
    if row.revoked_at is not None:
        raise Unauthorized(msg("this token was revoked (signed out); sign in again"))
    if row.expires_at <= now:
        raise Unauthorized(msg("this token has expired; sign in again"))
    return row


def revoke(row: ApiToken, now: datetime | None = None) -> None:
    """Sign out: the token stops working at once."""
    row.revoked_at = now or datetime.now(UTC)
