"""The audit trail: who did what to which object (no audio, no visitor data)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from server.db.models import AuditEntry, User


def record(
    session: Session,
    organisation_id: int,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: int | None,
    **details: Any,
) -> AuditEntry:
    """Add an audit entry in the caller's transaction (it lands only if the change does)."""
    entry = AuditEntry(
        organisation_id=organisation_id,
        actor_id=actor.id if actor else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=details,
    )
    session.add(entry)
    return entry
