"""ETags of editable objects and the ``If-Match`` rule for writes."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Protocol

from server.errors import PreconditionFailed, PreconditionRequired
from trails.messages import msg


class Versioned(Protocol):
    """A row with an id and an optimistic-locking version."""

    id: int
    version: int


def etag_of(kind: str, row: Versioned) -> str:
    """The strong ETag of a row: its kind, id and version counter."""
    return f'"{kind}-{row.id}-{row.version}"'


def content_etag(kind: str, row_id: int, fields: dict[str, Any]) -> str:
    """The strong ETag of a row without a version counter: its kind, id and a digest of
    what it says, so that any change to a field makes the last one stale."""
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return f'"{kind}-{row_id}-{hashlib.sha256(text.encode()).hexdigest()[:16]}"'


def member_etag(organisation_id: int, user_id: int, version: int) -> str:
    """The ETag of a membership (keyed by organisation and user)."""
    return f'"member-{organisation_id}-{user_id}-{version}"'


def require_match(if_match: str | None, current: str) -> None:
    """Refuse a write without ``If-Match`` (428) or with a stale one (412)."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(
            msg(
                "send the If-Match header with the ETag you last read, so that nobody's"
                " changes are overwritten"
            )
        )
    tags = [tag.strip().removeprefix("W/") for tag in if_match.split(",")]
    if "*" in tags or current in tags:
        return
    raise PreconditionFailed(
        msg("someone changed this since you read it; reload it and apply your change again")
    )
