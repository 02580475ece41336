"""The trail source format: a folder with ``trail.yaml`` and the media it names."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from trails.errors import FieldError, InvalidInput, invalid
from trails.rules import DistanceGain, TriggerRules
from trails.validation import (
    LanguageTag,
    PolygonCoordinates,
    Position,
    Radius,
    Slug,
    parse,
)

FORMAT_VERSION: Literal[1] = 1
SOURCE_FILE = "trail.yaml"


def _check_relative_path(value: str) -> str:
    path = PurePosixPath(value)
    if path.is_absolute() or ".." in path.parts or "\\" in value or not value.strip():
        raise ValueError(f"'{value}' must be a relative path inside the trail folder")
    return value


MediaPath = Annotated[str, AfterValidator(_check_relative_path)]


def _check_time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"'{value}' is not a known IANA time zone (e.g. Europe/Brussels)"
        ) from None
    return value


TimeZone = Annotated[str, AfterValidator(_check_time_zone)]
Texts = dict[LanguageTag, str]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CircleZone(_Strict):
    """A circle: centre ``[longitude, latitude]`` and radius in metres."""

    type: Literal["circle"]
    center: Position
    radius_m: Radius


class PolygonZone(_Strict):
    """A polygon in GeoJSON coordinates: the outer ring, then any holes."""

    type: Literal["polygon"]
    coordinates: PolygonCoordinates


Zone = Annotated[CircleZone | PolygonZone, Field(discriminator="type")]


class Credit(_Strict):
    """A person or organisation credited, with their role."""

    name: str = Field(min_length=1)
    role: str = Field(min_length=1, description="For example narrator, interviewee, composer.")


class Consent(_Strict):
    """A contributor's recorded consent to publish their testimony."""

    person: str = Field(min_length=1)
    given_on: date = Field(description="Date of consent, ISO 8601 (YYYY-MM-DD).")
    scope: str = Field(min_length=1, description="What the consent covers.")
    reference: str | None = Field(default=None, description="Where the signed form is kept.")


class StoryVersion(_Strict):
    """One language of a story: audio, optional WebVTT transcript, optional text."""

    audio: MediaPath
    transcript: MediaPath | None = None
    text: str | None = None


class Story(_Strict):
    """What plays at a stop: per-language versions, credits, licence, consents."""

    versions: dict[LanguageTag, StoryVersion] = Field(min_length=1)
    credits: list[Credit] = Field(default_factory=list)
    licence: str | None = None
    consents: list[Consent] = Field(default_factory=list)
    role: Literal["voice", "immersive"] = "voice"


class Stop(_Strict):
    """A place on the trail: a zone, its trigger rules and its story."""

    key: Slug
    title: Texts = Field(min_length=1)
    zone: Zone
    rules: TriggerRules = Field(default_factory=TriggerRules)
    story: Story | None = None


class AmbientLayer(DistanceGain):
    """A looping sound whose gain follows the distance to its zone."""

    key: Slug
    title: Texts = Field(default_factory=dict)
    audio: MediaPath
    zone: Zone


class Settings(_Strict):
    """Trail-wide audio settings."""

    loudness_lufs: float = Field(default=-16.0, ge=-40, le=-5)
    ambience_offset_db: float = Field(default=-6.0, le=0)
    ducking_db: float = Field(default=-12.0, le=0)


class TrailSource(_Strict):
    """The whole of ``trail.yaml``."""

    format: Literal[1] = FORMAT_VERSION
    slug: Slug
    languages: list[LanguageTag] = Field(min_length=1)
    title: Texts = Field(min_length=1)
    description: Texts = Field(default_factory=dict)
    mode: Literal["free", "sequential"] = "free"
    timezone: TimeZone = Field(
        default="UTC", description="IANA time zone of the stops' local-time windows."
    )
    visibility: Literal["public", "unlisted", "private"] = "public"
    licence: str | None = None
    credits: list[Credit] = Field(default_factory=list)
    valid_from: AwareDatetime | None = Field(default=None, description="ISO 8601 with offset.")
    valid_until: AwareDatetime | None = Field(default=None, description="ISO 8601 with offset.")
    cover: MediaPath | None = None
    route: list[Position] | None = Field(default=None, min_length=2)
    settings: Settings = Field(default_factory=Settings)
    stops: list[Stop] = Field(min_length=1)
    ambience: list[AmbientLayer] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> TrailSource:
        keys = [s.key for s in self.stops] + [a.key for a in self.ambience]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise ValueError(f"stop and ambience keys must be unique; repeated: {duplicates}")
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        if self.title and not set(self.title) & set(self.languages):
            raise ValueError("title needs a text in at least one of the trail's languages")
        return self

    def media_paths(self) -> list[str]:
        """Every media path the source names, in order of first mention, without repeats."""
        paths: list[str] = []
        if self.cover:
            paths.append(self.cover)
        for stop in self.stops:
            for version in stop.story.versions.values() if stop.story else []:
                paths.append(version.audio)
                if version.transcript:
                    paths.append(version.transcript)
        paths.extend(layer.audio for layer in self.ambience)
        return list(dict.fromkeys(paths))


class LoadedSource:
    """A validated trail source and the folder its media paths are relative to."""

    def __init__(self, trail: TrailSource, folder: Path) -> None:
        self.trail = trail
        self.folder = folder

    def media_file(self, relative: str) -> Path:
        """Absolute path of a media file named in the source."""
        return self.folder / relative

    def sha256(self, relative: str) -> str:
        """Content hash of a media file, read in chunks."""
        digest = hashlib.sha256()
        with self.media_file(relative).open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()


def parse_source(data: Any) -> TrailSource:
    """Validate already-parsed YAML data as a trail source."""
    if not isinstance(data, dict):
        raise invalid(SOURCE_FILE, type(data).__name__, "trail.yaml must hold a mapping")
    return parse(TrailSource, data)


def load_source(folder: str | Path) -> LoadedSource:
    """Read and validate a trail source folder, checking that every media file exists."""
    root = Path(folder)
    source_file = root / SOURCE_FILE
    if not source_file.is_file():
        raise invalid("folder", str(root), f"no {SOURCE_FILE} in this folder")
    try:
        data = yaml.safe_load(source_file.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise invalid(SOURCE_FILE, str(source_file), f"not readable YAML: {exc}") from None
    trail = parse_source(data)
    resolved_root = root.resolve()
    missing = []
    for relative in trail.media_paths():
        path = (root / relative).resolve()
        if not path.is_relative_to(resolved_root) or not path.is_file():
            missing.append(FieldError("media", relative, "file not found in the trail folder"))
    if missing:
        raise InvalidInput(missing)
    return LoadedSource(trail, root)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of ``trail.yaml``, published as ``docs/trail-source.schema.json``."""
    schema = TrailSource.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Baladeur trail source (trail.yaml), format 1"
    return schema


if __name__ == "__main__":
    import json
    import sys

    sys.stdout.write(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n")
