"""Schemas of the studio's offline renders of simulated walks."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from server.db.models import Render
from server.schemas.accounts import Strict


class WalkFix(Strict):
    """One fix of a simulated walk, as the studio computes them (one a second)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    t: float = Field(description="Seconds from any origin; they must increase.")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    accuracy_m: float = Field(default=5, ge=0, le=10_000)


_EXAMPLE: dict[str, Any] = {
    "fixes": [
        {"t": 0, "lat": 50.40333, "lon": 4.3942, "accuracy_m": 5},
        {"t": 1, "lat": 50.40333, "lon": 4.39422, "accuracy_m": 5},
    ],
    "binaural": True,
    "format": "opus",
}


class RenderCreate(Strict):
    """A simulated walk to hear: its fixes, and how to mix it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    fixes: list[WalkFix] = Field(description="At least two, times increasing.")
    binaural: bool = Field(default=False, description="Place sounds for headphones (HRTF).")
    format: Literal["opus", "wav"] = Field(default="opus", description="Opus is small.")
    language: str | None = Field(
        default=None, max_length=35, description="Default: the trail's first language."
    )
    started_at: datetime | None = Field(
        default=None, description="When the walk starts, for local-time windows (default: now)."
    )


class RenderPublic(BaseModel):
    """A render: queued, running, done (with its audio's URL) or failed (with why)."""

    id: str
    status: Literal["queued", "running", "done", "failed"]
    failure_reason: str | None = None
    binaural: bool
    format: str
    language: str
    walk_s: float = Field(description="Length of the walk in seconds.")
    duration_s: float | None = Field(
        default=None, description="Length of the file (narrations still playing play out)."
    )
    bytes: int | None = None
    audio_url: str | None = Field(default=None, description="When done: the file (ranges).")
    created_at: datetime
    finished_at: datetime | None = None

    @classmethod
    def of(cls, row: Render, base: str) -> RenderPublic:
        """The public view of a render; ``base`` is the render's own path."""
        fixes = row.walk["fixes"]
        return cls(
            id=row.id,
            status=row.status.value,
            failure_reason=row.failure_reason,
            binaural=row.binaural,
            format=row.format,
            language=row.language,
            walk_s=round(fixes[-1][0] - fixes[0][0], 3),
            duration_s=row.duration_s,
            bytes=row.bytes,
            audio_url=f"{base}/audio" if row.status.value == "done" else None,
            created_at=row.created_at,
            finished_at=row.finished_at,
        )
