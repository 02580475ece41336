"""Schemas of a draft trail's ambience layers as editors author them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from server.db.models import AmbientLayer
from server.db.zones import zone_of
from server.etags import content_etag
from server.schemas.accounts import Strict
from trails.rules import DistanceGain
from trails.source import CircleZone, PolygonZone, Texts
from trails.validation import Slug

_EXAMPLE: dict[str, Any] = {
    "key": "riviere",
    "title": {"fr": "La Sambre"},
    "asset_id": 14,
    "zone": {"type": "circle", "center": [4.39431, 50.40318], "radius_m": 40},
    "max_distance_m": 60,
    "min_gain_db": -30,
    "max_gain_db": -6,
}


class WholeTrail(Strict):
    """The whole trail: the server draws a circle around every stop and the route."""

    type: Literal["trail"]


# A layer's area: a stop's kinds of zone, or the whole trail (resolved when saved).
LayerArea = Annotated[CircleZone | PolygonZone | WholeTrail, Field(discriminator="type")]


class AmbienceCreate(DistanceGain):
    """A new ambience layer: the source format's layer, its audio an asset of the organisation.

    The distance law's limits are the source format's, checked by the same model; the area
    may also be ``{"type": "trail"}``, stored as the circle that covers the trail.
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    key: Slug
    title: Texts = Field(default_factory=dict)
    asset_id: int = Field(description="An audio asset of the organisation (the loop).")
    zone: LayerArea


class AmbienceUpdate(Strict):
    """Changes to an ambience layer; omitted fields stay as they are.

    The layer as changed is checked whole, as when created.
    """

    model_config = ConfigDict(json_schema_extra={"examples": [{"max_gain_db": -9}]})

    key: Slug | None = None
    title: Texts | None = None
    asset_id: int | None = None
    zone: LayerArea | None = None
    min_distance_m: float | None = None
    max_distance_m: float | None = None
    min_gain_db: float | None = None
    max_gain_db: float | None = None


class AmbienceDraft(BaseModel):
    """An ambience layer as its editors see it."""

    id: int
    key: str
    title: dict[str, str]
    asset_id: int
    zone: dict[str, Any]
    min_distance_m: float
    max_distance_m: float
    min_gain_db: float
    max_gain_db: float
    etag: str

    @classmethod
    def of(cls, row: AmbientLayer) -> AmbienceDraft:
        """Build from a row."""
        fields: dict[str, Any] = {
            "key": row.key,
            "title": row.titles,
            "asset_id": row.asset_id,
            "zone": zone_of(row),
            "min_distance_m": row.min_distance_m,
            "max_distance_m": row.max_distance_m,
            "min_gain_db": row.min_gain_db,
            "max_gain_db": row.max_gain_db,
        }
        # Layers have no version counter (their table predates editing them one by one).
        return cls(id=row.id, etag=content_etag("ambience", row.id, fields), **fields)

    def as_create(self) -> dict[str, Any]:
        """The layer's current fields, as a creation would send them."""
        return self.model_dump(exclude={"id", "etag"})
