"""Walk tracks for the simulator: GPX, GeoJSON and CSV readers, timing, resampling, noise."""

from __future__ import annotations

import csv
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gpxpy
import gpxpy.gpx
import numpy as np

from trails.errors import invalid
from trails.geo import EARTH_RADIUS_M, haversine_m
from trails.jsontext import load_json
from trails.triggers.model import Fix

DEFAULT_SPEED_M_S = 1.2
DEFAULT_ACCURACY_M = 5.0
# 68% radius of a 2-D Gaussian error with this standard deviation per axis.
_ACCURACY_PER_SIGMA = 1.51


@dataclass(frozen=True)
class Track:
    """Timed fixes of a walk; ``timed`` says whether the times came from the file."""

    fixes: list[Fix]
    timed: bool
    name: str


@dataclass(frozen=True)
class _Point:
    lat: float
    lon: float
    t: float | None
    accuracy_m: float | None


def read_track(path: str | Path, speed_m_s: float = DEFAULT_SPEED_M_S) -> Track:
    """Read a GPX, GeoJSON or CSV track; untimed tracks are walked at ``speed_m_s``."""
    file = Path(path)
    if not file.is_file():
        raise invalid("track", str(file), "no such file")
    suffix = file.suffix.lower()
    text = _read_text(file)
    if suffix == ".gpx":
        points = _gpx_points(text)
    elif suffix in (".geojson", ".json"):
        points = _geojson_points(text)
    elif suffix == ".csv":
        points = _csv_points(text)
    else:
        raise invalid("track", str(file), "unknown track format: use .gpx, .geojson or .csv")
    return build_track(points, speed_m_s, file.name)


def build_track(points: Sequence[_Point], speed_m_s: float, name: str) -> Track:
    """Check points and turn them into timed fixes."""
    if speed_m_s <= 0 or not math.isfinite(speed_m_s):
        raise invalid("speed", speed_m_s, "walking speed must be a positive number of m/s")
    if not points:
        raise invalid("track", name, "the track has no points")
    if len(points) < 2:
        raise invalid("track", name, "the track has a single point; a walk needs at least two")
    for i, p in enumerate(points):
        if not -90 <= p.lat <= 90:
            raise invalid(f"track.point[{i}].lat", p.lat, "latitude must be between -90 and 90")
        if not -180 <= p.lon <= 180:
            raise invalid(f"track.point[{i}].lon", p.lon, "longitude must be between -180 and 180")
        if p.accuracy_m is not None and (p.accuracy_m < 0 or not math.isfinite(p.accuracy_m)):
            raise invalid(f"track.point[{i}].accuracy", p.accuracy_m, "accuracy must be >= 0")
    timed = [p.t is not None for p in points]
    if any(timed) and not all(timed):
        raise invalid("track", name, "some points have a time and others not")
    if all(timed):
        times = [float(p.t) for p in points if p.t is not None]
        for i in range(1, len(times)):
            if times[i] < times[i - 1]:
                raise invalid(
                    f"track.point[{i}].time", times[i], "timestamps go backwards at this point"
                )
    else:
        times = [0.0]
        for a, b in itertools.pairwise(points):
            times.append(times[-1] + haversine_m(a.lat, a.lon, b.lat, b.lon) / speed_m_s)
    fixes = [
        Fix(t, p.lat, p.lon, DEFAULT_ACCURACY_M if p.accuracy_m is None else p.accuracy_m)
        for t, p in zip(times, points, strict=True)
    ]
    return Track(fixes, all(timed), name)


def resample(track: Track, interval_s: float = 1.0) -> Track:
    """One fix every ``interval_s`` seconds, as a phone reports, interpolating linearly."""
    if interval_s <= 0:
        raise invalid("interval", interval_s, "the fix interval must be positive")
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
        raise invalid("noise", sigma_m, "noise must be >= 0 metres")
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
        raise invalid("track", str(file), f"cannot read the file: {exc}") from None


def _gpx_points(text: str) -> list[_Point]:
    try:
        gpx = gpxpy.parse(text)
    except (gpxpy.gpx.GPXException, ValueError) as exc:
        raise invalid("track", "gpx", f"not a readable GPX file: {exc}") from None
    raw: list[Any] = [p for t in gpx.tracks for s in t.segments for p in s.points]
    if not raw:
        raw = [p for r in gpx.routes for p in r.points]
    if not raw:
        raw = list(gpx.waypoints)
    return [
        _Point(
            float(p.latitude),
            float(p.longitude),
            p.time.timestamp() if p.time is not None else None,
            None,
        )
        for p in raw
    ]


def _geojson_points(text: str) -> list[_Point]:
    data = load_json(text, "track")
    geometry = _find_linestring(data)
    if geometry is None:
        raise invalid("track", "geojson", "no LineString found (a geometry, Feature or collection)")
    coords = geometry.get("coordinates")
    if not isinstance(coords, list):
        raise invalid("track", "geojson", "the LineString has no coordinate list")
    points = []
    for i, c in enumerate(coords):
        if not isinstance(c, list) or len(c) < 2 or not all(_is_number(v) for v in c[:2]):
            raise invalid(f"track.point[{i}]", c, "a position is [longitude, latitude]")
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


def _csv_points(text: str) -> list[_Point]:
    reader = csv.DictReader(text.splitlines())
    columns = {c.strip().lower() for c in (reader.fieldnames or [])}
    missing = [c for c in ("t", "lat", "lon") if c not in columns]
    if missing:
        raise invalid(
            "track",
            "csv",
            f"missing column(s) {', '.join(missing)}; the header is t,lat,lon[,accuracy]",
        )
    points = []
    for line, row in enumerate(reader, start=2):
        clean = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        try:
            t = _parse_time(clean["t"])
            lat, lon = float(clean["lat"]), float(clean["lon"])
            acc = float(clean["accuracy"]) if clean.get("accuracy") else None
        except ValueError:
            raise invalid(f"track.line[{line}]", row, "t, lat, lon must be numbers") from None
        points.append(_Point(lat, lon, t, acc))
    return points


def _parse_time(value: str) -> float:
    """Seconds as a number, or an ISO 8601 timestamp (UTC when no offset is given)."""
    try:
        return float(value)
    except ValueError:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()
