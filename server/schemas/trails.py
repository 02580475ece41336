"""Public trail schemas: what the catalogue and a trail page show."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from server.db.models import Release
from trails.vocabulary import VisibilityName


class PointGeometry(BaseModel):
    """A GeoJSON point, longitude first."""

    type: Literal["Point"] = "Point"
    coordinates: tuple[float, float]


class StopPublic(BaseModel):
    """A stop as visitors see it before downloading."""

    key: str
    title: dict[str, str]
    zone: dict[str, Any] = Field(description="circle {center, radius_m} or polygon {coordinates}")
    languages: list[str]


def cover_url(path: str | None) -> str | None:
    """The address of a trail's cover from its media path; releases before covers have none."""
    return f"/v1/{path}" if path else None


class TrailPublic(BaseModel):
    """A published trail in the catalogue."""

    slug: str
    title: dict[str, str]
    description: dict[str, str]
    languages: list[str]
    mode: str
    visibility: VisibilityName = Field(
        description="public (listed), unlisted (by link) or private (with an access code)."
    )
    release: int = Field(description="Number of the current release.")
    published_at: datetime
    valid_from: datetime | None
    valid_until: datetime | None
    start: PointGeometry
    bbox: tuple[float, float, float, float] = Field(description="west, south, east, north")
    length_m: float
    stop_count: int
    cover: str | None = Field(
        default=None, description="Address of the cover image (a JPEG), if the trail has one."
    )
    distance_m: float | None = Field(
        default=None, description="Distance from the searched place to the start, in metres."
    )

    @classmethod
    def from_release(cls, release: Release, distance_m: float | None = None) -> TrailPublic:
        """Build from a release's stored manifest."""
        m = release.manifest
        return cls(
            slug=m["slug"],
            title=m["title"],
            description=m["description"],
            languages=m["languages"],
            mode=m["mode"],
            visibility=release.visibility.value,
            release=release.number,
            published_at=release.created_at,
            valid_from=release.valid_from,
            valid_until=release.valid_until,
            start=PointGeometry(coordinates=tuple(m["start"]["coordinates"])),
            bbox=tuple(m["bbox"]),
            length_m=m["length_m"],
            stop_count=len(m["stops"]),
            cover=cover_url(m.get("cover")),
            distance_m=None if distance_m is None else round(distance_m, 1),
        )


class TrailDetail(TrailPublic):
    """One published trail with its stops, credits and licence."""

    licence: str | None
    credits: list[dict[str, str]]
    stops: list[StopPublic]

    @classmethod
    def from_release(cls, release: Release, distance_m: float | None = None) -> TrailDetail:
        """Build from a release's stored manifest."""
        base = TrailPublic.from_release(release, distance_m).model_dump()
        m = release.manifest
        return cls(
            **base,
            licence=m["licence"],
            credits=m["credits"],
            stops=[StopPublic(**s) for s in m["stops"]],
        )


class TrailPage(BaseModel):
    """A page of catalogue results."""

    items: list[TrailPublic]
    limit: int
    offset: int
