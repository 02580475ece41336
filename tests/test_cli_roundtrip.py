"""Import and export through the database: any source in, folder/zip/GeoJSON out, and a
trail exported from one database and imported into a fresh one comes out byte for byte."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from server.db import migrate
from server.db.engine import make_engine
from server.db.models import Stop, Trail
from server.db.session import Database
from tests.support.audio import ffmpeg_make, tone
from tests.support.cli import run_cli


@dataclass
class Result:
    code: int
    out: str
    err: str


Runner = Callable[..., Result]


@pytest.fixture
def baladeur(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Runner:
    """Run the CLI in-process against a given database and data directory."""

    def run(*args: str, database_url: str, data_dir: Path) -> Result:
        monkeypatch.setenv("BALADEUR_DATABASE_URL", database_url)
        monkeypatch.setenv("BALADEUR_DATA_DIR", str(data_dir))
        return Result(*run_cli(capsys, *args))

    return run


@pytest.fixture
def rich_folder(tmp_path: Path) -> Path:
    """A small trail using most of the format: polygon, rules, transcript, ambience, consent,
    a story's position and sound objects with conditions, approach and facing rules."""
    folder = tmp_path / "source"
    (folder / "media").mkdir(parents=True)
    ffmpeg_make(folder / "media" / "un.fr.opus", *tone(1, freq=300), "-c:a", "libopus")
    ffmpeg_make(folder / "media" / "deux.fr.wav", *tone(1, freq=500))
    ffmpeg_make(folder / "media" / "eau.opus", *tone(1, freq=200), "-c:a", "libopus", "-ac", "2")
    (folder / "media" / "un.fr.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nUn.\n")
    trail = {
        "slug": "petit",
        "languages": ["fr", "en"],
        "title": {"fr": "Petit", "en": "Small"},
        "mode": "sequential",
        "timezone": "Europe/Brussels",
        "valid_from": "2026-06-20T10:00:00+02:00",
        "credits": [{"name": "Collectif", "role": "production"}],
        "route": [[4.39, 50.40], [4.392, 50.401]],
        "stops": [
            {
                "key": "un",
                "title": {"fr": "Un", "en": "One"},
                "zone": {"type": "circle", "center": [4.39, 50.40], "radius_m": 25},
                "position": [4.3901, 50.4001],
                "rules": {"dwell_s": 3, "replay": "always", "cooldown_s": 120},
                "story": {
                    "versions": {
                        "fr": {
                            "audio": "media/un.fr.opus",
                            "transcript": "media/un.fr.vtt",
                            "text": "Un.",
                        }
                    },
                    "consents": [
                        {"person": "Marie", "given_on": "2025-03-14", "scope": "this trail"}
                    ],
                    "licence": "CC-BY-4.0",
                },
            },
            {
                "key": "deux",
                "title": {"fr": "Deux"},
                "zone": {
                    "type": "polygon",
                    "coordinates": [[[4.391, 50.4], [4.392, 50.4], [4.392, 50.401], [4.391, 50.4]]],
                },
                "rules": {"requires": {"conditions": [{"stop": "un"}]}},
                "story": {"versions": {"fr": {"audio": "media/deux.fr.wav"}}},
            },
            {
                "key": "silence",
                "title": {"fr": "Silence"},
                "zone": {"type": "circle", "center": [4.393, 50.402], "radius_m": 30},
            },
        ],
        "ambience": [
            {
                "key": "eau",
                "audio": "media/eau.opus",
                "zone": {"type": "circle", "center": [4.391, 50.401], "radius_m": 40},
                "max_distance_m": 80,
            }
        ],
        "objects": [
            {
                "key": "roue",
                "title": {"fr": "La roue"},
                "audio": "media/eau.opus",
                "position": [4.3912, 50.4008],
                "radius_m": 60,
                "ref_distance_m": 5,
                "rolloff": "linear",
                "gain_db": -3,
                "requires": {"conditions": [{"stop": "un"}]},
                "approach": {"bearing_deg": 90, "tolerance_deg": 45},
                "facing": {"tolerance_deg": 30},
            },
            {
                "key": "ruisseau",
                "audio": "media/deux.fr.wav",
                "position": [4.3915, 50.4002],
                "radius_m": 30,
                "loop": False,
            },
        ],
    }
    (folder / "trail.yaml").write_text(yaml.safe_dump(trail, allow_unicode=True))
    return folder


def fresh_database(tmp_path: Path, template: Path) -> str:
    """A second, empty, migrated SpatiaLite database."""
    path = tmp_path / "second.db"
    path.write_bytes(template.read_bytes())
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return f"sqlite:///{path}"


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_round_trip_between_two_databases_is_exact(
    db: Database,
    database_url: str,
    spatialite_template: Path,
    rich_folder: Path,
    tmp_path: Path,
    baladeur: Runner,
) -> None:
    first = {"database_url": database_url, "data_dir": tmp_path / "data-1"}
    imported = baladeur("import", str(rich_folder), "--json", **first)
    assert imported.code == 0, imported.err
    one = tmp_path / "export-1"
    exported = baladeur("export", "petit", str(one), "--json", **first)
    assert exported.code == 0, exported.err
    zipped = baladeur("export", "petit", str(tmp_path / "petit.zip"), **first)
    assert zipped.code == 0, zipped.err

    second = {
        "database_url": fresh_database(tmp_path, spatialite_template),
        "data_dir": tmp_path / "data-2",
    }
    again = baladeur("import", str(tmp_path / "petit.zip"), "--json", **second)
    assert again.code == 0, again.err
    two = tmp_path / "export-2"
    assert baladeur("export", "petit", str(two), **second).code == 0

    assert files_of(one) == files_of(two)
    # Media are named by content; the trail itself is what was imported.
    yaml_one = yaml.safe_load((one / "trail.yaml").read_text())
    source = yaml.safe_load((rich_folder / "trail.yaml").read_text())
    for key in ("slug", "languages", "title", "mode", "timezone", "credits", "route"):
        assert yaml_one[key] == source[key], key
    assert [s["rules"] for s in yaml_one["stops"][:2]] == [
        {"dwell_s": 3.0, "replay": "always", "cooldown_s": 120.0},
        {"requires": {"conditions": [{"stop": "un"}]}},
    ]
    audio = yaml_one["stops"][0]["story"]["versions"]["fr"]["audio"]
    assert (one / audio).read_bytes() == (rich_folder / "media" / "un.fr.opus").read_bytes()
    transcript = yaml_one["stops"][0]["story"]["versions"]["fr"]["transcript"]
    assert (one / transcript).read_bytes() == (rich_folder / "media" / "un.fr.vtt").read_bytes()
    assert "story" not in yaml_one["stops"][2]
    assert yaml_one["stops"][0]["position"] == [4.3901, 50.4001]
    assert "position" not in yaml_one["stops"][1]
    roue, ruisseau = yaml_one["objects"]
    assert {k: v for k, v in roue.items() if k != "audio"} == {
        "key": "roue",
        "title": {"fr": "La roue"},
        "position": [4.3912, 50.4008],
        "radius_m": 60.0,
        "ref_distance_m": 5.0,
        "rolloff": "linear",
        "gain_db": -3.0,
        "requires": {"conditions": [{"stop": "un"}]},
        "approach": {"bearing_deg": 90.0, "tolerance_deg": 45.0},
        "facing": {"tolerance_deg": 30.0},
    }
    assert (one / roue["audio"]).read_bytes() == (rich_folder / "media" / "eau.opus").read_bytes()
    assert (ruisseau["key"], ruisseau["loop"], ruisseau["radius_m"]) == ("ruisseau", False, 30.0)
    assert "requires" not in ruisseau


def _count(db: Database) -> tuple[int, int]:
    with db.transaction() as s:
        return (
            s.scalar(select(func.count()).select_from(Trail)) or 0,
            s.scalar(select(func.count()).select_from(Stop)) or 0,
        )


def test_import_a_gpx_file_and_export_geojson(
    db: Database, database_url: str, tmp_path: Path, baladeur: Runner
) -> None:
    env = {"database_url": database_url, "data_dir": tmp_path / "data"}
    gpx = tmp_path / "recce.gpx"
    gpx.write_text(
        '<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">'
        "<metadata><name>Recce</name></metadata>"
        '<wpt lat="50.40" lon="4.39"><name>Porte</name><desc>x</desc></wpt>'
        '<wpt lat="50.41" lon="4.40"><name>Pont</name></wpt></gpx>'
    )
    result = baladeur("import", str(gpx), "--language", "fr", "--radius", "40", "--json", **env)
    assert result.code == 0, result.err
    payload = json.loads(result.out)
    assert (payload["slug"], payload["stops"]) == ("recce", 2)
    assert payload["dropped"] == ["descriptions of 1 waypoint(s) not kept: stops have no text"]
    assert _count(db) == (1, 2)
    out = tmp_path / "recce.geojson"
    assert baladeur("export", "recce", str(out), **env).code == 0
    features = json.loads(out.read_text())["features"]
    assert [(f["properties"]["key"], f["properties"]["radius_m"]) for f in features] == [
        ("porte", 40.0),
        ("pont", 40.0),
    ]


def test_an_unsafe_zip_changes_nothing(
    db: Database, database_url: str, tmp_path: Path, baladeur: Runner
) -> None:
    env = {"database_url": database_url, "data_dir": tmp_path / "data"}
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("trail.yaml", "slug: x\n")
        zf.writestr("/etc/evil", "x")
    result = baladeur("import", str(archive), **env)
    assert result.code == 1
    assert "/etc/evil: an absolute path is refused; nothing was extracted" in result.err
    assert "Traceback" not in result.err
    assert _count(db) == (0, 0)


def test_export_of_an_unknown_trail(
    db: Database, database_url: str, tmp_path: Path, baladeur: Runner
) -> None:
    env = {"database_url": database_url, "data_dir": tmp_path / "data"}
    result = baladeur("export", "nowhere", str(tmp_path / "out"), "--json", **env)
    assert result.code == 1
    assert json.loads(result.err) == {"error": "Not found", "detail": "no trail 'nowhere'"}
    assert not (tmp_path / "out").exists()
