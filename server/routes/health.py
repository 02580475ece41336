"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter

from server.db.engine import check_connection
from server.deps import BlobsDep, DatabaseDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get(
    "/readyz", responses={503: {"description": "The database or the blob store is unavailable"}}
)
def readyz(db: DatabaseDep, blobs: BlobsDep) -> dict[str, str]:
    """The process can serve: the database answers (spatial functions included), storage too."""
    check_connection(db.engine)
    # A lookup of a key that never exists: cheap, and fails only if storage is unreachable.
    blobs.exists("readyz/probe")
    return {"status": "ready", "database": db.engine.dialect.name, "storage": type(blobs).__name__}
