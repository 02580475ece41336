"""``baladeur simulate`` and ``baladeur validate`` end to end on a tiny generated trail."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.audio import ffmpeg_make, tone
from tests.support.cli import run_cli

KX = 111_194.9 * 0.6371  # metres per degree of longitude near 50.41 N


@pytest.fixture(scope="module")
def trail_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("trail")
    for key, seconds in (("a", 3), ("b", 2), ("c", 1)):
        ffmpeg_make(folder / f"{key}.ogg", *tone(seconds), "-ac", "1")

    def stop(key: str, east: float) -> dict[str, object]:
        return {
            "key": key,
            "title": {"fr": key},
            "zone": {"type": "circle", "center": [4.40 + east / KX, 50.41], "radius_m": 20},
            "story": {"versions": {"fr": {"audio": f"{key}.ogg"}}},
        }

    data = {
        "slug": "demo",
        "languages": ["fr"],
        "title": {"fr": "Démo"},
        "stops": [stop("a", 50), stop("b", 150), stop("c", 1000)],
    }
    (folder / "trail.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return folder


def _line(tmp_path: Path) -> Path:
    path = tmp_path / "walk.geojson"
    coords = [[4.40, 50.41], [4.40 + 200 / KX, 50.41]]
    path.write_text(json.dumps({"type": "LineString", "coordinates": coords}), encoding="utf-8")
    return path


def test_simulate_json(trail_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "simulate", str(trail_dir), str(_line(tmp_path)), "--json")
    assert code == 0
    result = json.loads(out)
    plays = [(e["stop"], e["t"]) for e in result["events"] if e["type"] == "play"]
    # 200 m at 1.2 m/s; a's zone starts 30 m in (25 s), b's 130 m in (about 108 s).
    assert [s for s, _ in plays] == ["a", "b"]
    assert plays[0][1] == pytest.approx(25, abs=1.5)
    summary = result["summary"]
    assert summary["stops_heard"] == ["a", "b"]
    assert summary["stops_missed"] == [{"stop": "c", "reason": "never entered"}]
    assert summary["listening_s"] == pytest.approx(5, abs=0.1)
    assert [a["stop"] for a in result["audible"]] == ["a", "b"]
    assert summary["idle_gaps"]  # 25 s before a is short, but b..end and a..b are not


def test_simulate_speed_noise_and_plots(
    trail_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = str(_line(tmp_path))
    code, out, _ = run_cli(capsys, "simulate", str(trail_dir), line, "--json", "--speed", "2.4")
    assert code == 0
    assert json.loads(out)["track"]["duration_s"] == pytest.approx(200 / 2.4, abs=1)
    runs = []
    for _ in range(2):
        _, out, _ = run_cli(
            capsys, "simulate", str(trail_dir), line, "--json", "--noise", "8", "--seed", "4"
        )
        runs.append(json.loads(out)["events"])
    assert runs[0] == runs[1]
    for name in ("plot.svg", "plot.png"):
        code, _, _ = run_cli(
            capsys, "simulate", str(trail_dir), line, "--plot", str(tmp_path / name)
        )
        assert code == 0
        assert (tmp_path / name).stat().st_size > 1000
    assert (tmp_path / "plot.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")


@pytest.mark.parametrize(
    ("track_text", "suffix", "message"),
    [
        ("", ".csv", "missing column"),
        ('{"type": "LineString", "coordinates": [[4.4, 50.41]]}', ".geojson", "single point"),
    ],
)
def test_simulate_bad_track_is_one_clear_error(
    trail_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    track_text: str,
    suffix: str,
    message: str,
) -> None:
    track = tmp_path / f"bad{suffix}"
    track.write_text(track_text, encoding="utf-8")
    code, out, err = run_cli(capsys, "simulate", str(trail_dir), str(track), "--json")
    assert code == 1 and out == ""
    assert message in json.loads(err)["detail"]


def test_simulate_refuses_what_is_not_a_trail_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "trail.zip"
    bundle.write_bytes(b"PK")
    code, _, err = run_cli(capsys, "simulate", str(bundle), str(_line(tmp_path)))
    assert code == 1 and "not a trail source folder" in err


def test_validate_json(trail_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "validate", str(trail_dir), "--json")
    items = json.loads(out)
    assert code == 0  # warnings only
    assert {"severity", "stop", "code", "message"} == set(items[0])
    assert ("a", "missing-transcript") in {(i["stop"], i["code"]) for i in items}
    assert ("a", "narration-longer-than-walk") not in {(i["stop"], i["code"]) for i in items}


# -- GPX files as devices write them ----------------------------------------------------------

T0 = 1_751_371_200  # 2025-07-01T12:00:00Z
EAST_M = range(0, 201, 10)  # 21 points, every 10 m along the stops' line


def _stamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _pt(tag: str, east: float, time: str | None) -> str:
    inner = f"<time>{time}</time>" if time else ""
    return f'<{tag} lat="50.41" lon="{4.40 + east / KX:.7f}">{inner}</{tag}>'


def _walk_gpx(tmp_path: Path, times: list[str | None], extra: str = "") -> Path:
    """A track east along the stops at 1 m/s (one point every 10 s), with the given times."""
    rows = "".join(_pt("trkpt", e, t) for e, t in zip(EAST_M, times, strict=True))
    return _gpx_file(tmp_path, f"<trk><trkseg>{rows}</trkseg></trk>{extra}")


def _gpx_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "device.gpx"
    path.write_text(
        '<?xml version="1.0"?><gpx version="1.1" creator="tests" '
        f'xmlns="http://www.topografix.com/GPX/1/1">{body}</gpx>',
        encoding="utf-8",
    )
    return path


def _good_times() -> list[str | None]:
    return [_stamp(T0 + e) for e in EAST_M]


def _simulate(trail_dir: Path, track: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code, out, err = run_cli(capsys, "simulate", str(trail_dir), str(track), "--json")
    assert code == 0, err
    result: dict[str, Any] = json.loads(out)
    # Every repair is also printed as a warning line on standard error.
    assert err.count("warning:") == len(result["warnings"])
    for warning in result["warnings"]:
        assert warning.split(" (")[0] in " ".join(err.split())
    return result


def _plays(result: dict[str, Any]) -> list[tuple[str, float]]:
    return [(e["stop"], e["t"]) for e in result["events"] if e["type"] == "play"]


def _mixed() -> list[str | None]:
    return [None if 5 <= k <= 12 else t for k, t in enumerate(_good_times())]


def _backwards() -> list[str | None]:
    times = _good_times()
    times[7] = _stamp(T0 + 20)  # 70 m along, but stamped as if at 20 m
    return times


@pytest.mark.parametrize(
    ("times", "warnings"),
    [
        pytest.param(_good_times, [], id="good"),
        pytest.param(
            _mixed,
            ["8 of 21 points had no time (points 6-13): filled in"],
            id="mixed",
        ),
        pytest.param(
            _backwards,
            [
                "1 of 21 points had a time that went backwards or implied moving faster than "
                "50 km/h (point 8): re-timed"
            ],
            id="backwards",
        ),
    ],
)
def test_device_times_are_kept_where_consistent(
    trail_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    times: Any,
    warnings: list[str],
) -> None:
    result = _simulate(trail_dir, _walk_gpx(tmp_path, times()), capsys)
    assert result["warnings"] == warnings
    # The file's own pace (1 m/s), not --speed: a's zone starts 30 m in, b's 130 m in.
    assert result["track"]["start_time"] == "2025-07-01T12:00:00+00:00"
    assert result["track"]["duration_s"] == 200
    assert result["track"]["timed"] is True
    [(a, ta), (b, tb)] = _plays(result)
    assert (a, b) == ("a", "b")
    assert ta == pytest.approx(30, abs=1.5)
    assert tb == pytest.approx(130, abs=1.5)


def test_a_1901_first_fix_is_walked_at_speed_up_to_the_first_good_time(
    trail_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    times = _good_times()
    times[0] = "1901-01-01T00:00:00Z"
    result = _simulate(trail_dir, _walk_gpx(tmp_path, times), capsys)
    assert result["warnings"] == [
        "1 of 21 points had a placeholder time, before 1971 or in the future (point 1): re-timed"
    ]
    # The first 10 m at 1.2 m/s end at the first good time, 12:00:10.
    lead = 10 / 1.2
    assert result["track"]["start_time"].startswith("2025-07-01T12:00:01.66")
    # Resampled to one fix a second from the start: the last fraction of a second drops.
    assert result["track"]["duration_s"] == pytest.approx(200 - 10 + lead, abs=1)
    [(_, ta), (_, tb)] = _plays(result)
    assert ta == pytest.approx(30 - 10 + lead, abs=1.5)
    assert tb == pytest.approx(130 - 10 + lead, abs=1.5)


@pytest.mark.parametrize(
    ("body", "warning"),
    [
        pytest.param(
            "<trk><trkseg>" + _pt("trkpt", 0, None) + "</trkseg></trk>"
            "<rte>" + "".join(_pt("rtept", e, None) for e in EAST_M) + "</rte>",
            "the track has 1 point: its route (21 points) was walked instead",
            id="one-point-track-and-route",
        ),
        pytest.param(
            "".join(_pt("wpt", e, None) for e in EAST_M),
            "the file has no track or route of two points or more: "
            "its 21 waypoints were walked in file order",
            id="waypoints-only",
        ),
    ],
)
def test_a_short_track_gives_way_to_the_route_or_the_waypoints(
    trail_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, warning: str
) -> None:
    result = _simulate(trail_dir, _gpx_file(tmp_path, body), capsys)
    assert result["warnings"] == [warning]
    assert result["track"]["timed"] is False
    # Untimed: walked at --speed (1.2 m/s), as for the GeoJSON line above.
    assert result["track"]["duration_s"] == pytest.approx(200 / 1.2, abs=1)
    assert [s for s, _ in _plays(result)] == ["a", "b"]
    assert _plays(result)[0][1] == pytest.approx(25, abs=1.5)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<trk><trkseg></trkseg></trk>", "the track has no points"),
        ("<trk><trkseg>" + _pt("trkpt", 0, "2025-07-01T12:00:00Z") + "</trkseg></trk>", "single"),
    ],
)
def test_a_gpx_file_without_a_walk_is_one_clear_line(
    trail_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, message: str
) -> None:
    code, out, err = run_cli(capsys, "simulate", str(trail_dir), str(_gpx_file(tmp_path, body)))
    assert code == 1 and out == ""
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_simulate_a_trail_with_a_sound_object(
    trail_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "spatial"
    folder.mkdir()
    ffmpeg_make(folder / "a.ogg", *tone(3), "-ac", "1")
    data = yaml.safe_load((trail_dir / "trail.yaml").read_text(encoding="utf-8"))
    data["stops"] = data["stops"][:1]
    data["objects"] = [
        {"key": "wheel", "audio": "a.ogg", "position": [4.40 + 100 / KX, 50.41 + 0.0002]}
        | {"radius_m": 60, "ref_distance_m": 5}
    ]
    (folder / "trail.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, out, err = run_cli(capsys, "simulate", str(folder), str(_line(tmp_path)), "--json")
    assert code == 0, err
    result = json.loads(out)
    spatial = [e for e in result["events"] if e["type"] == "spatial"]
    # Walking east with the wheel 22 m north of the line: on the left, ahead then behind.
    assert spatial and all(e["stop"] == "wheel" for e in spatial)
    azimuths = [e["azimuth"] for e in spatial if e["azimuth"] is not None]
    assert azimuths[0] > -90 > azimuths[-1]
    assert [(a["stop"], a["kind"]) for a in result["audible"]] == [
        ("a", "narration"),
        ("wheel", "object"),
    ]
