"""What a catalogue shows of a trail: start, extent, length and the public description."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from trails.geo import BBox, haversine_m
from trails.source import CircleZone, TrailSource
from trails.zones import union_bbox, zone_bbox, zone_geometry


@dataclass(frozen=True)
class TrailSummary:
    """Geometry and public facts of a trail, derived from its source."""

    start: tuple[float, float]
    bbox: BBox
    length_m: float
    public: dict[str, Any]


def _path_length_m(positions: list[tuple[float, float]]) -> float:
    return sum(haversine_m(a[1], a[0], b[1], b[0]) for a, b in itertools.pairwise(positions))


def _stop_anchor(zone: Any) -> tuple[float, float]:
    if isinstance(zone, CircleZone):
        return zone.center
    point = zone_geometry(zone).representative_point()
    return (point.x, point.y)


def summarise(trail: TrailSource) -> TrailSummary:
    """Summarise a trail for the public catalogue."""
    anchors = [_stop_anchor(stop.zone) for stop in trail.stops]
    boxes = [zone_bbox(stop.zone) for stop in trail.stops]
    boxes += [zone_bbox(layer.zone) for layer in trail.ambience]
    if trail.route:
        route = list(trail.route)
        boxes.append(
            BBox(
                min(p[0] for p in route),
                min(p[1] for p in route),
                max(p[0] for p in route),
                max(p[1] for p in route),
            )
        )
        length = _path_length_m(route)
    else:
        length = _path_length_m(anchors)
    bbox = union_bbox(boxes)
    start = anchors[0]
    public = {
        "slug": trail.slug,
        "title": trail.title,
        "description": trail.description,
        "languages": trail.languages,
        "mode": trail.mode,
        "licence": trail.licence,
        "credits": [c.model_dump(mode="json") for c in trail.credits],
        "start": {"type": "Point", "coordinates": list(start)},
        "bbox": list(bbox.as_tuple()),
        "length_m": round(length, 1),
        "stops": [
            {
                "key": stop.key,
                "title": stop.title,
                "zone": stop.zone.model_dump(),
                "languages": sorted(stop.story.versions) if stop.story else [],
            }
            for stop in trail.stops
        ],
    }
    return TrailSummary(start=start, bbox=bbox, length_m=length, public=public)
