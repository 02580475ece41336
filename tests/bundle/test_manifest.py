"""The manifest built from the demo trail: shape, resolved rules, media table, schema."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from tests.bundle.conftest import BUILT_AT, DEMO, ROOT, Demo, file_media
from trails.bundle.manifest import build_manifest, manifest_bbox
from trails.bundle.model import BundleMedia
from trails.bundle.schema import manifest_schema
from trails.bundle.source import trail_from_manifest
from trails.errors import InvalidInput
from trails.source import load_source, parse_source

SCHEMA_FILE = ROOT / "docs" / "bundle-manifest.schema.json"


def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text()))


def test_published_schema_is_the_code_schema() -> None:
    assert json.loads(SCHEMA_FILE.read_text()) == manifest_schema()
    jsonschema.Draft202012Validator.check_schema(manifest_schema())


def test_demo_manifest_is_valid(demo: Demo) -> None:
    manifest = demo.built.manifest
    _validator().validate(manifest)
    assert manifest["format"] == 1 and manifest["profile"] == "opus"
    assert manifest["key_id"] == demo.key.id and manifest["built_at"] == "2025-06-21T08:00:00Z"
    trail = manifest["trail"]
    assert (trail["id"], trail["slug"], trail["release"]) == ("trail-1", "moulin-de-marchienne", 1)
    assert trail["languages"] == ["fr", "en"] and trail["timezone"] == "Europe/Brussels"
    assert trail["route"]["type"] == "LineString"
    assert trail["settings"] == {"loudness_lufs": -16, "ambience_offset_db": -6, "ducking_db": -12}


def test_zones_are_geojson_and_rules_are_complete(demo: Demo) -> None:
    stops = {s["key"]: s for s in demo.built.manifest["stops"]}
    moulin = stops["moulin"]
    assert moulin["zone"] == {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [4.395, 50.403651]},
        "properties": {"shape": "circle", "radius_m": 30},
    }
    # Defaults written out; the exit margin resolved as the trigger semantics say.
    assert moulin["rules"]["exit_margin_m"] == 8  # max(8, 0.25 x 30)
    assert stops["bord-de-l-eau"]["rules"]["exit_margin_m"] == 8.75  # 0.25 x 35
    assert stops["place"]["zone"]["geometry"]["type"] == "Polygon"
    assert stops["place"]["rules"]["exit_margin_m"] == 10  # explicit
    assert set(moulin["rules"]) == {
        "dwell_s", "max_accuracy_m", "exit_margin_m", "exit_dwell_s", "replay", "cooldown_s",
        "priority", "interrupt", "on_exit", "requires", "time_windows",
    }  # fmt: skip
    assert stops["retour"]["rules"]["requires"] == {
        "mode": "all",
        "conditions": [{"stop": "moulin", "state": "played"}],
    }


def test_cues_per_language_point_into_the_media_table(demo: Demo) -> None:
    manifest = demo.built.manifest
    table = {row["path"]: row for row in manifest["media"]}
    moulin = manifest["stops"][0]
    assert set(moulin["cues"]) == {"fr", "en"}
    cue = moulin["cues"]["fr"]
    assert table[cue["audio"]]["kind"] == "audio"
    assert table[cue["transcript"]]["mime_type"] == "text/vtt"
    assert cue["duration_s"] == table[cue["audio"]]["duration_s"]
    assert [r["path"] for r in manifest["media"]] == sorted(table)
    assert len(table) == len(demo.loaded.trail.media_paths())
    assert manifest["ambience"][0]["rules"]["exit_margin_m"] == 8


def test_bbox_contains_every_zone_and_the_route(demo: Demo) -> None:
    west, south, east, north = demo.built.manifest["trail"]["bbox"]
    for lon, lat in demo.loaded.trail.route or []:
        assert west <= lon <= east and south <= lat <= north
    # The river ambience's 50 m circle reaches south of its centre.
    assert south < 50.402977 - 50 / 111_320


def test_same_content_twice_is_deduplicated(tmp_path: Path) -> None:
    loaded = load_source(DEMO)
    data = loaded.trail.model_dump(mode="json")
    data["stops"][2]["story"]["versions"]["fr"]["audio"] = "media/moulin.fr.opus"
    trail = parse_source(data)
    manifest = build_manifest(
        trail,
        trail_id="t",
        release=1,
        profile="aac",
        media=lambda p: file_media(loaded.media_file(p)),
        publisher="p",
        key_id="0" * 16,
        built_at=BUILT_AT,
    )
    paths = [r["path"] for r in manifest["media"]]
    assert len(paths) == len(set(paths)) == len(loaded.trail.media_paths()) - 1


def _build(media: BundleMedia, **overrides: object) -> None:
    loaded = load_source(DEMO)
    arguments: dict[str, object] = {
        "trail_id": "t",
        "release": 1,
        "profile": "opus",
        "media": lambda p: media if p.endswith(".opus") else file_media(loaded.media_file(p)),
        "publisher": "p",
        "key_id": "0" * 16,
        "built_at": BUILT_AT,
    }
    build_manifest(loaded.trail, **(arguments | overrides))  # type: ignore[arg-type]


GOOD = file_media(DEMO / "media" / "moulin.fr.opus")


@pytest.mark.parametrize(
    ("media", "overrides"),
    [
        (replace(GOOD, sha256="ABC"), {}),
        (replace(GOOD, extension=".opus"), {}),
        (replace(GOOD, duration_s=None), {}),
        (replace(GOOD, kind="image"), {}),
        (GOOD, {"profile": "mp3"}),
        (GOOD, {"release": 0}),
        (GOOD, {"trail_id": ""}),
        (GOOD, {"publisher": ""}),
        (replace(GOOD, mime_type="audio/mpeg"), {}),
    ],
)
def test_bad_inputs_refused(media: BundleMedia, overrides: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        _build(media, **overrides)


def test_naive_built_at_refused() -> None:
    with pytest.raises(InvalidInput):
        _build(GOOD, built_at=BUILT_AT.replace(tzinfo=None))


def test_documented_examples_are_valid() -> None:
    doc = (ROOT / "docs" / "bundle-format.md").read_text()
    blocks = [b.split("```", 1)[0] for b in doc.split("```json manifest")[1:]]
    assert blocks, "the format document shows at least one manifest"
    for block in blocks:
        _validator().validate(json.loads(block))


def test_the_documented_bbox_is_the_one_the_builder_computes() -> None:
    doc = (ROOT / "docs" / "bundle-format.md").read_text()
    example = json.loads(doc.split("```json manifest")[1].split("```", 1)[0])
    assert example["trail"]["bbox"] == manifest_bbox(trail_from_manifest(example))
    # Not the tightest box: the circle's extent is over-estimated on purpose (section 2.2).
    assert example["trail"]["bbox"][3] > 50.4037 + 30 / 111_195 + 1e-6


@pytest.mark.parametrize("key", ["no-such-stop", "riviere"])
def test_a_condition_on_anything_but_a_stop_is_not_written(key: str) -> None:
    data = load_source(DEMO).trail.model_dump(mode="json")
    assert key == "no-such-stop" or key in {layer["key"] for layer in data["ambience"]}
    data["stops"][1]["rules"]["requires"] = {"conditions": [{"stop": key}]}
    loaded = load_source(DEMO)
    with pytest.raises(InvalidInput, match="must name a stop"):
        build_manifest(
            parse_source(data),
            trail_id="t",
            release=1,
            profile="opus",
            media=lambda p: file_media(loaded.media_file(p)),
            publisher="p",
            key_id="0" * 16,
            built_at=BUILT_AT,
        )
