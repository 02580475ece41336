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


class Spatial:
    """Builds backend-specific spatial expressions for one SQL dialect."""

    def __init__(self, dialect_name: str) -> None:
        self.sqlite = dialect_name == "sqlite"

    def point(self, lon: float, lat: float) -> ColumnElement[Any]:
        """A WGS84 point."""
        return func.ST_GeomFromText(f"POINT({lon!r} {lat!r})", SRID)

    def envelope(self, box: BBox) -> ColumnElement[Any]:
        """A WGS84 rectangle."""
        if self.sqlite:
            return func.BuildMbr(box.west, box.south, box.east, box.north, SRID)
        return func.ST_MakeEnvelope(box.west, box.south, box.east, box.north, SRID)

    def distance_m(self, geom: Any, other: Any) -> ColumnElement[float]:
        """Ellipsoidal distance in metres."""
        if self.sqlite:
            return func.ST_Distance(geom, other, 1)
        return func.ST_Distance(cast(geom, Geography), cast(other, Geography))

    def in_box(self, table: Table, column: str, box: BBox) -> ColumnElement[bool]:
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

    def intersects_box(self, table: Table, column: str, box: BBox) -> ColumnElement[bool]:
        """Rows whose geometry intersects ``box``, using the index first."""
        return and_(
            self.in_box(table, column, box),
            func.ST_Intersects(table.c[column], self.envelope(box)),
        )
