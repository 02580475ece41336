"""Geometry shared by the converters: a zone's anchor point, coordinate clean-up."""

from __future__ import annotations

from typing import Any

from shapely.geometry import Polygon

from trails.source import CircleZone, PolygonZone


def zone_anchor(zone: CircleZone | PolygonZone) -> tuple[float, float]:
    """One ``(lon, lat)`` for a zone: a circle's centre, a point inside a polygon."""
    if isinstance(zone, CircleZone):
        return zone.center
    rings = zone.coordinates
    point = Polygon(rings[0], rings[1:]).representative_point()
    return round(point.x, 7), round(point.y, 7)


def position(values: Any) -> list[float]:
    """A ``[lon, lat]`` from a coordinate that may carry an altitude."""
    return [float(values[0]), float(values[1])]
