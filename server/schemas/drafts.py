"""Schemas of trails and stops as editors author them (drafts, not releases)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from geoalchemy2.shape import to_shape
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from server.db.models import Stop, Trail
from server.db.zones import zone_of
from server.draft_changes import LiveStateName, live_state
from server.etags import etag_of
from server.schemas.accounts import Strict
from trails.messages import msg
from trails.rules import TriggerRules
from trails.source import Credit, Settings, Texts, TimeZone, Zone
from trails.validation import LanguageTag, Position, Slug
from trails.vocabulary import TrailModeName, Visibility, VisibilityName

TRAIL_TITLE_MAX = 200
"""The longest title of a trail, in characters, in each language (a line on a phone's list)."""
EVENT_MAX = 80
"""The longest event name added to a temporary route's title."""


class _TrailFields(Strict):
    description: Texts | None = None
    mode: TrailModeName | None = None
    timezone: TimeZone | None = None
    visibility: VisibilityName | None = Field(
        default=None, description="public (listed), unlisted (link or QR only), private (code)."
    )
    access_code: str | None = Field(
        default=None,
        min_length=10,
        max_length=64,
        description="Write-only: visitors of a private trail must give it. Use a generated "
        "code (four random words, or 12 random letters and digits): it is all that keeps "
        "the trail private.",
    )
    licence: str | None = None
    credits: list[Credit] | None = None
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    route: list[Position] | None = Field(default=None, min_length=2)
    settings: Settings | None = None

    @model_validator(mode="after")
    def _window(self) -> _TrailFields:
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValueError(msg("valid_until must be after valid_from"))
        return self


class TrailCreate(_TrailFields):
    """A new draft trail."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "slug": "moulin-de-marchienne",
                    "title": {"fr": "Le Moulin de Marchienne", "en": "The Marchienne mill"},
                    "languages": ["fr", "en"],
                    "mode": "free",
                    "timezone": "Europe/Brussels",
                    "visibility": "public",
                }
            ]
        }
    )

    slug: Slug = Field(examples=["moulin-de-marchienne"])
    title: Texts = Field(min_length=1, examples=[{"fr": "Le Moulin de Marchienne"}])
    languages: list[LanguageTag] = Field(min_length=1, examples=[["fr", "en"]])

    @model_validator(mode="after")
    def _title_language(self) -> TrailCreate:
        if not set(self.title) & set(self.languages):
            raise ValueError(msg("title needs a text in at least one of the trail's languages"))
        return self


class TrailUpdate(_TrailFields):
    """Changes to a draft trail; omitted fields stay as they are."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": {"fr": "Le Moulin de Marchienne", "en": "The Marchienne mill"},
                    "valid_from": "2026-06-12T18:00:00+02:00",
                    "valid_until": "2026-06-14T23:00:00+02:00",
                    "visibility": "unlisted",
                }
            ]
        }
    )

    title: Texts | None = Field(default=None, min_length=1)
    languages: list[LanguageTag] | None = Field(default=None, min_length=1)


class TrailDuplicate(Strict):
    """Copy a trail as a new (for instance temporary festival) route."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "slug": "fete-du-moulin-2026",
                    "title": {"fr": "Fête du moulin 2026"},
                    "valid_from": "2026-06-12T18:00:00+02:00",
                    "valid_until": "2026-06-14T23:00:00+02:00",
                }
            ]
        }
    )

    slug: Slug
    title: Texts | None = Field(
        default=None,
        min_length=1,
        description="The copy's title; by default the original's followed by ` — ` and `event`.",
    )
    event: str | None = Field(
        default=None,
        max_length=EVENT_MAX,
        description="The event the copy is for, added to the original title (default "
        "`Festival` and the year it starts).",
        examples=["Fête du moulin 2026"],
    )
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    visibility: VisibilityName = Visibility.unlisted.value

    @model_validator(mode="after")
    def _window(self) -> TrailDuplicate:
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValueError(msg("valid_until must be after valid_from"))
        return self


class TrailDraft(BaseModel):
    """A trail as its editors see it."""

    id: int
    slug: str
    title: dict[str, str]
    description: dict[str, str]
    languages: list[str]
    mode: str
    timezone: str
    visibility: str
    has_access_code: bool
    licence: str | None
    credits: list[dict[str, Any]]
    valid_from: datetime | None
    valid_until: datetime | None
    route: list[tuple[float, float]] | None
    settings: dict[str, Any]
    cover_sha256: str | None = Field(
        description="Hash of the cover image (a JPEG without metadata): "
        "see /v1/orgs/{org}/trails/{trail_id}/cover."
    )
    stop_count: int
    current_release: int | None = Field(description="Number of the live release, if any.")
    live_state: LiveStateName = Field(
        default="unpublished",
        description="What visitors have now (from the live release, not the draft): "
        "unpublished, published, scheduled (opens later) or ended.",
    )
    live_visibility: str | None = Field(
        default=None, description="The live release's visibility; the draft's applies on publish."
    )
    live_valid_from: datetime | None = None
    live_valid_until: datetime | None = None
    created_at: datetime
    updated_at: datetime
    etag: str

    @classmethod
    def of(cls, trail: Trail) -> TrailDraft:
        """Build from a row."""
        route = None
        if trail.route is not None:
            route = [(float(x), float(y)) for x, y, *_ in to_shape(trail.route).coords]
        live = live_state(trail)
        return cls(
            id=trail.id,
            slug=trail.slug,
            title=trail.titles,
            description=trail.descriptions,
            languages=trail.languages,
            mode=trail.mode.value,
            timezone=trail.timezone,
            visibility=trail.visibility.value,
            has_access_code=trail.access_code_hash is not None,
            licence=trail.licence,
            credits=trail.credits,
            valid_from=trail.valid_from,
            valid_until=trail.valid_until,
            route=route,
            settings=trail.settings,
            cover_sha256=trail.cover_sha256,
            stop_count=len(trail.stops),
            current_release=trail.current_release.number if trail.current_release else None,
            live_state=live.state,
            live_visibility=live.visibility,
            live_valid_from=live.valid_from,
            live_valid_until=live.valid_until,
            created_at=trail.created_at,
            updated_at=trail.updated_at,
            etag=etag_of("trail", trail),
        )


class StopCreate(Strict):
    """A new stop on a trail."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "key": "la-roue",
                    "title": {"fr": "La roue", "en": "The wheel"},
                    "zone": {"type": "circle", "center": [4.3958, 50.4043], "radius_m": 25},
                    "rules": {"dwell_s": 3},
                }
            ]
        }
    )

    key: Slug = Field(examples=["la-roue"])
    title: Texts = Field(min_length=1, examples=[{"fr": "La roue", "en": "The wheel"}])
    zone: Zone = Field(examples=[{"type": "circle", "center": [4.3958, 50.4043], "radius_m": 25}])
    rules: TriggerRules = Field(default_factory=TriggerRules)
    story_id: int | None = Field(default=None, description="An approved story of the organisation.")
    position: int | None = Field(
        default=None, ge=0, description="Place in the order; default last."
    )
    narration_position: Position | None = Field(
        default=None,
        description="Where the story is heard from, [longitude, latitude] (trigger semantics 15); "
        "`position` is the place in the order.",
    )
    silent: bool = Field(
        default=False,
        description="No audio on purpose: the checks accept the stop without a story.",
    )


class StopUpdate(Strict):
    """Changes to a stop; omitted fields stay as they are."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "zone": {"type": "circle", "center": [4.3958, 50.4043], "radius_m": 30},
                    "position": 0,
                }
            ]
        }
    )

    key: Slug | None = None
    title: Texts | None = Field(default=None, min_length=1)
    zone: Zone | None = None
    rules: TriggerRules | None = None
    story_id: int | None = None
    position: int | None = Field(default=None, ge=0)
    narration_position: Position | None = Field(
        default=None,
        description="Where the story is heard from, [longitude, latitude] (trigger semantics 15); "
        "null removes it; `position` is the place in the order.",
    )
    silent: bool | None = Field(
        default=None, description="No audio on purpose: the checks accept the stop without a story."
    )


class StopDraft(BaseModel):
    """A stop as its editors see it."""

    id: int
    key: str
    position: int
    title: dict[str, str]
    zone: dict[str, Any]
    rules: dict[str, Any]
    story_id: int | None
    narration_position: list[float] | None = None
    silent: bool = False
    etag: str

    @classmethod
    def of(cls, stop: Stop) -> StopDraft:
        """Build from a row."""
        return cls(
            id=stop.id,
            key=stop.key,
            position=stop.position,
            title=stop.titles,
            zone=zone_of(stop),
            rules=stop.rules,
            story_id=stop.story_id,
            narration_position=stop.narration_position,
            silent=stop.silent,
            etag=etag_of("stop", stop),
        )
