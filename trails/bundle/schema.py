"""The JSON Schema of ``manifest.json``, published as ``docs/bundle-manifest.schema.json``.

Written by hand (it describes the bundle format, not a Python model); a test keeps the
published file identical to this one.
"""

from __future__ import annotations

from typing import Any

from trails.bundle import FORMAT_VERSION
from trails.bundle.model import MEDIA_TYPES
from trails.rules import MAX_OBJECT_RADIUS_M
from trails.storage_names import MEDIA_NAME_PATTERN
from trails.vocabulary import AUDIO_PROFILES, AUDIO_ROLES, TRAIL_MODES

SCHEMA_ID = f"https://baladeur.org/schemas/bundle-manifest-{FORMAT_VERSION}.schema.json"

_sha256 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
_media_path = {"type": "string", "pattern": MEDIA_NAME_PATTERN}
_slug = {"type": "string", "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$", "maxLength": 80}
_language = {"type": "string", "pattern": "^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$"}
_texts = {
    "type": "object",
    "propertyNames": {"$ref": "#/$defs/language"},
    "additionalProperties": {"type": "string"},
}
_timestamp = {"type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$"}
_position = {
    "type": "array",
    "prefixItems": [
        {"type": "number", "minimum": -180, "maximum": 180},
        {"type": "number", "minimum": -90, "maximum": 90},
    ],
    "minItems": 2,
    "maxItems": 2,
}
_nonneg = {"type": "number", "minimum": 0}
_gain = {"type": "number", "maximum": 0}


def _obj(
    properties: dict[str, Any], required: list[str] | None = None, optional: tuple[str, ...] = ()
) -> dict[str, Any]:
    if required is None:
        required = [name for name in properties if name not in optional]
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


_DEFS: dict[str, Any] = {
    "sha256": _sha256,
    "mediaPath": _media_path,
    "slug": _slug,
    "language": _language,
    "texts": _texts,
    "timestamp": _timestamp,
    "position": _position,
    "credit": _obj(
        {"name": {"type": "string", "minLength": 1}, "role": {"type": "string", "minLength": 1}}
    ),
    "zone": {
        "description": "A GeoJSON Feature: a circle is a Point with properties.radius_m, "
        "a polygon a Polygon (outer ring, then holes).",
        "oneOf": [
            _obj(
                {
                    "type": {"const": "Feature"},
                    "geometry": _obj(
                        {"type": {"const": "Point"}, "coordinates": {"$ref": "#/$defs/position"}}
                    ),
                    "properties": _obj(
                        {
                            "shape": {"const": "circle"},
                            "radius_m": {"type": "number", "exclusiveMinimum": 0},
                        }
                    ),
                }
            ),
            _obj(
                {
                    "type": {"const": "Feature"},
                    "geometry": _obj(
                        {
                            "type": {"const": "Polygon"},
                            "coordinates": {
                                "type": "array",
                                "minItems": 1,
                                "items": {
                                    "type": "array",
                                    "minItems": 4,
                                    "items": {"$ref": "#/$defs/position"},
                                },
                            },
                        }
                    ),
                    "properties": _obj({"shape": {"const": "polygon"}}),
                }
            ),
        ],
    },
    "approach": _obj(
        {
            "bearing_deg": {"type": "number", "minimum": 0, "exclusiveMaximum": 360},
            "tolerance_deg": {"type": "number", "minimum": 0, "maximum": 180},
        }
    ),
    "rules": _obj(
        {
            "dwell_s": _nonneg,
            "max_accuracy_m": {"type": "number", "exclusiveMinimum": 0},
            "exit_margin_m": _nonneg,
            "exit_dwell_s": _nonneg,
            "replay": {"enum": ["once", "always", "loop"]},
            "cooldown_s": _nonneg,
            "priority": {"type": "integer"},
            "interrupt": {"type": "boolean"},
            "on_exit": {"enum": ["finish", "stop"]},
            "requires": _nullable(
                _obj(
                    {
                        "mode": {"enum": ["all", "any"]},
                        "conditions": {
                            "type": "array",
                            "minItems": 1,
                            "items": _obj(
                                {
                                    "stop": {"type": "string"},
                                    "state": {"enum": ["played", "triggered", "not_played"]},
                                }
                            ),
                        },
                    }
                )
            ),
            "time_windows": {
                "type": "array",
                "items": _obj(
                    {
                        "start": {"type": "string", "pattern": "^([01]\\d|2[0-3]):[0-5]\\d$"},
                        "end": {"type": "string", "pattern": "^([01]\\d|2[0-3]):[0-5]\\d$"},
                    }
                ),
            },
            "approach": {"$ref": "#/$defs/approach"},
        },
        optional=("approach",),
    ),
    "cue": _obj(
        {
            "audio": {"$ref": "#/$defs/mediaPath"},
            "duration_s": {"type": "number", "exclusiveMinimum": 0},
            "transcript": _nullable({"$ref": "#/$defs/mediaPath"}),
            "text": _nullable({"type": "string"}),
        }
    ),
    "stop": _obj(
        {
            "key": {"$ref": "#/$defs/slug"},
            "title": {"$ref": "#/$defs/texts"},
            "zone": {"$ref": "#/$defs/zone"},
            "rules": {"$ref": "#/$defs/rules"},
            "role": _nullable({"enum": list(AUDIO_ROLES)}),
            "credits": {"type": "array", "items": {"$ref": "#/$defs/credit"}},
            "licence": _nullable({"type": "string"}),
            "cues": {
                "type": "object",
                "propertyNames": {"$ref": "#/$defs/language"},
                "additionalProperties": {"$ref": "#/$defs/cue"},
            },
            # Format 1.2: where the story is heard from.
            "position": {"$ref": "#/$defs/position"},
        },
        optional=("position",),
    ),
    "layer": _obj(
        {
            "key": {"$ref": "#/$defs/slug"},
            "title": {"$ref": "#/$defs/texts"},
            "zone": {"$ref": "#/$defs/zone"},
            "audio": {"$ref": "#/$defs/mediaPath"},
            "duration_s": {"type": "number", "exclusiveMinimum": 0},
            "min_distance_m": _nonneg,
            "max_distance_m": {"type": "number", "exclusiveMinimum": 0},
            "min_gain_db": _gain,
            "max_gain_db": _gain,
            "rules": _obj(
                {
                    "dwell_s": {"const": 0},
                    "max_accuracy_m": {"const": 30},
                    "exit_margin_m": {"const": 8},
                    "exit_dwell_s": {"const": 5},
                }
            ),
        }
    ),
    "media": {
        **_obj(
            {
                "path": {"$ref": "#/$defs/mediaPath"},
                "sha256": {"$ref": "#/$defs/sha256"},
                "bytes": {"type": "integer", "minimum": 0},
                "mime_type": {"enum": [t for types in MEDIA_TYPES.values() for t in types]},
                "kind": {"enum": list(MEDIA_TYPES)},
                "duration_s": _nullable({"type": "number", "exclusiveMinimum": 0}),
                "loudness_lufs": _nullable({"type": "number"}),
            }
        ),
        # Each kind with its own types: an image row cannot say audio/ogg.
        "allOf": [
            {
                "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                "then": {"properties": {"mime_type": {"enum": list(types)}}},
            }
            for kind, types in MEDIA_TYPES.items()
        ],
    },
    "trail": _obj(
        {
            "id": {"type": "string", "minLength": 1},
            "slug": {"$ref": "#/$defs/slug"},
            "release": {"type": "integer", "minimum": 1},
            "title": {"$ref": "#/$defs/texts", "minProperties": 1},
            "description": {"$ref": "#/$defs/texts"},
            "languages": {
                "type": "array",
                "minItems": 1,
                "uniqueItems": True,
                "items": {"$ref": "#/$defs/language"},
            },
            "mode": {"enum": list(TRAIL_MODES)},
            "timezone": {"type": "string", "minLength": 1},
            "licence": _nullable({"type": "string"}),
            "credits": {"type": "array", "items": {"$ref": "#/$defs/credit"}},
            "valid_from": _nullable({"$ref": "#/$defs/timestamp"}),
            "valid_until": _nullable({"$ref": "#/$defs/timestamp"}),
            "cover": _nullable({"$ref": "#/$defs/mediaPath"}),
            "route": _nullable(
                _obj(
                    {
                        "type": {"const": "LineString"},
                        "coordinates": {
                            "type": "array",
                            "minItems": 2,
                            "items": {"$ref": "#/$defs/position"},
                        },
                    }
                )
            ),
            "bbox": {
                "type": "array",
                "description": "[west, south, east, north] in degrees, containing every zone "
                "and the route.",
                "items": {"type": "number"},
                "minItems": 4,
                "maxItems": 4,
            },
            "settings": _obj(
                {
                    "loudness_lufs": {"type": "number"},
                    "ambience_offset_db": _gain,
                    "ducking_db": _gain,
                }
            ),
        }
    ),
}


# Format 1.2: a sound placed at a point (trigger semantics section 14).
_DEFS["object"] = _obj(
    {
        "key": {"$ref": "#/$defs/slug"},
        "title": {"$ref": "#/$defs/texts"},
        "position": {"$ref": "#/$defs/position"},
        "audio": {"$ref": "#/$defs/mediaPath"},
        "duration_s": {"type": "number", "exclusiveMinimum": 0},
        "radius_m": {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_OBJECT_RADIUS_M},
        "ref_distance_m": {"type": "number", "exclusiveMinimum": 0},
        "rolloff": {"enum": ["inverse", "linear"]},
        "gain_db": _gain,
        "loop": {"type": "boolean"},
        "requires": _DEFS["rules"]["properties"]["requires"],
        "time_windows": _DEFS["rules"]["properties"]["time_windows"],
        "approach": _nullable({"$ref": "#/$defs/approach"}),
        "facing": _nullable(
            _obj({"tolerance_deg": {"type": "number", "minimum": 0, "maximum": 180}})
        ),
    }
)

_DEFS["basemap"] = _obj(
    {
        "sha256": {"$ref": "#/$defs/sha256"},
        "bytes": {"type": "integer", "minimum": 1},
        "tile_type": {"enum": ["png", "jpeg"]},
        "min_zoom": {"type": "integer", "minimum": 0, "maximum": 30},
        "max_zoom": {"type": "integer", "minimum": 0, "maximum": 30},
        "bounds": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4},
        "attribution": {"type": "string"},
    }
)

# Every top-level member but the optional ones, format_minor and basemap (format 1.1).
_TOP_LEVEL_REQUIRED = (
    "format", "profile", "publisher", "key_id", "built_at", "trail", "stops", "ambience", "media",
)  # fmt: skip


def lenient(schema: Any) -> Any:
    """The schema without its bans on unknown members: how a newer minor version is read."""
    if isinstance(schema, dict):
        return {
            k: lenient(v)
            for k, v in schema.items()
            if not (k == "additionalProperties" and v is False)
        }
    if isinstance(schema, list):
        return [lenient(v) for v in schema]
    return schema


def manifest_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a format-1 bundle manifest."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Baladeur bundle manifest, format 1",
        "description": "manifest.json of an offline trail bundle; see docs/bundle-format.md.",
        **_obj(
            {
                "format": {"const": FORMAT_VERSION},
                # Absent in format 1.0; a newer minor version writes it (bundle-format.md).
                "format_minor": {"type": "integer", "minimum": 0},
                "profile": {"enum": list(AUDIO_PROFILES)},
                "publisher": {"type": "string", "minLength": 1},
                "key_id": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
                "built_at": {"$ref": "#/$defs/timestamp"},
                "trail": {"$ref": "#/$defs/trail"},
                "stops": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/stop"}},
                "ambience": {"type": "array", "items": {"$ref": "#/$defs/layer"}},
                "media": {"type": "array", "items": {"$ref": "#/$defs/media"}},
                # Format 1.1: the offline base map, a file beside the bundle (section 2.8).
                "basemap": {"$ref": "#/$defs/basemap"},
                # Format 1.2: sound objects (section 2.10).
                "objects": {"type": "array", "items": {"$ref": "#/$defs/object"}},
            },
            required=[*_TOP_LEVEL_REQUIRED],
        ),
        "$defs": _DEFS,
    }


if __name__ == "__main__":
    import json
    import sys

    sys.stdout.write(json.dumps(manifest_schema(), indent=2, ensure_ascii=False) + "\n")
