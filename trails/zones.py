"""Zones as shapely geometries, and the boxes that contain them."""

from __future__ import annotations

from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

from trails.geo import BBox, bbox_around
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
