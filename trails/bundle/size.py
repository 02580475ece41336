"""How big a release's bundles are: per profile, per stop and per minute of audio."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trails.messages import msg

DEFAULT_WARN_BYTES = 150_000_000  # 150 MB: a long wait on a festival's mobile network


def _mb(n: float) -> float:
    return round(n / 1_000_000, 1)


def profile_size(manifest: dict[str, Any], bundle_bytes: int | None = None) -> dict[str, Any]:
    """Sizes for one profile's manifest; ``bundle_bytes`` is the zip's size when known.

    A stop counts the audio and transcripts of all its languages; media shared by several
    stops count in each. ``bytes_per_audio_minute`` divides the audio bytes by the minutes
    of audio in the media table.
    """
    rows = {row["path"]: row for row in manifest["media"]}
    media_bytes = sum(row["bytes"] for row in rows.values())
    audio = [row for row in rows.values() if row["kind"] == "audio"]
    audio_bytes = sum(row["bytes"] for row in audio)
    audio_s = sum(row["duration_s"] or 0 for row in audio)
    stops = []
    for stop in manifest["stops"]:
        paths = {p for cue in stop["cues"].values() for p in (cue["audio"], cue["transcript"]) if p}
        stops.append(
            {
                "key": stop["key"],
                "bytes": sum(rows[p]["bytes"] for p in paths if p in rows),
                "audio_s": round(sum(c["duration_s"] for c in stop["cues"].values()), 3),
            }
        )
    layers = [
        {
            "key": layer["key"],
            "bytes": rows[layer["audio"]]["bytes"] if layer["audio"] in rows else 0,
        }
        for layer in manifest["ambience"]
    ]
    return {
        "bytes": bundle_bytes if bundle_bytes is not None else media_bytes,
        "media_bytes": media_bytes,
        "audio_bytes": audio_bytes,
        "audio_s": round(audio_s, 3),
        "bytes_per_audio_minute": round(audio_bytes / (audio_s / 60)) if audio_s else None,
        "stops": stops,
        "ambience": layers,
    }


def size_report(
    manifests: Mapping[str, dict[str, Any]],
    bundle_bytes: Mapping[str, int] | None = None,
    *,
    warn_bytes: int = DEFAULT_WARN_BYTES,
) -> dict[str, Any]:
    """The size report of a release: one entry per profile, warnings above ``warn_bytes``."""
    profiles: dict[str, Any] = {}
    warnings = []
    for profile, manifest in sorted(manifests.items()):
        entry = profile_size(manifest, (bundle_bytes or {}).get(profile))
        profiles[profile] = entry
        if entry["bytes"] > warn_bytes:
            warnings.append(
                msg(
                    "the {profile} bundle is {size} MB, over {limit} MB: visitors on a mobile"
                    " network may give up; consider shorter or fewer stories",
                    profile=profile,
                    size=_mb(entry["bytes"]),
                    limit=_mb(warn_bytes),
                )
            )
    return {"warn_bytes": warn_bytes, "profiles": profiles, "warnings": warnings}
