"""The trail source format: a folder with ``trail.yaml`` and the media it names."""

from __future__ import annotations

import difflib
import hashlib
import types
from collections import Counter
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from trails.errors import FieldError, InvalidInput, invalid
from trails.files import file_sha256
from trails.messages import msg
from trails.rules import DistanceGain, SoundPlacement, TriggerRules
from trails.validation import (
    MAX_ROUTE_POSITIONS,
    MAX_STOPS,
    LanguageTag,
    PolygonCoordinates,
    Position,
    Radius,
    Slug,
    parse,
)
from trails.vocabulary import (
    DEFAULT_TARGET_LUFS,
    AudioRole,
    AudioRoleName,
    TrailMode,
    TrailModeName,
    Visibility,
    VisibilityName,
)

FORMAT_VERSION: Literal[1] = 1
SOURCE_FILE = "trail.yaml"
# What a media path of a source is: a cover image, a story's or ambience's audio, a transcript.
MediaKind = Literal["cover", "audio", "transcript"]


def _check_relative_path(value: str) -> str:
    path = PurePosixPath(value)
    if not value.strip():
        raise ValueError(msg("a media path cannot be empty"))
    if path.is_absolute() or (len(value) > 1 and value[1] == ":"):
        raise ValueError(
            msg(
                "'{value}' is an absolute path: it must be a relative path inside the trail folder",
                value=value,
            )
        )
    if ".." in path.parts:
        raise ValueError(
            msg(
                "'{value}' leaves the trail folder ('..'): it must be a relative path "
                "inside the trail folder",
                value=value,
            )
        )
    if "\\" in value:
        raise ValueError(
            msg(
                "'{value}' uses backslashes: it must be a relative path inside the "
                "trail folder, with forward slashes",
                value=value,
            )
        )
    return value


MediaPath = Annotated[str, AfterValidator(_check_relative_path)]


def _check_time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            msg("'{value}' is not a known IANA time zone (e.g. Europe/Brussels)", value=value)
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
    role: AudioRoleName = AudioRole.voice.value


class Stop(_Strict):
    """A place on the trail: a zone, its trigger rules and its story."""

    key: Slug
    title: Texts = Field(min_length=1)
    zone: Zone
    rules: TriggerRules = Field(default_factory=TriggerRules)
    story: Story | None = None
    position: Position | None = Field(
        default=None, description="Where the story is heard from (trigger semantics 15)."
    )


class AmbientLayer(DistanceGain):
    """A looping sound whose gain follows the distance to its zone."""

    key: Slug
    title: Texts = Field(default_factory=dict)
    audio: MediaPath
    zone: Zone


class SoundObject(SoundPlacement):
    """A sound placed at a point and heard from there (trigger semantics section 14)."""

    key: Slug
    title: Texts = Field(default_factory=dict)
    audio: MediaPath


class Settings(_Strict):
    """Trail-wide audio settings."""

    loudness_lufs: float = Field(default=DEFAULT_TARGET_LUFS, ge=-40, le=-5)
    ambience_offset_db: float = Field(default=-6.0, le=0)
    ducking_db: float = Field(default=-12.0, le=0)


class TrailSource(_Strict):
    """The whole of ``trail.yaml``."""

    format: Literal[1] = FORMAT_VERSION
    slug: Slug
    languages: list[LanguageTag] = Field(min_length=1)
    title: Texts = Field(min_length=1)
    description: Texts = Field(default_factory=dict)
    mode: TrailModeName = TrailMode.free.value
    timezone: TimeZone = Field(
        default="UTC", description="IANA time zone of the stops' local-time windows."
    )
    visibility: VisibilityName = Visibility.public.value
    licence: str | None = None
    credits: list[Credit] = Field(default_factory=list)
    valid_from: AwareDatetime | None = Field(default=None, description="ISO 8601 with offset.")
    valid_until: AwareDatetime | None = Field(default=None, description="ISO 8601 with offset.")
    cover: MediaPath | None = None
    route: list[Position] | None = Field(default=None, min_length=2, max_length=MAX_ROUTE_POSITIONS)
    settings: Settings = Field(default_factory=Settings)
    stops: list[Stop] = Field(min_length=1, max_length=MAX_STOPS)
    ambience: list[AmbientLayer] = Field(default_factory=list)
    objects: list[SoundObject] = Field(default_factory=list, max_length=MAX_STOPS)

    @model_validator(mode="after")
    def _consistent(self) -> TrailSource:
        keys = Counter(
            [s.key for s in self.stops]
            + [a.key for a in self.ambience]
            + [o.key for o in self.objects]
        )
        duplicates = sorted(k for k, n in keys.items() if n > 1)  # linear, not keys.count
        if duplicates:
            raise ValueError(
                msg(
                    "stop, ambience and object keys must be unique; repeated: {duplicates}",
                    duplicates=duplicates,
                )
            )
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValueError(msg("valid_until must be after valid_from"))
        if self.title and not set(self.title) & set(self.languages):
            raise ValueError(msg("title needs a text in at least one of the trail's languages"))
        return self

    def media_paths(self) -> list[str]:
        """Every media path the source names, in order of first mention, without repeats."""
        return list(dict.fromkeys(path for _kind, path in self._media_mentions()))

    def audio_paths(self) -> list[str]:
        """Every audio path the source names (stories, ambience, objects), without repeats."""
        return list(dict.fromkeys(p for kind, p in self._media_mentions() if kind == "audio"))

    def transcript_paths(self) -> list[str]:
        """Every transcript path the source names, without repeats."""
        return list(dict.fromkeys(p for kind, p in self._media_mentions() if kind == "transcript"))

    def _media_mentions(self) -> list[tuple[MediaKind, str]]:
        # The one walk over the media a source names: each list above is a view of it, so
        # that a new kind of media cannot be named here and missed by one of them.
        mentions: list[tuple[MediaKind, str]] = []
        if self.cover:
            mentions.append(("cover", self.cover))
        for stop in self.stops:
            for version in stop.story.versions.values() if stop.story else []:
                mentions.append(("audio", version.audio))
                if version.transcript:
                    mentions.append(("transcript", version.transcript))
        mentions.extend(("audio", layer.audio) for layer in self.ambience)
        mentions.extend(("audio", obj.audio) for obj in self.objects)
        return mentions


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
        return file_sha256(self.media_file(relative))


def source_fingerprint(loaded: LoadedSource) -> str:
    """A hash of a source folder's trail.yaml and every media file it names."""
    digest = hashlib.sha256()
    digest.update(loaded.trail.model_dump_json().encode())
    for relative in loaded.trail.media_paths():
        digest.update(relative.encode() + b"\0" + loaded.sha256(relative).encode())
    return digest.hexdigest()


def parse_source(data: Any) -> TrailSource:
    """Validate already-parsed YAML data as a trail source."""
    if not isinstance(data, dict):
        raise invalid(SOURCE_FILE, type(data).__name__, msg("trail.yaml must hold a mapping"))
    try:
        return parse(TrailSource, data)
    except InvalidInput as exc:
        raise InvalidInput([_explain_unknown_key(e) for e in exc.errors]) from None


_EXTRA_KEY = "Extra inputs are not permitted"


def _unwrap(annotation: Any) -> list[Any]:
    """The types an annotation may hold, without ``Annotated`` and ``None``."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _unwrap(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [t for arg in get_args(annotation) if arg is not type(None) for t in _unwrap(arg)]
    return [annotation]


def _step(candidates: list[Any], part: str) -> list[Any]:
    """Follow one part of an error location from the types that may sit there."""
    following: list[Any] = []
    models = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
    if len(models) > 1:
        # A discriminated union: pydantic puts the tag ("circle") in the location.
        chosen = [m for m in models if get_args(m.model_fields["type"].annotation) == (part,)]
        return chosen
    for candidate in candidates:
        if candidate in models and part in candidate.model_fields:
            following += _unwrap(candidate.model_fields[part].annotation)
        elif get_origin(candidate) is list and part.isdigit():
            following += _unwrap(get_args(candidate)[0])
        elif get_origin(candidate) is dict:
            following += _unwrap(get_args(candidate)[1])
    return following


def known_keys(location: list[str]) -> list[str]:
    """The keys allowed in the mapping at a dotted location of ``trail.yaml`` ([] if unknown)."""
    candidates: list[Any] = [TrailSource]
    for part in location:
        candidates = _step(candidates, part)
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return list(candidate.model_fields)
    return []


def _explain_unknown_key(error: FieldError) -> FieldError:
    """Turn pydantic's "extra inputs" into a message naming the key most likely meant."""
    if error.message != _EXTRA_KEY:
        return error
    *where, key = error.field.split(".")
    allowed = known_keys(where)
    message = f"unknown key '{key}'"
    guess = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if guess:
        message += f"; did you mean '{guess[0]}'?"
    elif allowed:
        message += f"; allowed here: {', '.join(allowed)}"
    return FieldError(error.field, error.value, message)


def read_yaml(path: Path) -> Any:
    """Parse a YAML file, naming the line and column of a syntax error."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise invalid(
            path.name,
            str(path),
            msg("not readable YAML: not UTF-8 text (byte {start})", start=exc.start),
        ) from None
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "syntax error"
        text = (
            msg(
                "not readable YAML at line {line}, column {column}: {problem}",
                line=mark.line + 1,
                column=mark.column + 1,
                problem=problem,
            )
            if mark
            else msg("not readable YAML: {problem}", problem=problem)
        )
        raise invalid(path.name, str(path), text) from None
    except yaml.YAMLError as exc:
        raise invalid(
            path.name, str(path), msg("not readable YAML: {problem}", problem=exc)
        ) from None
    except (ValueError, AttributeError, RecursionError) as exc:
        # The loader builds dates and tagged scalars itself (2026-13-45, "!!int x") and
        # recurses into nested lists: these fail outside its own YAMLError.
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise invalid(
            path.name, str(path), msg("not readable YAML: {problem}", problem=reason)
        ) from None


def check_media_files(trail: TrailSource, root: Path) -> None:
    """Refuse media paths that are missing, not files, or lead outside the folder."""
    resolved_root = root.resolve()
    errors = []
    for relative in trail.media_paths():
        path = root / relative
        if not path.is_relative_to(root) or not path.resolve().is_relative_to(resolved_root):
            errors.append(
                FieldError(
                    "media",
                    relative,
                    msg(
                        "{relative}: a symbolic link leading outside the trail folder is refused",
                        relative=relative,
                    ),
                )
            )
        elif not path.exists():
            errors.append(
                FieldError(
                    "media",
                    relative,
                    msg("{relative}: file not found in the trail folder", relative=relative),
                )
            )
        elif not path.is_file():
            errors.append(
                FieldError("media", relative, msg("{relative}: not a file", relative=relative))
            )
    if errors:
        raise InvalidInput(errors)


def load_source(folder: str | Path) -> LoadedSource:
    """Read and validate a trail source folder, checking that every media file exists."""
    root = Path(folder)
    source_file = root / SOURCE_FILE
    if not source_file.is_file():
        raise invalid("folder", str(root), msg("no {file} in this folder", file=SOURCE_FILE))
    trail = parse_source(read_yaml(source_file))
    check_media_files(trail, root)
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
