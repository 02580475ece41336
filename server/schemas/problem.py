"""The one JSON error shape: RFC 9457 problem details."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class FieldProblem(BaseModel):
    """One invalid field."""

    field: str
    value: Any = None
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem detail, with ``errors`` listing invalid fields when there are any."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldProblem] = Field(default_factory=list)
    reason: str | None = Field(
        default=None,
        description="Why a link no longer works (410): expired, revoked or used-up.",
    )
