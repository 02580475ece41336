"""Domain validation: each bad value is refused with its field named."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from trails.errors import InvalidInput
from trails.source import load_source, parse_source


@pytest.fixture
def demo_data(demo_folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((demo_folder / "trail.yaml").read_text())
    return data


def _refused(data: dict[str, Any]) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        parse_source(data)
    return caught.value


def test_demo_is_valid(demo_data: dict[str, Any]) -> None:
    trail = parse_source(demo_data)
    assert trail.slug == "moulin-de-marchienne"


def test_latitude_91(demo_data: dict[str, Any]) -> None:
    data = copy.deepcopy(demo_data)
    data["stops"][0]["zone"] = {"type": "circle", "center": [4.39, 91], "radius_m": 30}
    err = _refused(data)
    assert [e.field for e in err.errors] == ["stops.0.zone.circle.center"]
    assert "latitude must be between -90 and 90, got 91" in err.errors[0].message
    assert err.errors[0].value == [4.39, 91]


@pytest.mark.parametrize("radius", [0, 50_000])
def test_radius_out_of_range(demo_data: dict[str, Any], radius: float) -> None:
    data = copy.deepcopy(demo_data)
    data["stops"][1]["zone"] = {"type": "circle", "center": [4.39, 50.4], "radius_m": radius}
    err = _refused(data)
    assert [e.field for e in err.errors] == ["stops.1.zone.circle.radius_m"]
    assert "radius must be between 5 m and 5000 m" in err.errors[0].message


def test_self_intersecting_polygon(demo_data: dict[str, Any]) -> None:
    data = copy.deepcopy(demo_data)
    bow_tie = [[4.390, 50.400], [4.391, 50.401], [4.391, 50.400], [4.390, 50.401], [4.390, 50.400]]
    data["stops"][2]["zone"] = {"type": "polygon", "coordinates": [bow_tie]}
    err = _refused(data)
    assert [e.field for e in err.errors] == ["stops.2.zone.polygon.coordinates"]
    assert "Self-intersection" in err.errors[0].message


def test_unclosed_polygon(demo_data: dict[str, Any]) -> None:
    data = copy.deepcopy(demo_data)
    ring = [[4.390, 50.400], [4.391, 50.400], [4.391, 50.401], [4.390, 50.401]]
    data["stops"][2]["zone"] = {"type": "polygon", "coordinates": [ring]}
    err = _refused(data)
    assert "must be closed" in err.errors[0].message


def test_polygon_with_too_many_vertices(demo_data: dict[str, Any]) -> None:
    import math

    ring = [
        [
            4.39 + 0.001 * math.cos(2 * math.pi * i / 600),
            50.4 + 0.001 * math.sin(2 * math.pi * i / 600),
        ]
        for i in range(600)
    ]
    ring.append(ring[0])
    data = copy.deepcopy(demo_data)
    data["stops"][2]["zone"] = {"type": "polygon", "coordinates": [ring]}
    assert "at most 500 vertices" in _refused(data).errors[0].message


def test_slug_with_spaces(demo_data: dict[str, Any]) -> None:
    data = copy.deepcopy(demo_data)
    data["slug"] = "moulin de marchienne"
    err = _refused(data)
    assert [e.field for e in err.errors] == ["slug"]
    assert "'moulin de marchienne' is not a slug" in err.errors[0].message


@pytest.mark.parametrize("tag", ["xx", "en_US", "klingon", ""])
def test_unknown_language_tag(demo_data: dict[str, Any], tag: str) -> None:
    data = copy.deepcopy(demo_data)
    data["languages"] = ["fr", tag]
    err = _refused(data)
    assert [e.field for e in err.errors] == ["languages.1"]
    assert "not a known BCP 47 language tag" in err.errors[0].message


def test_every_bad_field_is_listed_at_once(demo_data: dict[str, Any]) -> None:
    data = copy.deepcopy(demo_data)
    data["slug"] = "Bad Slug"
    data["languages"] = ["xx"]
    data["stops"][0]["zone"]["radius_m"] = 1
    fields = {e.field for e in _refused(data).errors}
    assert {"slug", "languages.0", "stops.0.zone.circle.radius_m"} <= fields


def test_unknown_field_is_refused(demo_data: dict[str, Any]) -> None:
    data = copy.deepcopy(demo_data)
    data["published"] = True
    assert [e.field for e in _refused(data).errors] == ["published"]


def test_time_without_offset_is_refused(demo_data: dict[str, Any]) -> None:
    data = copy.deepcopy(demo_data)
    data["valid_from"] = "2026-06-21T10:00:00"
    assert [e.field for e in _refused(data).errors] == ["valid_from"]


def test_window_ending_before_it_starts(demo_data: dict[str, Any]) -> None:
    data = copy.deepcopy(demo_data)
    data["valid_from"] = "2026-06-21T10:00:00+02:00"
    data["valid_until"] = "2026-06-20T10:00:00+02:00"
    assert "valid_until must be after valid_from" in _refused(data).errors[0].message


def test_media_path_escaping_the_folder(demo_data: dict[str, Any]) -> None:
    data = copy.deepcopy(demo_data)
    data["ambience"][0]["audio"] = "../../etc/passwd"
    err = _refused(data)
    assert err.errors[0].field == "ambience.0.audio"
    assert "relative path inside the trail folder" in err.errors[0].message


def test_missing_media_file(tmp_path: Path, demo_data: dict[str, Any]) -> None:
    (tmp_path / "trail.yaml").write_text(yaml.safe_dump(demo_data))
    with pytest.raises(InvalidInput) as caught:
        load_source(tmp_path)
    assert caught.value.errors[0].field == "media"
    assert "file not found" in caught.value.errors[0].message


def test_folder_without_trail_yaml(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"no trail\.yaml"):
        load_source(tmp_path)


def test_unreadable_yaml(tmp_path: Path) -> None:
    (tmp_path / "trail.yaml").write_text("slug: [unclosed\n")
    with pytest.raises(InvalidInput, match="not readable YAML"):
        load_source(tmp_path)


def test_unknown_time_zone(demo_data: dict[str, Any]) -> None:
    data = copy.deepcopy(demo_data)
    data["timezone"] = "Europe/Charleroi"
    err = _refused(data)
    assert [e.field for e in err.errors] == ["timezone"]
    assert "not a known IANA time zone" in err.errors[0].message
