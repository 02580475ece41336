"""What a poster says: its content, checked, and how to take it from a trail source."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shapely.geometry import Polygon

from server.sharing.qr import check_url
from trails.errors import invalid
from trails.i18n import INTERFACE_LANGUAGES
from trails.messages import msg
from trails.source import CircleZone, TrailSource

Ring = tuple[tuple[float, float], ...]


def _check_lon_lat(lon: float, lat: float, field_name: str) -> None:
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise invalid(field_name, [lon, lat], msg("a position is [longitude, latitude] in degrees"))


@dataclass(frozen=True)
class PosterStop:
    """A numbered stop on the poster's map: a circle (radius in metres) or polygon rings."""

    lon: float
    lat: float
    number: int
    title: str
    radius_m: float | None = None
    rings: tuple[Ring, ...] = ()

    def __post_init__(self) -> None:
        _check_lon_lat(self.lon, self.lat, "stops")
        if self.radius_m is not None and not (math.isfinite(self.radius_m) and self.radius_m > 0):
            raise invalid(
                "stops", self.radius_m, msg("a stop's radius is a positive number of metres")
            )
        for ring in self.rings:
            for lon, lat in ring:
                _check_lon_lat(lon, lat, "stops")


@dataclass(frozen=True)
class PosterContent:
    """Everything printed on a festival poster; checked when made."""

    title: str
    url: str
    language: str
    description: str = ""
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    timezone: str = "UTC"
    route: tuple[tuple[float, float], ...] = ()
    stops: tuple[PosterStop, ...] = field(default_factory=tuple)
    organisation: str | None = None

    def __post_init__(self) -> None:
        if not self.title.strip():
            raise invalid("title", self.title, msg("a poster needs a title"))
        check_url(self.url)
        if self.language not in INTERFACE_LANGUAGES:
            raise invalid(
                "language",
                self.language,
                msg("posters are printed in {value}", value=", ".join(INTERFACE_LANGUAGES)),
            )
        for name in ("valid_from", "valid_until"):
            value = getattr(self, name)
            if value is not None and value.utcoffset() is None:
                raise invalid(name, str(value), msg("dates need a time zone offset"))
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise invalid("valid_until", str(self.valid_until), msg("the end is before the start"))
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise invalid("timezone", self.timezone, msg("not a known IANA time zone")) from None
        for lon, lat in self.route:
            _check_lon_lat(lon, lat, "route")


def _pick(texts: Mapping[str, str], language: str, fallbacks: Sequence[str]) -> str:
    """The text in ``language``, else in the trail's first language that has one."""
    for lang in (language, *fallbacks, *texts):
        if texts.get(lang):
            return texts[lang]
    return ""


def poster_content_from_source(
    trail: TrailSource, url: str, language: str, organisation: str | None = None
) -> PosterContent:
    """Build a poster's content from a trail source, its public link and a poster language."""
    stops = []
    for number, stop in enumerate(trail.stops, start=1):
        title = _pick(stop.title, language, trail.languages)
        zone = stop.zone
        if isinstance(zone, CircleZone):
            lon, lat = zone.center
            stops.append(PosterStop(lon, lat, number, title, radius_m=zone.radius_m))
        else:
            rings = tuple(tuple((p[0], p[1]) for p in ring) for ring in zone.coordinates)
            # The label goes on a point inside the zone, even for a concave shape.
            inside = Polygon(rings[0], rings[1:]).representative_point()
            stops.append(PosterStop(inside.x, inside.y, number, title, rings=rings))
    return PosterContent(
        title=_pick(trail.title, language, trail.languages),
        description=_pick(trail.description, language, trail.languages),
        url=url,
        language=language,
        valid_from=trail.valid_from,
        valid_until=trail.valid_until,
        timezone=trail.timezone,
        route=tuple((p[0], p[1]) for p in trail.route or ()),
        stops=tuple(stops),
        organisation=organisation,
    )
