"""Tracks along a trail's route and the reference engine's events for them."""

from __future__ import annotations

import itertools
import json
import math
from typing import Any

from trails.geo import haversine_m
from trails.triggers.engine import TriggerEngine
from trails.triggers.model import EngineTrail, Fix


def engine_trail(manifest: dict[str, Any], language: str) -> EngineTrail:
    """The reference engine's trail for a bundle manifest, with one language's durations."""

    def zone(feature: dict[str, Any]) -> dict[str, Any]:
        if feature["properties"]["shape"] == "circle":
            return {
                "type": "circle",
                "center": feature["geometry"]["coordinates"],
                "radius_m": feature["properties"]["radius_m"],
            }
        return {"type": "polygon", "coordinates": feature["geometry"]["coordinates"]}

    def duration(stop: dict[str, Any]) -> float | None:
        cues = stop["cues"]
        for lang in [language, *manifest["trail"]["languages"]]:
            if lang in cues:
                return float(cues[lang]["duration_s"])
        return None

    data = {
        "mode": manifest["trail"]["mode"],
        "ducking_db": manifest["trail"]["settings"]["ducking_db"],
        "timezone": manifest["trail"]["timezone"],
        "stops": [
            {
                "key": s["key"],
                "zone": zone(s["zone"]),
                "rules": s["rules"],
                "duration_s": duration(s),
                **({"position": s["position"]} if "position" in s else {}),
            }
            for s in manifest["stops"]
        ],
        # Format 1.2's sound objects, as the manifest states them (audio and title aside).
        "objects": [
            {k: v for k, v in o.items() if k not in {"audio", "title"}}
            for o in manifest.get("objects", [])
        ],
        "ambience": [
            {
                "key": a["key"],
                "zone": zone(a["zone"]),
                **{
                    k: a[k]
                    for k in ("min_distance_m", "max_distance_m", "min_gain_db", "max_gain_db")
                },
            }
            for a in manifest["ambience"]
        ],
    }
    return EngineTrail.model_validate(json.loads(json.dumps(data)))


def along(route: list[list[float]], step_m: float) -> list[tuple[float, float]]:
    """Points (lat, lon) every ``step_m`` metres along a line of [lon, lat] positions."""
    points = [(route[0][1], route[0][0])]
    for (lon1, lat1), (lon2, lat2) in itertools.pairwise(route):
        length = haversine_m(lat1, lon1, lat2, lon2)
        n = max(1, math.ceil(length / step_m))
        for i in range(1, n + 1):
            f = i / n
            points.append((round(lat1 + (lat2 - lat1) * f, 7), round(lon1 + (lon2 - lon1) * f, 7)))
    return points


def reference_events(trail: EngineTrail, fixes: list[Fix]) -> list[dict[str, Any]]:
    """The canonical events of the reference engine for fixes (no finish: the walk goes on)."""
    engine = TriggerEngine(trail)
    out: list[dict[str, Any]] = []
    for fix in fixes:
        out.extend(e.as_dict() for e in engine.feed(fix))
    return out
