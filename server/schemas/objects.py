"""Schemas of a draft trail's sound objects as editors author them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from server.db.models import SoundObject
from server.etags import etag_of
from server.schemas.accounts import Strict
from trails.rules import Approach, Facing, Requires, SoundPlacement, TimeWindow
from trails.source import Texts
from trails.validation import Position, Slug

_EXAMPLE: dict[str, Any] = {
    "key": "roue",
    "title": {"fr": "La roue du moulin"},
    "asset_id": 12,
    "position": [4.39512, 50.40352],
    "radius_m": 45,
    "ref_distance_m": 4,
}


class SoundObjectCreate(SoundPlacement):
    """A new sound object: the source format's object, its audio an asset of the organisation.

    Every limit (radius, reference distance, roll-off, gain, rules) is the source format's,
    checked by the same model.
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    key: Slug
    title: Texts = Field(default_factory=dict)
    asset_id: int = Field(description="An audio asset of the organisation.")


class SoundObjectUpdate(Strict):
    """Changes to a sound object; omitted fields stay as they are, null clears a rule.

    The object as changed is checked whole, as when created.
    """

    model_config = ConfigDict(json_schema_extra={"examples": [{"radius_m": 60, "gain_db": -6}]})

    key: Slug | None = None
    title: Texts | None = None
    asset_id: int | None = None
    position: Position | None = None
    radius_m: float | None = None
    ref_distance_m: float | None = None
    rolloff: Literal["inverse", "linear"] | None = None
    gain_db: float | None = None
    loop: bool | None = None
    requires: Requires | None = None
    time_windows: list[TimeWindow] | None = None
    approach: Approach | None = None
    facing: Facing | None = None


class SoundObjectDraft(BaseModel):
    """A sound object as its editors see it."""

    id: int
    key: str
    title: dict[str, str]
    asset_id: int
    position: list[float]
    radius_m: float
    ref_distance_m: float
    rolloff: str
    gain_db: float
    loop: bool
    requires: dict[str, Any] | None = None
    time_windows: list[dict[str, Any]] = Field(default_factory=list)
    approach: dict[str, Any] | None = None
    facing: dict[str, Any] | None = None
    etag: str

    @classmethod
    def of(cls, row: SoundObject) -> SoundObjectDraft:
        """Build from a row."""
        return cls(
            id=row.id,
            key=row.key,
            title=row.titles,
            asset_id=row.asset_id,
            position=row.position,
            radius_m=row.radius_m,
            ref_distance_m=row.ref_distance_m,
            rolloff=row.rolloff,
            gain_db=row.gain_db,
            loop=row.loop,
            etag=etag_of("object", row),
            **row.rules,
        )

    def as_create(self) -> dict[str, Any]:
        """The object's current fields, as a creation would send them."""
        return self.model_dump(exclude={"id", "etag"})
