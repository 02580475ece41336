"""The CLI without a database: init, convert, and clean one-line refusals."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from trails.source import load_source

KML = b"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>Sons du quartier</name>
<Placemark><name>Le moulin</name><Point><coordinates>4.395,50.4036,0</coordinates></Point>
</Placemark>
<Placemark><name>Le pont</name><Point><coordinates>4.3970,50.4045,0</coordinates></Point>
</Placemark></Document></kml>
"""


def test_init_makes_a_valid_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = tmp_path / "ma-balade"
    code, out, err = run_cli(capsys, "init", str(folder), "--language", "fr", "--json")
    assert code == 0, err
    assert json.loads(out) == {"folder": str(folder), "slug": "ma-balade"}
    loaded = load_source(folder)
    assert loaded.trail.languages == ["fr"]
    assert [s.key for s in loaded.trail.stops] == ["first-stop"]
    assert (folder / "README.md").read_text().startswith("# Ma balade")
    code, out, err = run_cli(capsys, "validate", str(folder), "--json")
    assert code == 0, out
    assert [i for i in json.loads(out) if i["severity"] == "error"] == []


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--language", "klingon"), "'klingon' is not a known BCP 47 language tag"),
        (("--at", "here"), "expected LON,LAT"),
        (("--at", "4.39,95"), "latitude must be between -90 and 90"),
        (("--slug", "Ma Balade"), "is not a slug"),
    ],
)
def test_init_refuses_bad_options_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: tuple[str, ...], expected: str
) -> None:
    code, _out, err = run_cli(capsys, "init", str(tmp_path / "t"), *args)
    assert code == 1
    assert expected in err
    assert "Traceback" not in err
    assert not (tmp_path / "t").exists()


def test_init_never_overwrites(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    code, _, err = run_cli(capsys, "init", str(tmp_path))
    assert code == 1
    assert err.strip().endswith("already exists; choose a new folder or remove it first")
    assert len(err.strip().splitlines()) == 1


def test_convert_kml_to_folder_zip_and_geojson(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = tmp_path / "export.kml"
    source.write_bytes(KML)
    code, out, err = run_cli(
        capsys, "convert", str(source), str(tmp_path / "trail"), "--language", "fr", "--json"
    )
    assert code == 0, err
    assert json.loads(out)["stops"] == 2
    assert load_source(tmp_path / "trail").trail.title == {"fr": "Sons du quartier"}
    code, _, err = run_cli(capsys, "convert", str(tmp_path / "trail"), str(tmp_path / "t.zip"))
    assert code == 0, err
    assert zipfile.ZipFile(tmp_path / "t.zip").namelist() == ["trail.yaml"]
    code, _, err = run_cli(capsys, "convert", str(tmp_path / "t.zip"), str(tmp_path / "t.geojson"))
    assert code == 0, err
    features = json.loads((tmp_path / "t.geojson").read_text())["features"]
    assert [f["properties"]["key"] for f in features] == ["le-moulin", "le-pont"]
    # A second time, the file exists: refused unless --force.
    again = run_cli(capsys, "convert", str(tmp_path / "t.zip"), str(tmp_path / "t.geojson"))
    assert again[0] == 1 and "use --force" in again[2]
    forced = run_cli(
        capsys, "convert", str(tmp_path / "t.zip"), str(tmp_path / "t.geojson"), "--force"
    )
    assert forced[0] == 0


def test_convert_to_soundscape_lists_what_is_not_kept(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, demo_folder: Path
) -> None:
    dest = tmp_path / "demo.soundscape.gpx"
    code, out, err = run_cli(capsys, "convert", str(demo_folder), str(dest), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["format"] == "soundscape"
    assert "1 ambience layer(s) not kept" in result["dropped"]
    assert b"gpxsc:meta" in dest.read_bytes()
    code, _, err = run_cli(capsys, "convert", str(demo_folder), str(tmp_path / "d.gpx"))
    assert code == 0
    assert "not kept: zones become single points" in err


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.kml", b"<kml><Document/></kml>", "the KML holds no placemarks"),
        ("broken.gpx", b"<gpx><wpt lat='50'", "not well-formed XML at line 1"),
        ("notes.txt", b"hello", "not a trail folder, a .zip, or a .gpx"),
        ("a.geojson", b"[1, 2]", "expected a GeoJSON FeatureCollection"),
    ],
)
def test_bad_sources_are_one_clear_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    (tmp_path / name).write_bytes(content)
    code, _out, err = run_cli(capsys, "convert", str(tmp_path / name), str(tmp_path / "out"))
    assert code == 1
    assert expected in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()
    code, _, err = run_cli(capsys, "convert", str(tmp_path / name), str(tmp_path / "out"), "--json")
    payload = json.loads(err)
    assert payload["error"] == "Invalid input"
    assert expected in payload["detail"]


def test_unknown_output_format(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "a.kml").write_bytes(KML)
    code, _, err = run_cli(capsys, "convert", str(tmp_path / "a.kml"), str(tmp_path / "b.kml"))
    assert code == 1
    assert "cannot tell the format from '.kml': give --format" in err
    code, _, err = run_cli(
        capsys, "convert", str(tmp_path / "a.kml"), str(tmp_path / "b"), "--format", "shp"
    )
    assert code == 1
    assert "unknown format; use one of folder, zip, geojson, gpx, soundscape" in err


def test_convert_refuses_an_unsafe_zip(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "evil.zip", "w") as archive:
        archive.writestr("trail.yaml", "slug: x\n")
        archive.writestr("../../escaped.txt", "gotcha")
    code, _, err = run_cli(capsys, "convert", str(tmp_path / "evil.zip"), str(tmp_path / "out"))
    assert code == 1
    assert "a path leaving the folder ('..') is refused; nothing was extracted" in err
    assert not (tmp_path / "out").exists()
    assert not (tmp_path.parent / "escaped.txt").exists()
