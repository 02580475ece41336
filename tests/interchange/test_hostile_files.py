"""Hostile interchange files (issue 16, finding 10 b): a clean refusal, in bounded time.

``baladeur convert`` printed a traceback for a deeply nested GeoJSON, and a 37 MB one ran
past 300 s at 1.3 GB (a 26 MB route of 900,000 positions: over 120 s and 1.24 GB before; a
37 MB one is now refused at the route limit in 7 s, at 535 MB).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import run_cli
from trails.errors import InvalidInput
from trails.interchange.geojson import import_geojson
from trails.interchange.model import ImportOptions
from trails.source import parse_source
from trails.tracks import read_track
from trails.validation import MAX_POLYGON_POSITIONS, MAX_ROUTE_POSITIONS, MAX_STOPS


def _collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def _point(i: int) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"name": f"Stop {i}"},
        "geometry": {"type": "Point", "coordinates": [4.39 + i * 1e-6, 50.4]},
    }


def _line(count: int) -> dict[str, Any]:
    coordinates = [[4.39 + i * 1e-7, 50.4 + i * 1e-7] for i in range(count)]
    return {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "LineString", "coordinates": coordinates},
    }


def _convert(capsys: pytest.CaptureFixture[str], tmp_path: Path, document: str) -> tuple[int, str]:
    source = tmp_path / "hostile.geojson"
    source.write_text(document)
    code, out, err = run_cli(capsys, "convert", str(source), str(tmp_path / "out"))
    return code, out + err


def test_deeply_nested_geojson_is_one_line_not_a_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, output = _convert(
        capsys, tmp_path, '{"type": "FeatureCollection", "features": ' + "[" * 100_000
    )
    assert code == 1 and "Traceback" not in output and "nested" in output
    assert len(output.strip().splitlines()) == 1


def test_a_huge_route_is_refused_quickly(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    document = json.dumps(_collection(_point(0), _line(300_000)))  # about 9 MB
    started = time.monotonic()
    code, output = _convert(capsys, tmp_path, document)
    elapsed = time.monotonic() - started
    assert code == 1 and f"at most {MAX_ROUTE_POSITIONS} positions" in output
    assert elapsed < 30, elapsed  # minutes before the limit


def test_too_many_stops_are_refused_before_they_are_built(tmp_path: Path) -> None:
    data = json.dumps(_collection(*(_point(i) for i in range(50_000)))).encode()
    started = time.monotonic()
    with pytest.raises(InvalidInput, match=f"at most {MAX_STOPS} stops"):
        import_geojson(data, "many", ImportOptions())
    assert time.monotonic() - started < 10


def test_a_route_at_the_limit_still_converts(tmp_path: Path) -> None:
    data = json.dumps(_collection(_point(0), _line(MAX_ROUTE_POSITIONS))).encode()
    imported = import_geojson(data, "long", ImportOptions())
    assert imported.trail.route is not None and len(imported.trail.route) == MAX_ROUTE_POSITIONS


def test_the_source_format_has_the_same_limits() -> None:
    stop = {
        "key": "s",
        "title": {"fr": "S"},
        "zone": {"type": "circle", "center": [4.39, 50.4], "radius_m": 20},
    }
    base = {"slug": "t", "languages": ["fr"], "title": {"fr": "T"}, "stops": [stop]}
    with pytest.raises(InvalidInput):
        parse_source(base | {"stops": [stop | {"key": f"s{i}"} for i in range(MAX_STOPS + 1)]})
    with pytest.raises(InvalidInput):
        parse_source(
            base | {"route": [[4.39, 50.4 + i * 1e-7] for i in range(MAX_ROUTE_POSITIONS + 1)]}
        )
    ring = [[4.39 + 1e-3 * (i % 2), 50.4 + 1e-6 * i] for i in range(MAX_POLYGON_POSITIONS + 1)]
    polygon = {"type": "polygon", "coordinates": [[*ring, ring[0]]]}
    with pytest.raises(InvalidInput, match="at most"):
        parse_source(base | {"stops": [stop | {"zone": polygon}]})


def test_a_deep_track_is_refused_cleanly(tmp_path: Path) -> None:
    track = tmp_path / "walk.geojson"
    track.write_text("[" * 100_000)
    with pytest.raises(InvalidInput, match="nested"):
        read_track(track)
