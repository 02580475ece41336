"""Authoring checks on small trails built in the test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from media.probe_duration import probe_duration
from tests.support.audio import ffmpeg_make, tone
from trails.checks import check_folder, check_trail
from trails.source import parse_source

LAT = 50.41
KX = 111_194.9 * 0.6371  # metres per degree of longitude near 50.41 N


def _stop(key: str, east_m: float, radius: float = 20, **extra: Any) -> dict[str, Any]:
    return {
        "key": key,
        "title": {"fr": key},
        "zone": {"type": "circle", "center": [4.40 + east_m / KX, LAT], "radius_m": radius},
        "story": {"versions": {"fr": {"audio": f"{key}.ogg", "transcript": f"{key}.vtt"}}},
    } | extra


def _trail(stops: list[dict[str, Any]], **extra: Any) -> Any:
    return parse_source(
        {"slug": "t", "languages": ["fr"], "title": {"fr": "T"}, "stops": stops} | extra
    )


def _codes(items: list[Any]) -> set[tuple[str | None, str]]:
    return {(i.stop, i.code) for i in items}


def test_a_clean_trail_has_no_findings() -> None:
    trail = _trail([_stop("a", 0), _stop("b", 300)], mode="sequential")
    assert check_trail(trail, {"a": {"fr": 60}, "b": {"fr": 60}}) == []


def test_narration_longer_than_the_walk_says_by_how_much() -> None:
    trail = _trail([_stop("a", 0), _stop("b", 160)], mode="sequential")
    items = check_trail(trail, {"a": {"fr": 150.0}})
    (item,) = [i for i in items if i.code == "narration-longer-than-walk"]
    assert item.stop == "a"
    # 160 m between centres minus two 20 m radii = 120 m = 100 s at 1.2 m/s.
    assert "120 m" in item.message and "50 s too long" in item.message


def test_zone_sizes_and_overlap() -> None:
    trail = _trail(
        [_stop("a", 0, radius=10), _stop("b", 15, radius=20), _stop("c", 500, radius=80)]
    )
    codes = _codes(check_trail(trail))
    assert ("a", "zone-too-small") in codes
    assert ("c", "zone-too-large") in codes
    assert ("a", "zones-overlap") in codes
    assert ("b", "zone-too-small") not in codes


def test_impossible_conditions() -> None:
    req = lambda *keys: {"requires": {"conditions": [{"stop": k} for k in keys]}}  # noqa: E731
    trail = _trail(
        [
            _stop("a", 0, rules=req("b")),
            _stop("b", 300, rules=req("a")),
            _stop("c", 600, rules=req("ghost")),
            _stop(
                "d",
                900,
                rules={"requires": {"mode": "any", "conditions": [{"stop": "a"}, {"stop": "e"}]}},
            ),
            _stop("e", 1200),
        ]
    )
    items = check_trail(trail)
    codes = _codes(items)
    assert {("a", "condition-never-met"), ("b", "condition-never-met")} <= codes
    assert ("c", "requires-missing-stop") in codes
    assert ("d", "condition-never-met") not in codes  # e can play
    cycle = next(i for i in items if i.stop == "a" and i.code == "condition-never-met")
    assert "cycle" in cycle.message


def test_a_condition_naming_an_ambient_layer_is_refused() -> None:
    waiting = _stop("b", 300, rules={"requires": {"conditions": [{"stop": "river"}]}})
    layer = {"key": "river", "audio": "river.ogg", "zone": _stop("r", 0)["zone"]}
    items = check_trail(_trail([_stop("a", 0), waiting], ambience=[layer]))
    [item] = [i for i in items if i.code == "requires-missing-stop"]
    assert (item.severity, item.stop) == ("error", "b")
    assert "ambient layer" in item.message


def test_languages_transcripts_route_and_windows() -> None:
    stop = _stop("a", 0)
    stop["story"]["versions"]["fr"].pop("transcript")
    stop["rules"] = {"time_windows": [{"start": "20:00", "end": "20:00"}]}
    far = _stop("b", 0) | {
        "zone": {"type": "circle", "center": [4.40, LAT + 0.001], "radius_m": 20}
    }
    trail = _trail([stop, far], languages=["fr", "nl"], route=[[4.39, LAT], [4.41, LAT]])
    codes = _codes(check_trail(trail))
    assert ("a", "missing-transcript") in codes
    assert ("a", "missing-language") in codes
    assert ("a", "empty-time-window") in codes
    assert ("b", "off-route") in codes  # 111 m north of the route
    assert ("a", "off-route") not in codes


def _folder(tmp_path: Path, data: dict[str, Any]) -> Path:
    for stop in data["stops"]:
        for version in stop["story"]["versions"].values():
            ffmpeg_make(tmp_path / version["audio"], *tone(2))
            (tmp_path / version["transcript"]).write_text("WEBVTT\n", encoding="utf-8")
    (tmp_path / "trail.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return tmp_path


def test_folder_checks_measure_audio(tmp_path: Path) -> None:
    data = {
        "slug": "t",
        "languages": ["fr"],
        "title": {"fr": "T"},
        "mode": "sequential",
        "stops": [_stop("a", 0), _stop("b", 42)],  # a 2 m walk: 1.7 s
    }
    items = check_folder(_folder(tmp_path, data), probe_duration)
    (item,) = [i for i in items if i.code == "narration-longer-than-walk"]
    assert item.stop == "a"
    assert abs(probe_duration(tmp_path / "a.ogg") - 2.0) < 0.1


def test_folder_that_does_not_load_gives_items(tmp_path: Path) -> None:
    data = {
        "slug": "t",
        "languages": ["fr"],
        "title": {"fr": "T"},
        "stops": [_stop("a", 0)],
        "valid_from": "2025-07-02T00:00:00Z",
        "valid_until": "2025-07-01T00:00:00Z",
    }
    items = check_folder(_folder(tmp_path, data))
    assert [(i.severity, i.code) for i in items] == [("error", "validity-window-reversed")]


def test_probe_duration_refuses_what_is_not_audio(tmp_path: Path) -> None:
    import pytest

    from trails.errors import InvalidInput

    text = tmp_path / "notes.ogg"
    text.write_text("not audio", encoding="utf-8")
    with pytest.raises(InvalidInput, match="not a readable audio file"):
        probe_duration(text)
    with pytest.raises(InvalidInput, match="no such file"):
        probe_duration(tmp_path / "missing.ogg")


def test_an_object_condition_naming_a_missing_stop_or_an_object_is_an_error() -> None:
    from trails.checks import check_trail
    from trails.source import parse_source

    zone = {"type": "circle", "center": [4.4, 50.41], "radius_m": 20}
    trail = parse_source(
        {
            "slug": "t",
            "languages": ["fr"],
            "title": {"fr": "T"},
            "stops": [{"key": "a", "title": {"fr": "a"}, "zone": zone}],
            "objects": [
                {"key": "wheel", "audio": "w.ogg", "position": [4.4, 50.41], "radius_m": 30},
                {
                    "key": "river",
                    "audio": "r.ogg",
                    "position": [4.4, 50.41],
                    "radius_m": 30,
                    "requires": {"conditions": [{"stop": "wheel"}, {"stop": "nowhere"}]},
                },
            ],
        }
    )
    found = [(i.stop, i.code, i.message) for i in check_trail(trail)]
    mine = [f for f in found if f[1] == "requires-missing-stop"]
    assert [(s, c) for s, c, _ in mine] == [("river", "requires-missing-stop")] * 2
    assert "a sound object, not a stop" in mine[0][2] and "not in the trail" in mine[1][2]
