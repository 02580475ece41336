"""Geodesy helpers: distances in metres and search boxes around a point."""

from __future__ import annotations

import math
from dataclasses import dataclass

from trails.errors import invalid
from trails.validation import check_latitude, check_longitude

EARTH_RADIUS_M = 6_371_008.8
# Metres per degree of latitude, rounded down so that derived boxes err on the large side.
_METRES_PER_DEGREE = 110_574.0


@dataclass(frozen=True)
class BBox:
    """A bounding box in degrees (WGS84), west/south/east/north."""

    west: float
    south: float
    east: float
    north: float

    def as_tuple(self) -> tuple[float, float, float, float]:
        """The box as ``(west, south, east, north)``."""
        return (self.west, self.south, self.east, self.north)

    @classmethod
    def parse(cls, text: str, field: str = "bbox") -> BBox:
        """Parse ``west,south,east,north`` and check its ranges and order."""
        parts = text.split(",")
        if len(parts) != 4:
            raise invalid(field, text, "a bbox is west,south,east,north in degrees")
        try:
            west, south, east, north = (float(p) for p in parts)
        except ValueError:
            raise invalid(field, text, "a bbox is four numbers: west,south,east,north") from None
        try:
            for lon in (west, east):
                check_longitude(lon)
            for lat in (south, north):
                check_latitude(lat)
        except ValueError as exc:
            raise invalid(field, text, str(exc)) from None
        if west > east or south > north:
            raise invalid(field, text, "a bbox needs west <= east and south <= north")
        return cls(west, south, east, north)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS84 points (spherical Earth)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bbox_around(lat: float, lon: float, radius_m: float) -> BBox:
    """A box in degrees that surely contains every point within ``radius_m`` of a point.

    Used as the coarse, index-friendly filter before the exact distance test.
    """
    dlat = radius_m / _METRES_PER_DEGREE * 1.01
    south, north = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    widest = max(abs(south), abs(north))
    cos_lat = math.cos(math.radians(widest))
    if widest >= 89.0 or cos_lat <= 0:
        return BBox(-180.0, south, 180.0, north)
    dlon = dlat / cos_lat
    if dlon >= 180.0:
        return BBox(-180.0, south, 180.0, north)
    return BBox(max(-180.0, lon - dlon), south, min(180.0, lon + dlon), north)
