"""Zones in the database: a trail source's zone stored in a row's columns, and read back."""

from __future__ import annotations

from typing import Any

from geoalchemy2.shape import from_shape, to_shape

from server.db.models import SRID, ZoneColumns, ZoneKind
from trails.source import CircleZone, PolygonZone
from trails.zones import zone_geometry


def set_zone(row: ZoneColumns, zone: CircleZone | PolygonZone) -> None:
    """Store a validated zone on a stop or ambience row."""
    geometry = from_shape(zone_geometry(zone), srid=SRID)
    if isinstance(zone, CircleZone):
        row.zone_kind, row.center, row.radius_m, row.polygon = (
            ZoneKind.circle,
            geometry,
            zone.radius_m,
            None,
        )
    else:
        row.zone_kind, row.center, row.radius_m, row.polygon = (
            ZoneKind.polygon,
            None,
            None,
            geometry,
        )


def zone_of(row: ZoneColumns) -> dict[str, Any]:
    """A row's zone in the trail source shape."""
    if row.zone_kind == ZoneKind.circle:
        assert row.center is not None
        point = to_shape(row.center)
        return {"type": "circle", "center": [point.x, point.y], "radius_m": row.radius_m}
    assert row.polygon is not None
    polygon = to_shape(row.polygon)
    rings = [polygon.exterior, *polygon.interiors]
    return {"type": "polygon", "coordinates": [[list(c) for c in ring.coords] for ring in rings]}
