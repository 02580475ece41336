"""Build a bundle's manifest from a trail source and the media files of one audio profile."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from trails.bundle import FORMAT_VERSION
from trails.bundle.model import MEDIA_TYPES, BundleMedia
from trails.errors import invalid
from trails.messages import Message, joined, msg
from trails.rules import TriggerRules
from trails.source import CircleZone, PolygonZone, SoundObject, Stop, TrailSource
from trails.summary import summarise
from trails.triggers.model import EngineStop
from trails.vocabulary import AUDIO_PROFILES

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_EXTENSION_RE = re.compile(r"^[a-z0-9]{1,8}$")
# Ambient layers have fixed rules (trigger semantics, section 1).
_LAYER_RULES = {"dwell_s": 0, "max_accuracy_m": 30, "exit_margin_m": 8, "exit_dwell_s": 5}
# The minor version whose members are sound objects, a stop's position and the approach rule.
SPATIAL_FORMAT_MINOR = 2
# Bounding boxes are rounded outwards to a micro-degree (about 11 cm): stable, still containing.
_BBOX_STEP = 1e6

MediaLookup = Callable[[str], BundleMedia]


def utc_timestamp(moment: datetime) -> str:
    """An aware datetime as UTC ISO 8601 to the second, ``Z`` suffixed."""
    if moment.tzinfo is None:
        raise invalid("datetime", moment.isoformat(), "a moment needs a UTC offset")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def zone_feature(zone: CircleZone | PolygonZone) -> dict[str, Any]:
    """A zone as a GeoJSON Feature: a Point with ``radius_m``, or a Polygon."""
    if isinstance(zone, CircleZone):
        geometry: dict[str, Any] = {"type": "Point", "coordinates": list(zone.center)}
        properties: dict[str, Any] = {"shape": "circle", "radius_m": zone.radius_m}
    else:
        rings = [[list(p) for p in ring] for ring in zone.coordinates]
        geometry = {"type": "Polygon", "coordinates": rings}
        properties = {"shape": "polygon"}
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def resolved_rules(stop: Stop) -> dict[str, Any]:
    """A stop's trigger rules with every default written out, the exit margin resolved."""
    rules: TriggerRules = stop.rules
    margin = EngineStop(key=stop.key, zone=stop.zone, rules=rules).exit_margin_m()
    data = rules.model_dump(mode="json")
    data["exit_margin_m"] = margin
    if data["approach"] is None:
        # A format 1.2 member: written only when set, so older manifests stay byte for byte.
        del data["approach"]
    return data


def build_manifest(
    trail: TrailSource,
    *,
    trail_id: str,
    release: int,
    profile: str,
    media: MediaLookup,
    publisher: str,
    key_id: str,
    built_at: datetime,
) -> dict[str, Any]:
    """The manifest (a JSON-ready dict) of one release of a trail in one audio profile.

    ``media(path)`` describes the file that goes into the bundle for each media path the
    source names: for audio the rendition in ``profile``, for transcripts and images the
    file itself.
    """
    if profile not in AUDIO_PROFILES:
        profiles = ", ".join(AUDIO_PROFILES)
        raise invalid(
            "profile", profile, msg("profile must be one of {profiles}", profiles=profiles)
        )
    if not trail_id:
        raise invalid("trail_id", trail_id, msg("a trail id is required"))
    if not publisher:
        raise invalid("publisher", publisher, msg("a publisher name is required"))
    _check_requirements(trail)
    if release < 1:
        raise invalid("release", release, "release numbers start at 1")
    table: dict[str, BundleMedia] = {}

    def ref(path: str, kind: str) -> BundleMedia:
        item = media(path)
        _check_media(path, item, kind)
        table[item.path] = item
        return item

    cover = ref(trail.cover, "image").path if trail.cover else None
    stops = [_stop(stop, ref) for stop in trail.stops]
    layers = []
    for layer in trail.ambience:
        audio = ref(layer.audio, "audio")
        layers.append(
            {
                "key": layer.key,
                "title": dict(layer.title),
                "zone": zone_feature(layer.zone),
                "audio": audio.path,
                "duration_s": _seconds(audio),
                "min_distance_m": layer.min_distance_m,
                "max_distance_m": layer.max_distance_m,
                "min_gain_db": layer.min_gain_db,
                "max_gain_db": layer.max_gain_db,
                "rules": dict(_LAYER_RULES),
            }
        )
    objects = [_object(obj, ref(obj.audio, "audio")) for obj in trail.objects]
    manifest: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "profile": profile,
        "publisher": publisher,
        "key_id": key_id,
        "built_at": utc_timestamp(built_at),
        "trail": _trail(trail, trail_id, release, cover),
        "stops": stops,
        "ambience": layers,
        "media": [table[path].as_dict() for path in sorted(table)],
    }
    if uses_spatial_members(trail):
        # Format 1.2's members; without them the manifest stays what it was, byte for byte.
        manifest["format_minor"] = SPATIAL_FORMAT_MINOR
        if objects:
            manifest["objects"] = objects
    return manifest


def uses_spatial_members(trail: TrailSource) -> bool:
    """Whether the trail needs format 1.2: objects, a stop's position or an approach rule."""
    return bool(trail.objects) or any(
        s.position is not None or s.rules.approach is not None for s in trail.stops
    )


def _object(obj: SoundObject, audio: BundleMedia) -> dict[str, Any]:
    data = obj.model_dump(mode="json", exclude={"title", "audio", "position"})
    return {
        "key": obj.key,
        "title": dict(obj.title),
        "position": list(obj.position),
        "audio": audio.path,
        "duration_s": _seconds(audio),
        **{k: v for k, v in data.items() if k != "key"},
    }


def manifest_bbox(trail: TrailSource) -> list[float]:
    """``trail.bbox`` of the manifest: every zone and the route, rounded outwards (2.2)."""
    box = summarise(trail).bbox
    return [
        math.floor(box.west * _BBOX_STEP) / _BBOX_STEP,
        math.floor(box.south * _BBOX_STEP) / _BBOX_STEP,
        math.ceil(box.east * _BBOX_STEP) / _BBOX_STEP,
        math.ceil(box.north * _BBOX_STEP) / _BBOX_STEP,
    ]


def _trail(trail: TrailSource, trail_id: str, release: int, cover: str | None) -> dict[str, Any]:
    bbox = manifest_bbox(trail)
    route = (
        {"type": "LineString", "coordinates": [list(p) for p in trail.route]}
        if trail.route
        else None
    )
    return {
        "id": trail_id,
        "slug": trail.slug,
        "release": release,
        "title": dict(trail.title),
        "description": dict(trail.description),
        "languages": list(trail.languages),
        "mode": trail.mode,
        "timezone": trail.timezone,
        "licence": trail.licence,
        "credits": [c.model_dump() for c in trail.credits],
        "valid_from": utc_timestamp(trail.valid_from) if trail.valid_from else None,
        "valid_until": utc_timestamp(trail.valid_until) if trail.valid_until else None,
        "cover": cover,
        "route": route,
        "bbox": bbox,
        "settings": trail.settings.model_dump(),
    }


def _stop(stop: Stop, ref: Callable[[str, str], BundleMedia]) -> dict[str, Any]:
    story = stop.story
    cues: dict[str, Any] = {}
    for language, version in story.versions.items() if story else []:
        audio = ref(version.audio, "audio")
        transcript = ref(version.transcript, "transcript").path if version.transcript else None
        cues[language] = {
            "audio": audio.path,
            "duration_s": _seconds(audio),
            "transcript": transcript,
            "text": version.text,
        }
    return {
        "key": stop.key,
        "title": dict(stop.title),
        "zone": zone_feature(stop.zone),
        "rules": resolved_rules(stop),
        "role": story.role if story else None,
        "credits": [c.model_dump() for c in story.credits] if story else [],
        "licence": story.licence if story else None,
        "cues": cues,
        **({"position": list(stop.position)} if stop.position is not None else {}),
    }


def _check_requirements(trail: TrailSource) -> None:
    """Conditions name stops only (trigger semantics 7.5): anything else is never played."""
    stops = {stop.key for stop in trail.stops}
    layers = {layer.key for layer in trail.ambience}
    owners = [(f"stops.{s.key}.rules.requires", s.rules.requires) for s in trail.stops]
    owners += [(f"objects.{o.key}.requires", o.requires) for o in trail.objects]
    for field, requires in owners:
        for cond in requires.conditions if requires else []:
            if cond.stop not in stops:
                if cond.stop in layers:
                    why = msg(
                        "a condition must name a stop; '{key}' is an ambient layer", key=cond.stop
                    )
                else:
                    why = msg(
                        "a condition must name a stop; '{key}' is not in the trail", key=cond.stop
                    )
                raise invalid(field, cond.stop, why)


def _seconds(item: BundleMedia) -> float:
    return round(item.duration_s, 3) if item.duration_s is not None else 0.0


def _check_media(path: str, item: BundleMedia, kind: str) -> None:
    problems: list[Message] = []
    if not _SHA256_RE.match(item.sha256):
        problems.append(msg("sha256 must be 64 lowercase hex digits"))
    if not _EXTENSION_RE.match(item.extension):
        problems.append(msg("extension must be 1-8 lowercase letters or digits, without a dot"))
    if item.bytes < 0:
        problems.append(msg("bytes must not be negative"))
    if item.kind != kind:
        problems.append(
            msg("is used as {kind} but described as {described}", kind=kind, described=item.kind)
        )
    allowed = MEDIA_TYPES.get(item.kind, ())
    if item.mime_type not in allowed:
        problems.append(
            msg(
                "type {type} is not one of {kind}: {allowed}",
                type=item.mime_type,
                kind=item.kind,
                allowed=", ".join(allowed),
            )
        )
    if kind == "audio" and (item.duration_s is None or item.duration_s <= 0):
        problems.append(msg("audio needs a positive duration"))
    if problems:
        raise invalid("media", path, joined(problems))
