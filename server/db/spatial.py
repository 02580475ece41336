"""Spatial SQL that differs between SpatiaLite and PostGIS, behind one interface.

Distances are in metres on the WGS84 ellipsoid on both backends. Searches first filter
with the spatial index on a box in degrees, then refine with the exact test.
"""

from __future__ import annotations

from typing import Any

from geoalchemy2 import Geography
from sqlalchemy import ColumnElement, Select, Table, and_, cast, func, literal_column, select, text

from server.db.models import SRID
from trails.geo import BBox

# A box's west, south, east and north: numbers, or SQL expressions such as bound parameters
# (a statement compiled once and run with each request's box).
Corners = tuple[Any, Any, Any, Any]


class Spatial:
    """Builds backend-specific spatial expressions for one SQL dialect."""

    def __init__(self, dialect_name: str) -> None:
        self.sqlite = dialect_name == "sqlite"

    def point_at(self, lon: Any, lat: Any) -> ColumnElement[Any]:
        """A WGS84 point from two numbers or SQL values (e.g. bound parameters)."""
        if self.sqlite:
            return func.MakePoint(lon, lat, SRID)
        return func.ST_SetSRID(func.ST_MakePoint(lon, lat), SRID)

    def envelope(self, box: BBox | Corners) -> ColumnElement[Any]:
        """A WGS84 rectangle."""
        west, south, east, north = box.as_tuple() if isinstance(box, BBox) else box
        if self.sqlite:
            return func.BuildMbr(west, south, east, north, SRID)
        return func.ST_MakeEnvelope(west, south, east, north, SRID)

    def distance_m(self, geom: Any, other: Any) -> ColumnElement[float]:
        """Ellipsoidal distance in metres."""
        if self.sqlite:
            return func.ST_Distance(geom, other, 1)
        return func.ST_Distance(cast(geom, Geography), cast(other, Geography))

    def in_box(self, table: Table, column: str, box: BBox | Corners) -> ColumnElement[bool]:
        """Rows whose geometry's bounding box meets ``box``, answered by the spatial index."""
        if self.sqlite:
            # SpatiaLite indexes are R*Tree tables reached through the SpatialIndex
            # virtual table; a plain predicate would scan every row.
            candidates: Select[Any] = (
                select(literal_column("rowid"))
                .select_from(text("SpatialIndex"))
                .where(
                    literal_column("f_table_name") == table.name,
                    literal_column("f_geometry_column") == column,
                    literal_column("search_frame") == self.envelope(box),
                )
            )
            return table.c.id.in_(candidates)
        return table.c[column].op("&&")(self.envelope(box))

    def intersects_box(self, table: Table, column: str, box: BBox | Corners) -> ColumnElement[bool]:
        """Rows whose geometry intersects ``box``, using the index first."""
        return and_(
            self.in_box(table, column, box),
            func.ST_Intersects(table.c[column], self.envelope(box)),
        )
