"""Track readers: GPX, GeoJSON, CSV, timing at walking speed, resampling, noise, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trails.errors import InvalidInput
from trails.geo import haversine_m
from trails.tracks import add_noise, read_track, resample


def _gpx(body: str) -> str:
    return (
        '<?xml version="1.0"?><gpx version="1.1" creator="t" '
        f'xmlns="http://www.topografix.com/GPX/1/1">{body}</gpx>'
    )


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_gpx_track_with_times(tmp_path: Path) -> None:
    body = (
        "<trk><trkseg>"
        '<trkpt lat="50.41" lon="4.40"><time>2025-07-01T12:00:00Z</time></trkpt>'
        '<trkpt lat="50.411" lon="4.40"><time>2025-07-01T12:01:40Z</time></trkpt>'
        "</trkseg></trk>"
    )
    track = read_track(_write(tmp_path, "w.gpx", _gpx(body)))
    assert track.timed
    assert track.fixes[1].t - track.fixes[0].t == 100
    assert track.fixes[0].t == 1_751_371_200


def test_gpx_route_without_times_is_walked_at_speed(tmp_path: Path) -> None:
    body = '<rte><rtept lat="50.41" lon="4.40"/><rtept lat="50.411" lon="4.40"/></rte>'
    track = read_track(_write(tmp_path, "r.gpx", _gpx(body)), speed_m_s=2.0)
    distance = haversine_m(50.41, 4.40, 50.411, 4.40)
    assert not track.timed
    assert track.fixes[1].t == pytest.approx(distance / 2.0)


def test_gpx_waypoints_are_used_when_there_is_nothing_else(tmp_path: Path) -> None:
    body = (
        '<wpt lat="50.41" lon="4.40"/><wpt lat="50.41" lon="4.401"/><wpt lat="50.41" lon="4.402"/>'
    )
    assert len(read_track(_write(tmp_path, "p.gpx", _gpx(body))).fixes) == 3


def test_geojson_feature_linestring(tmp_path: Path) -> None:
    feature = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "LineString", "coordinates": [[4.40, 50.41], [4.401, 50.41, 12.0]]},
    }
    track = read_track(_write(tmp_path, "l.geojson", json.dumps(feature)))
    assert (track.fixes[1].lat, track.fixes[1].lon) == (50.41, 4.401)


def test_csv_with_accuracy_and_iso_times(tmp_path: Path) -> None:
    text = (
        "t,lat,lon,accuracy\n"
        "2025-07-01T12:00:00Z,50.41,4.40,7\n"
        "2025-07-01T12:00:10Z,50.41,4.401,9\n"
    )
    track = read_track(_write(tmp_path, "t.csv", text))
    assert [f.accuracy_m for f in track.fixes] == [7, 9]
    assert track.fixes[1].t - track.fixes[0].t == 10


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("empty.gpx", _gpx(""), "no points"),
        (
            "one.gpx",
            _gpx('<trk><trkseg><trkpt lat="50.41" lon="4.4"/></trkseg></trk>'),
            "single point",
        ),
        ("routeone.gpx", _gpx('<rte><rtept lat="50.41" lon="4.4"/></rte>'), "single point"),
        ("meta.gpx", _gpx("<metadata><name>walk</name></metadata>"), "no points"),
        ("lat.csv", "t,lat,lon\n0,95,4.4\n5,50.41,4.401\n", "latitude"),
        ("cols.csv", "t,lat\n0,50.41\n1,50.42\n", "missing column"),
        ("bad.gpx", "<gpx><oops", "GPX"),
        ("poly.geojson", '{"type": "Point", "coordinates": [4.4, 50.4]}', "LineString"),
        ("walk.kml", "<kml/>", "unknown track format"),
    ],
)
def test_bad_tracks_give_clear_errors(tmp_path: Path, name: str, text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        read_track(_write(tmp_path, name, text))


def test_csv_times_going_backwards_are_repaired(tmp_path: Path) -> None:
    text = "t,lat,lon\n0,50.41,4.4\n10,50.41,4.4001\n5,50.41,4.4002\n20,50.41,4.4003\n"
    track = read_track(_write(tmp_path, "back.csv", text))
    # Relative seconds: small numbers are not placeholders, only the backwards one is re-timed.
    assert [f.t for f in track.fixes] == pytest.approx([0, 10, 15, 20])
    assert track.warnings == (
        "1 of 4 points had a time that went backwards or implied moving faster than 50 km/h "
        "(point 3): re-timed",
    )


def test_csv_clock_times_with_a_gap_and_a_1970_placeholder(tmp_path: Path) -> None:
    text = (
        "t,lat,lon\n"
        "1970-01-01T00:00:00Z,50.41,4.4\n"
        "2025-07-01T12:00:00Z,50.41,4.4001\n"
        ",50.41,4.4002\n"
        "2025-07-01T12:00:10Z,50.41,4.4003\n"
    )
    track = read_track(_write(tmp_path, "clock.csv", text), speed_m_s=1.0)
    start = 1_751_371_200
    step = haversine_m(50.41, 4.4, 50.41, 4.4001)
    assert [f.t - start for f in track.fixes] == pytest.approx([-step, 0, 5, 10], abs=1e-6)
    assert [w.split(" (")[0] for w in track.warnings] == [
        "1 of 4 points had no time",
        "1 of 4 points had a placeholder time, before 1971 or in the future",
    ]


def test_gpx_time_without_offset_is_utc(tmp_path: Path) -> None:
    body = (
        "<trk><trkseg>"
        '<trkpt lat="50.41" lon="4.40"><time>2025-07-01T12:00:00</time></trkpt>'
        '<trkpt lat="50.411" lon="4.40"><time>2025-07-01T12:01:40</time></trkpt>'
        "</trkseg></trk>"
    )
    assert read_track(_write(tmp_path, "w.gpx", _gpx(body))).fixes[0].t == 1_751_371_200


def test_resample_gives_one_fix_a_second(tmp_path: Path) -> None:
    text = "t,lat,lon\n0,50.41,4.40\n10,50.41,4.401\n"
    track = resample(read_track(_write(tmp_path, "t.csv", text)))
    assert [f.t for f in track.fixes] == [float(k) for k in range(11)]
    assert track.fixes[5].lon == pytest.approx(4.4005)


def test_noise_is_reproducible_and_of_the_right_size(tmp_path: Path) -> None:
    rows = "\n".join(f"{k},50.41,4.40" for k in range(400))
    track = read_track(_write(tmp_path, "s.csv", "t,lat,lon\n" + rows + "\n"))
    a, b = add_noise(track, 10.0, seed=3), add_noise(track, 10.0, seed=3)
    assert a.fixes == b.fixes
    offsets = [haversine_m(50.41, 4.40, f.lat, f.lon) for f in a.fixes]
    rms = (sum(d * d for d in offsets) / len(offsets)) ** 0.5
    assert 12 < rms < 16  # sqrt(2) x 10 m for two axes
    assert all(f.accuracy_m >= 15 for f in a.fixes)
