"""GPX: stops from waypoints or a route, a route line from a route or a track; and back."""

from __future__ import annotations

import io

import gpxpy
import gpxpy.gpx

from trails.errors import invalid
from trails.interchange.model import Exported, Imported, ImportOptions, TrailDraft, circle
from trails.interchange.places import zone_anchor
from trails.interchange.safexml import local_name, parse_xml
from trails.messages import msg
from trails.source import TrailSource


def read_gpx(data: bytes, what: str = "gpx") -> gpxpy.gpx.GPX:
    """Parse a GPX document safely, refusing anything that is not GPX."""
    root = parse_xml(data, what)
    if local_name(root) != "gpx":
        raise invalid(
            what, None, msg("not a GPX file: the document is <{root}>", root=local_name(root))
        )
    try:
        return gpxpy.parse(io.BytesIO(data))  # type: ignore[type-var]
    except gpxpy.gpx.GPXException as exc:
        raise invalid(what, None, msg("not a readable GPX file: {exc}", exc=exc)) from None


def import_gpx(data: bytes, name: str, options: ImportOptions) -> Imported:
    """Stops from the waypoints (or, without any, the first route); a route line if given."""
    gpx = read_gpx(data)
    dropped: list[str] = []
    draft = TrailDraft(options, gpx.name or name, gpx.description)
    points = [(p.name, p.longitude, p.latitude) for p in gpx.waypoints]
    routes = [r for r in gpx.routes if r.points]
    if routes:
        draft.route = [[p.longitude, p.latitude] for p in routes[0].points]
        if not points:
            points = [(p.name, p.longitude, p.latitude) for p in routes[0].points]
        if len(routes) > 1:
            dropped.append(f"{len(routes) - 1} further route(s) ignored: only the first is kept")
    track_points = [
        [p.longitude, p.latitude]
        for track in gpx.tracks
        for segment in track.segments
        for p in segment.points
    ]
    if track_points:
        if draft.route is None:
            draft.route = track_points
        else:
            dropped.append("track ignored: the route already gives the walking line")
    for title, lon, lat in points:
        draft.add_stop(title, circle(lon, lat, options.radius_m))
    described = sum(1 for p in gpx.waypoints if p.description or p.comment)
    if described:
        dropped.append(f"descriptions of {described} waypoint(s) not kept: stops have no text")
    if any(p.elevation is not None for p in gpx.waypoints):
        dropped.append("elevations not kept: positions are two-dimensional")
    return Imported(draft.build("gpx"), dropped=dropped)


def export_gpx(trail: TrailSource) -> Exported:
    """A GPX 1.1 file: one waypoint per stop, and the route line as a route."""
    language = trail.languages[0]
    gpx = gpxpy.gpx.GPX()
    gpx.creator = "Baladeur"
    gpx.name = _text(trail.title, language)
    gpx.description = _text(trail.description, language)
    dropped = ["zones become single points: radii and polygons are not kept"]
    for stop in trail.stops:
        lon, lat = zone_anchor(stop.zone)
        gpx.waypoints.append(
            gpxpy.gpx.GPXWaypoint(latitude=lat, longitude=lon, name=_text(stop.title, language))
        )
    if trail.route:
        route = gpxpy.gpx.GPXRoute(name=gpx.name)
        route.points = [
            gpxpy.gpx.GPXRoutePoint(latitude=lat, longitude=lon) for lon, lat in trail.route
        ]
        gpx.routes.append(route)
    if any(stop.story for stop in trail.stops):
        dropped.append("stories (audio, transcripts, credits) are not kept")
    if trail.ambience:
        dropped.append(f"{len(trail.ambience)} ambience layer(s) not kept")
    return Exported(gpx.to_xml(version="1.1"), dropped)


def _text(texts: dict[str, str], language: str) -> str | None:
    if not texts:
        return None
    return texts.get(language) or next(iter(texts.values()))
