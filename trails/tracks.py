"""Walk tracks for the simulator: GPX, GeoJSON and CSV readers, timing, resampling, noise."""

from __future__ import annotations

import csv
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gpxpy
import gpxpy.gpx
import numpy as np

from trails.errors import invalid
from trails.geo import EARTH_RADIUS_M
from trails.jsontext import load_json
from trails.messages import msg, nmsg
from trails.timeline import clock_range, timeline
from trails.triggers.model import Fix

DEFAULT_SPEED_M_S = 1.2
DEFAULT_ACCURACY_M = 5.0
# 68% radius of a 2-D Gaussian error with this standard deviation per axis.
_ACCURACY_PER_SIGMA = 1.51


@dataclass(frozen=True)
class Track:
    """Timed fixes of a walk; ``timed`` says whether (some) times came from the file."""

    fixes: list[Fix]
    timed: bool
    name: str
    # What was repaired to make the file walkable, in words for the author.
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Point:
    lat: float
    lon: float
    t: float | None
    accuracy_m: float | None


@dataclass(frozen=True)
class _Read:
    """Points read from a file, whether their times are clock times, and what was chosen."""

    points: list[_Point]
    clock: bool
    notes: tuple[str, ...] = ()


def read_track(path: str | Path, speed_m_s: float = DEFAULT_SPEED_M_S) -> Track:
    """Read a GPX, GeoJSON or CSV track; untimed tracks are walked at ``speed_m_s``.

    Faulty times are repaired as :func:`trails.timeline.timeline` describes, and the
    repairs are listed in the track's ``warnings``.
    """
    file = Path(path)
    if not file.is_file():
        raise invalid("track", str(file), msg("no such file"))
    suffix = file.suffix.lower()
    text = _read_text(file)
    if suffix == ".gpx":
        read = _gpx_points(text)
    elif suffix in (".geojson", ".json"):
        read = _Read(_geojson_points(text), clock=False)
    elif suffix == ".csv":
        read = _csv_points(text)
    else:
        raise invalid("track", str(file), msg("unknown track format: use .gpx, .geojson or .csv"))
    return build_track(read.points, speed_m_s, file.name, clock_times=read.clock, notes=read.notes)


def build_track(
    points: Sequence[_Point],
    speed_m_s: float,
    name: str,
    *,
    clock_times: bool = False,
    notes: Sequence[str] = (),
) -> Track:
    """Check points and turn them into timed fixes, repairing faulty times.

    ``clock_times`` says the times are clock times (epoch seconds), so that placeholder
    dates can be told apart; ``notes`` are earlier warnings to keep with the track.
    """
    if speed_m_s <= 0 or not math.isfinite(speed_m_s):
        raise invalid("speed", speed_m_s, msg("walking speed must be a positive number of m/s"))
    if not points:
        raise invalid("track", name, msg("the track has no points"))
    if len(points) < 2:
        raise invalid("track", name, msg("the track has a single point; a walk needs at least two"))
    for i, p in enumerate(points):
        if not -90 <= p.lat <= 90:
            raise invalid(
                f"track.point[{i}].lat", p.lat, msg("latitude must be between -90 and 90")
            )
        if not -180 <= p.lon <= 180:
            raise invalid(
                f"track.point[{i}].lon", p.lon, msg("longitude must be between -180 and 180")
            )
        if p.accuracy_m is not None and (p.accuracy_m < 0 or not math.isfinite(p.accuracy_m)):
            raise invalid(f"track.point[{i}].accuracy", p.accuracy_m, msg("accuracy must be >= 0"))
    clock = clock_range(time.time()) if clock_times else None
    line = timeline([(p.lat, p.lon) for p in points], [p.t for p in points], speed_m_s, clock)
    fixes = [
        Fix(t, p.lat, p.lon, DEFAULT_ACCURACY_M if p.accuracy_m is None else p.accuracy_m)
        for t, p in zip(line.times, points, strict=True)
    ]
    warnings = (*notes, *(r.message for r in line.repairs))
    return Track(fixes, line.timed, name, warnings)


def resample(track: Track, interval_s: float = 1.0) -> Track:
    """One fix every ``interval_s`` seconds, as a phone reports, interpolating linearly."""
    if interval_s <= 0:
        raise invalid("interval", interval_s, msg("the fix interval must be positive"))
    fixes = track.fixes
    start, end = fixes[0].t, fixes[-1].t
    out: list[Fix] = []
    j = 0
    n = math.floor((end - start) / interval_s + 1e-9)
    for k in range(n + 1):
        t = start + k * interval_s
        while j + 1 < len(fixes) - 1 and fixes[j + 1].t <= t:
            j += 1
        a, b = fixes[j], fixes[min(j + 1, len(fixes) - 1)]
        share = 0.0 if b.t == a.t else min(1.0, max(0.0, (t - a.t) / (b.t - a.t)))
        out.append(
            Fix(
                round(t, 3),
                a.lat + share * (b.lat - a.lat),
                a.lon + share * (b.lon - a.lon),
                a.accuracy_m + share * (b.accuracy_m - a.accuracy_m),
            )
        )
    return replace(track, fixes=out)


def add_noise(track: Track, sigma_m: float, seed: int) -> Track:
    """Gaussian noise of ``sigma_m`` per axis; accuracy becomes at least its 68% radius."""
    if sigma_m < 0:
        raise invalid("noise", sigma_m, msg("noise must be >= 0 metres"))
    if sigma_m == 0:
        return track
    rng = np.random.default_rng(seed)
    offsets = rng.normal(0.0, sigma_m, size=(len(track.fixes), 2))
    floor = _ACCURACY_PER_SIGMA * sigma_m
    out = []
    for fix, (east, north) in zip(track.fixes, offsets.tolist(), strict=True):
        lat = fix.lat + math.degrees(north / EARTH_RADIUS_M)
        lon = fix.lon + math.degrees(east / (EARTH_RADIUS_M * math.cos(math.radians(fix.lat))))
        out.append(Fix(fix.t, max(-90.0, min(90.0, lat)), lon, max(fix.accuracy_m, floor)))
    return replace(track, fixes=out)


# -- readers ---------------------------------------------------------------------------------


def _read_text(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise invalid(
            "track", str(file), msg("cannot read the file: {reason}", reason=exc)
        ) from None


def _gpx_points(text: str) -> _Read:
    """The track's points; the route's, then the waypoints', when the track is too short."""
    try:
        gpx = gpxpy.parse(text)
    except (gpxpy.gpx.GPXException, ValueError) as exc:
        raise invalid(
            "track", "gpx", msg("not a readable GPX file: {reason}", reason=exc)
        ) from None
    track: list[Any] = [p for t in gpx.tracks for s in t.segments for p in s.points]
    route: list[Any] = [p for r in gpx.routes for p in r.points]
    waypoints: list[Any] = list(gpx.waypoints)
    notes: tuple[str, ...] = ()
    raw = track
    if len(track) < 2 and len(route) >= 2:
        raw = route
        if track:
            notes = (
                nmsg(
                    "the track has {count} point: its route ({route} points) was walked instead",
                    "the track has {count} points: its route ({route} points) was walked instead",
                    len(track),
                    route=len(route),
                ),
            )
    elif len(track) < 2 and len(waypoints) >= 2:
        raw = waypoints
        notes = (
            msg(
                "the file has no track or route of two points or more: its {count} waypoints"
                " were walked in file order",
                count=len(waypoints),
            ),
        )
    elif not track:
        raw = route or waypoints
    return _Read(
        [_Point(float(p.latitude), float(p.longitude), _gpx_time(p), None) for p in raw],
        clock=True,
        notes=notes,
    )


def _gpx_time(point: Any) -> float | None:
    moment = point.time
    if moment is None:
        return None
    # GPX times are UTC; a time written without an offset must not take the machine's zone.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return float(moment.timestamp())
    except (OverflowError, OSError, ValueError):
        return None


def _geojson_points(text: str) -> list[_Point]:
    data = load_json(text, "track")
    geometry = _find_linestring(data)
    if geometry is None:
        raise invalid(
            "track", "geojson", msg("no LineString found (a geometry, Feature or collection)")
        )
    coords = geometry.get("coordinates")
    if not isinstance(coords, list):
        raise invalid("track", "geojson", msg("the LineString has no coordinate list"))
    points = []
    for i, c in enumerate(coords):
        if not isinstance(c, list) or len(c) < 2 or not all(_is_number(v) for v in c[:2]):
            raise invalid(f"track.point[{i}]", c, msg("a position is [longitude, latitude]"))
        points.append(_Point(float(c[1]), float(c[0]), None, None))
    return points


def _find_linestring(data: Any) -> dict[str, Any] | None:
    if not isinstance(data, dict):
        return None
    kind = data.get("type")
    if kind == "LineString":
        return data
    if kind == "Feature":
        return _find_linestring(data.get("geometry"))
    if kind == "FeatureCollection":
        for feature in data.get("features") or []:
            found = _find_linestring(feature)
            if found is not None:
                return found
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _csv_points(text: str) -> _Read:
    reader = csv.DictReader(text.splitlines())
    columns = {c.strip().lower() for c in (reader.fieldnames or [])}
    missing = [c for c in ("t", "lat", "lon") if c not in columns]
    if missing:
        raise invalid(
            "track",
            "csv",
            nmsg(
                "missing column {columns}; the header is t,lat,lon[,accuracy]",
                "missing columns {columns}; the header is t,lat,lon[,accuracy]",
                len(missing),
                columns=", ".join(missing),
            ),
        )
    points = []
    clock = False
    for line, row in enumerate(reader, start=2):
        clean = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        try:
            t, is_clock = _parse_time(clean["t"]) if clean["t"] else (None, False)
            lat, lon = float(clean["lat"]), float(clean["lon"])
            acc = float(clean["accuracy"]) if clean.get("accuracy") else None
        except ValueError:
            raise invalid(f"track.line[{line}]", row, msg("t, lat, lon must be numbers")) from None
        clock = clock or is_clock
        points.append(_Point(lat, lon, t, acc))
    return _Read(points, clock=clock)


def _parse_time(value: str) -> tuple[float, bool]:
    """Seconds as a number, or an ISO 8601 timestamp (UTC when no offset is given).

    The flag says whether it was a clock time.
    """
    try:
        return float(value), False
    except ValueError:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp(), True
