"""What the trigger engine consumes and produces: trails, fixes and events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from trails.rules import DEFAULT_MAX_ACCURACY_M, DistanceGain, SoundPlacement, TriggerRules
from trails.source import CircleZone, Zone
from trails.validation import Position, Slug
from trails.vocabulary import StopKindName, TrailMode, TrailModeName

# Fallback exit margin (m) for polygons and the floor for circles.
MIN_EXIT_MARGIN_M = 8.0
# Circles leave a quarter of their radius as margin when that is more than the floor.
CIRCLE_MARGIN_FRACTION = 0.25
DEFAULT_DUCKING_DB = -12.0
DEFAULT_TIMEZONE = "UTC"

EventType = Literal["enter", "exit", "play", "queue", "end", "skip", "gain", "spatial"]


class EngineStop(BaseModel):
    """A stop as the engine sees it: zone, rules and the length of its audio (if any)."""

    model_config = ConfigDict(extra="forbid")

    key: Slug
    zone: Zone
    rules: TriggerRules = Field(default_factory=TriggerRules)
    duration_s: float | None = Field(
        default=None, gt=0, description="Length of the audio; absent for a stop without audio."
    )
    position: Position | None = Field(
        default=None, description="Where its narration is heard from (semantics section 15)."
    )

    @property
    def kind(self) -> StopKindName:
        """How the stop sounds: a queued narration, a looping bed, or nothing."""
        if self.duration_s is None:
            return "silent"
        return "loop" if self.rules.replay == "loop" else "narration"

    def exit_margin_m(self) -> float:
        """The exit margin, explicit or defaulted from the zone's shape."""
        if self.rules.exit_margin_m is not None:
            return self.rules.exit_margin_m
        if isinstance(self.zone, CircleZone):
            return max(MIN_EXIT_MARGIN_M, CIRCLE_MARGIN_FRACTION * self.zone.radius_m)
        return MIN_EXIT_MARGIN_M


class EngineLayer(DistanceGain):
    """An ambient layer: a looping sound audible within ``max_distance_m`` of its zone."""

    key: Slug
    zone: Zone


class EngineObject(SoundPlacement):
    """A sound object: a sound placed at a point and heard from there (section 14)."""

    key: Slug
    duration_s: float | None = Field(
        default=None, gt=0, description="Length of the audio; needed when it does not loop."
    )

    @model_validator(mode="after")
    def _once_has_length(self) -> EngineObject:
        if not self.loop and self.duration_s is None:
            raise ValueError("a sound object that plays once (loop: false) needs duration_s")
        return self


class EngineTrail(BaseModel):
    """Everything the engine needs about a trail, independent of where it came from."""

    model_config = ConfigDict(extra="forbid")

    mode: TrailModeName = TrailMode.free.value
    ducking_db: float = Field(default=DEFAULT_DUCKING_DB, le=0)
    timezone: str = Field(default=DEFAULT_TIMEZONE, description="IANA zone of time windows.")
    stops: list[EngineStop] = Field(default_factory=list)
    ambience: list[EngineLayer] = Field(default_factory=list)
    objects: list[EngineObject] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{value}' is not a known IANA time zone") from None
        return value

    @model_validator(mode="after")
    def _unique(self) -> EngineTrail:
        keys = [s.key for s in self.stops] + [a.key for a in self.ambience]
        keys += [o.key for o in self.objects]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise ValueError(f"stop, ambience and object keys must be unique; repeated: {repeated}")
        return self


@dataclass(frozen=True, slots=True)
class Fix:
    """One position report: time in seconds, WGS84 degrees, accuracy radius in metres."""

    t: float
    lat: float
    lon: float
    accuracy_m: float
    heading_deg: float | None = None  # the compass, when the player reads one (section 13.2)


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened, at a time in whole milliseconds."""

    t_ms: int
    type: EventType
    stop: str
    reason: str | None = None
    db: float | None = None
    azimuth: int | None = None
    distance_m: float | None = None

    @property
    def t(self) -> float:
        """The time in seconds."""
        return self.t_ms / 1000

    def as_dict(self) -> dict[str, Any]:
        """The canonical JSON shape: t, type, stop, then reason or db when they apply, then
        azimuth and distance_m for a spatial event."""
        out: dict[str, Any] = {"t": self.t_ms / 1000, "type": self.type, "stop": self.stop}
        if self.reason is not None:
            out["reason"] = self.reason
        if self.db is not None:
            out["db"] = self.db
        if self.type == "spatial":
            out["azimuth"] = self.azimuth
            out["distance_m"] = self.distance_m
        return out


def max_accuracy_mm(stop: EngineStop | EngineLayer | EngineObject) -> int:
    """The accuracy gate of a stop or layer in millimetres."""
    if isinstance(stop, EngineStop):
        return to_mm(stop.rules.max_accuracy_m)
    return to_mm(DEFAULT_MAX_ACCURACY_M)


def to_mm(metres: float) -> int:
    """Metres to whole millimetres, the unit every distance comparison uses."""
    return round(metres * 1000)


def to_ms(seconds: float) -> int:
    """Seconds to whole milliseconds, the unit every time comparison uses."""
    return round(seconds * 1000)
