"""Zones as shapely geometries, and the boxes that contain them."""

from __future__ import annotations

import math

from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

from trails.geo import BBox, bbox_around, haversine_m
from trails.source import CircleZone, PolygonZone


def zone_geometry(zone: CircleZone | PolygonZone) -> BaseGeometry:
    """The stored geometry of a zone: the centre of a circle, or the polygon."""
    if isinstance(zone, CircleZone):
        return Point(zone.center)
    return Polygon(zone.coordinates[0], zone.coordinates[1:])


def zone_bbox(zone: CircleZone | PolygonZone) -> BBox:
    """A box in degrees that contains the whole zone (a circle's full radius included)."""
    if isinstance(zone, CircleZone):
        lon, lat = zone.center
        return bbox_around(lat, lon, zone.radius_m)
    west, south, east, north = zone_geometry(zone).bounds
    return BBox(west, south, east, north)


def union_bbox(boxes: list[BBox]) -> BBox:
    """The smallest box containing every box given."""
    return BBox(
        min(b.west for b in boxes),
        min(b.south for b in boxes),
        max(b.east for b in boxes),
        max(b.north for b in boxes),
    )


def covering_circle(
    zones: list[CircleZone | PolygonZone], points: list[tuple[float, float]], margin_m: float
) -> tuple[tuple[float, float], float]:
    """A circle around every zone and point given, ``margin_m`` wider: (centre, radius_m).

    The centre is the middle of their box, so the circle is near the smallest one for the
    compact shapes of a walk, and the radius reaches the farthest zone edge or point.
    """
    box = union_bbox([zone_bbox(z) for z in zones] + [BBox(x, y, x, y) for x, y in points])
    lon, lat = (box.west + box.east) / 2, (box.south + box.north) / 2
    reach = 0.0
    for zone in zones:
        if isinstance(zone, CircleZone):
            x, y = zone.center
            reach = max(reach, haversine_m(lat, lon, y, x) + zone.radius_m)
        else:
            for x, y in zone.coordinates[0]:
                reach = max(reach, haversine_m(lat, lon, y, x))
    for x, y in points:
        reach = max(reach, haversine_m(lat, lon, y, x))
    return (round(lon, 7), round(lat, 7)), float(math.ceil(reach + margin_m))
