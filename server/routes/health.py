"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter

from server.db.engine import check_connection
from server.deps import DatabaseDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "The database is unavailable"}})
def readyz(db: DatabaseDep) -> dict[str, str]:
    """The process can serve: the database answers, spatial functions included."""
    check_connection(db.engine)
    return {"status": "ready", "database": db.engine.dialect.name}
