"""Zone geometry for triggers: exact distances in millimetres and a spatial index."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import shapely
from shapely import STRtree
from shapely.geometry import Point, Polygon, box

from trails.geo import EARTH_RADIUS_M, bbox_around, haversine_m
from trails.source import CircleZone, PolygonZone

_DEG = math.pi / 180


class ZoneShape:
    """A zone that answers how far (in mm) a position lies outside it; 0 means inside."""

    def outside_mm(self, lat: float, lon: float) -> int:
        """Distance from the position to the zone, rounded to mm; 0 inside or on the boundary."""
        raise NotImplementedError

    def envelope(self, pad_m: float) -> tuple[float, float, float, float]:
        """A degree box (west, south, east, north) holding every point within ``pad_m``."""
        raise NotImplementedError


class CircleShape(ZoneShape):
    """A circle measured with the haversine distance to its centre."""

    def __init__(self, zone: CircleZone) -> None:
        self.lon, self.lat = zone.center
        self.radius_m = zone.radius_m
        self._radius_mm = round(zone.radius_m * 1000)

    def outside_mm(self, lat: float, lon: float) -> int:
        """Distance outside the circle; the centre distance is rounded before subtracting."""
        d_mm = round(haversine_m(self.lat, self.lon, lat, lon) * 1000)
        return max(0, d_mm - self._radius_mm)

    def envelope(self, pad_m: float) -> tuple[float, float, float, float]:
        """Box around the circle grown by ``pad_m``."""
        b = bbox_around(self.lat, self.lon, self.radius_m + pad_m)
        return b.west, b.south, b.east, b.north


class PolygonShape(ZoneShape):
    """A polygon measured in a local plane centred on the first vertex of its outer ring."""

    def __init__(self, zone: PolygonZone) -> None:
        self.lon0, self.lat0 = zone.coordinates[0][0]
        self._kx = EARTH_RADIUS_M * _DEG * math.cos(self.lat0 * _DEG)
        self._ky = EARTH_RADIUS_M * _DEG
        rings = [[self.project(lat, lon) for lon, lat in ring] for ring in zone.coordinates]
        self.polygon = Polygon(rings[0], rings[1:])
        shapely.prepare(self.polygon)

    def project(self, lat: float, lon: float) -> tuple[float, float]:
        """Local east/north metres of a position (equirectangular around the first vertex)."""
        return (lon - self.lon0) * self._kx, (lat - self.lat0) * self._ky

    def outside_mm(self, lat: float, lon: float) -> int:
        """Planar distance to the polygon, 0 when it covers the point."""
        point = Point(self.project(lat, lon))
        if self.polygon.covers(point):
            return 0
        return max(0, round(self.polygon.distance(point) * 1000))

    def envelope(self, pad_m: float) -> tuple[float, float, float, float]:
        """Box around the polygon grown by ``pad_m`` (plus 1% so rounding never clips)."""
        minx, miny, maxx, maxy = self.polygon.bounds
        grow = pad_m * 1.01 + 1.0
        return (
            self.lon0 + (minx - grow) / self._kx,
            self.lat0 + (miny - grow) / self._ky,
            self.lon0 + (maxx + grow) / self._kx,
            self.lat0 + (maxy + grow) / self._ky,
        )


def make_shape(zone: CircleZone | PolygonZone) -> ZoneShape:
    """The shape object for a zone model."""
    if isinstance(zone, CircleZone):
        return CircleShape(zone)
    return PolygonShape(zone)


# Grid cell (degrees) whose candidate list is cached: a walker stays in one for ~20 fixes.
_CELL_DEG = 0.0003
_CACHE_LIMIT = 4096


class ZoneIndex:
    """An STRtree over zone envelopes, so that a fix is tested only against nearby zones."""

    def __init__(self, envelopes: Sequence[tuple[float, float, float, float]]) -> None:
        self._tree = STRtree([box(*e) for e in envelopes])
        self._cells: dict[tuple[int, int], list[int]] = {}

    def candidates(self, lat: float, lon: float) -> list[int]:
        """Indexes of zones whose envelope meets the grid cell of the position, ascending.

        A superset of the zones that can hold the position; the exact test comes after.
        """
        cell = (math.floor(lat / _CELL_DEG), math.floor(lon / _CELL_DEG))
        found = self._cells.get(cell)
        if found is None:
            if len(self._cells) >= _CACHE_LIMIT:
                self._cells.clear()
            south, west = cell[0] * _CELL_DEG, cell[1] * _CELL_DEG
            query = box(west, south, west + _CELL_DEG, south + _CELL_DEG)
            found = sorted(int(i) for i in self._tree.query(query))
            self._cells[cell] = found
        return found

    def candidates_bulk(self, lats: Sequence[float], lons: Sequence[float]) -> list[list[int]]:
        """Candidate lists for many positions at once (one vectorised tree query)."""
        points = shapely.points(np.column_stack([np.asarray(lons), np.asarray(lats)]))
        out: list[list[int]] = [[] for _ in range(len(points))]
        if len(points) == 0:
            return out
        pairs = self._tree.query(points)
        for fix_i, zone_i in zip(pairs[0].tolist(), pairs[1].tolist(), strict=True):
            out[fix_i].append(zone_i)
        for cands in out:
            cands.sort()
        return out
