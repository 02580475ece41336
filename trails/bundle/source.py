"""A verified bundle read back as a trail source, for the walk simulator and checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from trails.errors import invalid
from trails.messages import msg
from trails.source import LoadedSource, TrailSource, parse_source
from trails.vocabulary import AudioRole


class BundleSource(LoadedSource):
    """A trail read from a bundle: media are zip entries, their durations from the manifest."""

    def __init__(self, trail: TrailSource, bundle: Path, manifest: dict[str, Any]) -> None:
        super().__init__(trail, bundle)
        self.manifest = manifest
        self.durations: dict[str, float] = {
            row["path"]: row["duration_s"]
            for row in manifest["media"]
            if row["duration_s"] is not None
        }

    def media_file(self, relative: str) -> Path:
        """Media inside a bundle are not files on disk; use :attr:`durations` or the reader."""
        inside = msg("is inside the bundle {bundle}, not a file", bundle=self.folder)
        raise invalid("media", relative, inside)


def _zone(feature: dict[str, Any]) -> dict[str, Any]:
    geometry = feature["geometry"]
    if geometry["type"] == "Point":
        return {
            "type": "circle",
            "center": geometry["coordinates"],
            "radius_m": feature["properties"]["radius_m"],
        }
    return {"type": "polygon", "coordinates": geometry["coordinates"]}


def _stop(stop: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "key": stop["key"],
        "title": stop["title"],
        "zone": _zone(stop["zone"]),
        "rules": stop["rules"],
    }
    if stop.get("position") is not None:
        out["position"] = stop["position"]
    if stop["cues"]:
        out["story"] = {
            "versions": {
                language: {k: cue[k] for k in ("audio", "transcript", "text") if cue[k] is not None}
                for language, cue in stop["cues"].items()
            },
            "credits": stop["credits"],
            "licence": stop["licence"],
            "role": stop["role"] or AudioRole.voice.value,
        }
    return out


_TRAIL_KEYS = (
    "slug", "languages", "title", "description", "mode", "timezone", "licence", "credits",
    "valid_from", "valid_until", "cover", "settings",
)  # fmt: skip


def trail_from_manifest(manifest: dict[str, Any]) -> TrailSource:
    """The trail source a (schema-valid) manifest describes, media paths being entry names."""
    trail = manifest["trail"]
    data: dict[str, Any] = {key: trail[key] for key in _TRAIL_KEYS if trail[key] is not None}
    if trail["route"]:
        data["route"] = trail["route"]["coordinates"]
    data["stops"] = [_stop(stop) for stop in manifest["stops"]]
    data["ambience"] = [
        {
            "key": layer["key"],
            "title": layer["title"],
            "audio": layer["audio"],
            "zone": _zone(layer["zone"]),
            **{
                k: layer[k]
                for k in ("min_distance_m", "max_distance_m", "min_gain_db", "max_gain_db")
            },
        }
        for layer in manifest["ambience"]
    ]
    if manifest.get("objects"):
        data["objects"] = [
            {k: v for k, v in obj.items() if k != "duration_s"} for obj in manifest["objects"]
        ]
    return parse_source(data)
