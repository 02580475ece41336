"""Trigger rules of a stop, with the defaults of the trigger semantics."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from trails.messages import msg
from trails.validation import MAX_RADIUS_M, Position

DEFAULT_MAX_ACCURACY_M = 30.0
DEFAULT_COOLDOWN_S = 60.0
DEFAULT_EXIT_DWELL_S = 5.0
# Sound objects (trigger-semantics.md section 14): the largest audible radius, in metres.
MAX_OBJECT_RADIUS_M = MAX_RADIUS_M
DEFAULT_REF_DISTANCE_M = 1.0
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _check_hhmm(value: str) -> str:
    if not _HHMM.match(value):
        raise ValueError(
            msg("a local time is HH:MM on a 24-hour clock, got '{value}'", value=value)
        )
    return value


LocalTime = Annotated[str, AfterValidator(_check_hhmm)]


class Requirement(BaseModel):
    """One condition on another stop's state."""

    model_config = ConfigDict(extra="forbid")

    stop: str = Field(description="Key of the other stop.")
    state: Literal["played", "triggered", "not_played"] = "played"


class Requires(BaseModel):
    """Conditions on other stops, all or any of which must hold."""

    model_config = ConfigDict(extra="forbid")

    mode: Literal["all", "any"] = "all"
    conditions: list[Requirement] = Field(min_length=1)


class TimeWindow(BaseModel):
    """A local-time window during which a stop may trigger (end may pass midnight)."""

    model_config = ConfigDict(extra="forbid")

    start: LocalTime
    end: LocalTime


class Approach(BaseModel):
    """A bearing range of the visitor's course at the enter (trigger-semantics.md 16.1)."""

    model_config = ConfigDict(extra="forbid")

    bearing_deg: float = Field(ge=0, lt=360, description="Course, clockwise from true north.")
    tolerance_deg: float = Field(ge=0, le=180, description="Largest difference from it.")


class Facing(BaseModel):
    """An object starts only when the listener faces it within a tolerance (16.2)."""

    model_config = ConfigDict(extra="forbid")

    tolerance_deg: float = Field(ge=0, le=180, description="Largest |azimuth| that counts.")


class TriggerRules(BaseModel):
    """How and when a stop triggers; every field has the documented default."""

    model_config = ConfigDict(extra="forbid")

    dwell_s: float = Field(default=0.0, ge=0, description="Seconds inside before enter.")
    max_accuracy_m: float = Field(
        default=DEFAULT_MAX_ACCURACY_M, gt=0, description="Fixes less accurate are ignored."
    )
    exit_margin_m: float | None = Field(
        default=None,
        ge=0,
        description="Distance outside the zone before exit; default max(8, 0.25 x radius) "
        "for circles, 8 for polygons.",
    )
    exit_dwell_s: float = Field(
        default=DEFAULT_EXIT_DWELL_S,
        ge=0,
        description="Seconds that fixes must stay beyond the exit margin before exit.",
    )
    replay: Literal["once", "always", "loop"] = "once"
    cooldown_s: float = Field(default=DEFAULT_COOLDOWN_S, ge=0)
    priority: int = Field(default=0, description="Higher plays first in the narration queue.")
    interrupt: bool = Field(default=False, description="Cut the current narration when it fires.")
    on_exit: Literal["finish", "stop"] = Field(
        default="finish", description="What a narration does when the visitor leaves."
    )
    requires: Requires | None = None
    time_windows: list[TimeWindow] = Field(default_factory=list)
    approach: Approach | None = None


class DistanceGain(BaseModel):
    """How an ambient layer's gain follows the distance to its zone."""

    model_config = ConfigDict(extra="forbid")

    min_distance_m: float = Field(default=0.0, ge=0)
    max_distance_m: float = Field(default=50.0, gt=0)
    min_gain_db: float = Field(default=-40.0, le=0)
    max_gain_db: float = Field(default=0.0, le=0)

    @model_validator(mode="after")
    def _ordered(self) -> DistanceGain:
        if self.min_distance_m >= self.max_distance_m:
            raise ValueError(msg("min_distance_m must be smaller than max_distance_m"))
        if self.min_gain_db > self.max_gain_db:
            raise ValueError(msg("min_gain_db must not be above max_gain_db"))
        return self


class SoundPlacement(BaseModel):
    """Where a sound object is and how it is heard (trigger-semantics.md section 14)."""

    model_config = ConfigDict(extra="forbid")

    position: Position
    radius_m: float = Field(gt=0, le=MAX_OBJECT_RADIUS_M, description="Audible radius.")
    ref_distance_m: float = Field(
        default=DEFAULT_REF_DISTANCE_M, gt=0, description="Distance of full gain; <= radius."
    )
    rolloff: Literal["inverse", "linear"] = "inverse"
    gain_db: float = Field(default=0.0, le=0, description="Gain at the reference distance.")
    loop: bool = Field(default=True, description="Loop while audible; false: once per enter.")
    requires: Requires | None = None
    time_windows: list[TimeWindow] = Field(default_factory=list)
    approach: Approach | None = None
    facing: Facing | None = None

    @field_validator("ref_distance_m")
    @classmethod
    def _ref_within_radius(cls, value: float, info: ValidationInfo) -> float:
        # A field check, not a model check, so that the problem names ref_distance_m (the
        # studio shows it under that field); skipped when the radius itself is refused.
        radius = info.data.get("radius_m")
        if radius is not None and value > radius:
            raise ValueError(
                msg(
                    "ref_distance_m ({ref}) must not exceed radius_m ({radius})",
                    ref=float(value),
                    radius=float(radius),
                )
            )
        return value
