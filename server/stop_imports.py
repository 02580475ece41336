"""Stops of a draft trail read from a GPX, GeoJSON or KML file sent by the studio.

The same readers as ``baladeur convert`` and ``baladeur import`` (``trails.interchange``):
waypoints and points become circle stops of the default radius, named after them; polygons
stay polygons. A file that gives no stop, or a place out of range, is refused whole.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath

from sqlalchemy.orm import Session

from server import drafts
from server.db.models import Stop, Trail
from server.schemas.drafts import StopCreate
from trails.errors import invalid
from trails.interchange.geojson import import_geojson
from trails.interchange.gpx import import_gpx
from trails.interchange.kml import import_kml
from trails.interchange.model import DEFAULT_RADIUS_M, Imported, ImportOptions, unique_key
from trails.messages import msg

_READERS: dict[str, Callable[[bytes, str, ImportOptions], Imported]] = {
    ".gpx": import_gpx,
    ".geojson": import_geojson,
    ".json": import_geojson,
    ".kml": import_kml,
}
SUFFIXES = tuple(_READERS)
# A file of places, not of media: a few thousand waypoints at most.
MAX_FILE_CHARS = 5 * 1024 * 1024


def read_stops(trail: Trail, file_name: str, content: str) -> tuple[list[StopCreate], list[str]]:
    """The stops a file gives for ``trail`` (keys free in it, titles in its first language),
    and what the reading left out."""
    path = PurePosixPath(file_name.replace("\\", "/"))
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise invalid(
            "file_name",
            file_name,
            msg("the studio imports stops from {formats} files", formats=", ".join(SUFFIXES)),
        )
    options = ImportOptions(language=trail.languages[0], radius_m=DEFAULT_RADIUS_M)
    imported = reader(content.encode("utf-8"), path.stem, options)
    taken = {stop.key for stop in trail.stops}
    stops = [
        StopCreate.model_validate(
            {
                "key": unique_key(stop.key, taken),
                "title": stop.title,
                "zone": stop.zone.model_dump(mode="json"),
            }
        )
        for stop in imported.trail.stops
    ]
    return stops, list(imported.dropped)


def create_stops(session: Session, trail: Trail, stops: list[StopCreate]) -> list[Stop]:
    """Add the stops after the trail's own, in the file's order (one transaction: all or none)."""
    return [drafts.add_stop(session, trail, stop) for stop in stops]
