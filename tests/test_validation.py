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


def test_yaml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "trail.yaml").write_text("format: 1\nslug: petit\ntitle:\n  fr: [unclosed\n")
    with pytest.raises(InvalidInput) as caught:
        load_source(tmp_path)
    message = caught.value.errors[0].message
    assert message.startswith("not readable YAML at line 5, column 1:"), message


def test_yaml_tab_indentation_names_its_line(tmp_path: Path) -> None:
    (tmp_path / "trail.yaml").write_text("format: 1\nstops:\n\t- key: a\n")
    with pytest.raises(InvalidInput, match=r"at line 3, column 1"):
        load_source(tmp_path)


@pytest.mark.parametrize(
    ("path", "key", "expected"),
    [
        ((), "langauges", "did you mean 'languages'?"),
        (("stops", 0, "zone"), "radius", "did you mean 'radius_m'?"),
        (("stops", 1, "rules"), "dwel_s", "did you mean 'dwell_s'?"),
        (("stops", 0, "story", "versions", "fr"), "transcipt", "did you mean 'transcript'?"),
        (("ambience", 0), "max_distance", "did you mean 'max_distance_m'?"),
        (("settings",), "duckin_db", "did you mean 'ducking_db'?"),
    ],
)
def test_unknown_key_suggests_the_likely_one(
    demo_data: dict[str, Any], path: tuple[Any, ...], key: str, expected: str
) -> None:
    data = copy.deepcopy(demo_data)
    target: Any = data
    for part in path:
        target = target.setdefault(part, {}) if isinstance(target, dict) else target[part]
    target[key] = 1
    err = _refused(data)
    assert len(err.errors) == 1
    assert err.errors[0].message == f"unknown key '{key}'; {expected}"
    assert err.errors[0].field.endswith(key)


def test_unknown_key_without_a_close_match_lists_the_allowed_ones(
    demo_data: dict[str, Any],
) -> None:
    data = copy.deepcopy(demo_data)
    data["stops"][0]["zone"]["wibble"] = 1
    message = _refused(data).errors[0].message
    assert message == "unknown key 'wibble'; allowed here: type, center, radius_m"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/etc/passwd", "is an absolute path"),
        ("../outside.opus", "leaves the trail folder ('..')"),
        ("media/../../outside.opus", "leaves the trail folder ('..')"),
        ("media\\moulin.fr.opus", "uses backslashes"),
    ],
)
def test_media_path_leaving_the_folder_is_refused(
    demo_data: dict[str, Any], path: str, expected: str
) -> None:
    data = copy.deepcopy(demo_data)
    data["stops"][0]["story"]["versions"]["fr"]["audio"] = path
    err = _refused(data)
    assert [e.field for e in err.errors] == ["stops.0.story.versions.fr.audio"]
    assert expected in err.errors[0].message


def _demo_copy(tmp_path: Path, demo_folder: Path) -> Path:
    import shutil

    folder = tmp_path / "trail"
    shutil.copytree(demo_folder, folder)
    return folder


def test_missing_media_file_is_named(tmp_path: Path, demo_folder: Path) -> None:
    folder = _demo_copy(tmp_path, demo_folder)
    (folder / "media" / "riviere.opus").unlink()
    with pytest.raises(InvalidInput) as caught:
        load_source(folder)
    assert [(e.field, e.value) for e in caught.value.errors] == [("media", "media/riviere.opus")]
    assert str(caught.value) == "media: media/riviere.opus: file not found in the trail folder"


def test_symlink_leading_outside_the_folder_is_refused(tmp_path: Path, demo_folder: Path) -> None:
    folder = _demo_copy(tmp_path, demo_folder)
    secret = tmp_path / "secret.opus"
    secret.write_bytes(b"not for sharing")
    (folder / "media" / "riviere.opus").unlink()
    (folder / "media" / "riviere.opus").symlink_to(secret)
    with pytest.raises(InvalidInput) as caught:
        load_source(folder)
    assert caught.value.errors[0].message == (
        "media/riviere.opus: a symbolic link leading outside the trail folder is refused"
    )


def test_symlinked_directory_leading_outside_is_refused(tmp_path: Path, demo_folder: Path) -> None:
    import shutil

    folder = _demo_copy(tmp_path, demo_folder)
    shutil.move(folder / "media", tmp_path / "elsewhere")
    (folder / "media").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(InvalidInput, match="symbolic link leading outside"):
        load_source(folder)


def test_symlink_inside_the_folder_is_accepted(tmp_path: Path, demo_folder: Path) -> None:
    folder = _demo_copy(tmp_path, demo_folder)
    (folder / "media" / "riviere.opus").rename(folder / "riviere-original.opus")
    (folder / "media" / "riviere.opus").symlink_to(folder / "riviere-original.opus")
    assert load_source(folder).trail.ambience[0].audio == "media/riviere.opus"


def test_media_path_naming_a_folder_is_refused(tmp_path: Path, demo_folder: Path) -> None:
    folder = _demo_copy(tmp_path, demo_folder)
    (folder / "media" / "riviere.opus").unlink()
    (folder / "media" / "riviere.opus").mkdir()
    with pytest.raises(InvalidInput, match=r"media/riviere\.opus: not a file"):
        load_source(folder)
