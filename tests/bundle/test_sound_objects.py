"""Sound objects and the other spatial members: source, manifest (format 1.2), verifier."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.bundle.conftest import DEMO, build_demo
from trails.bundle.signing import SigningKey
from trails.bundle.source import trail_from_manifest
from trails.bundle.verify import verify_bundle
from trails.errors import InvalidInput
from trails.source import LoadedSource, load_source, parse_source
from trails.triggers.from_source import engine_trail

WHEEL = {
    "key": "roue",
    "title": {"fr": "La roue du moulin"},
    "audio": "media/riviere.opus",
    "position": [4.395, 50.4037],
    "radius_m": 40,
    "ref_distance_m": 3,
    "rolloff": "linear",
    "facing": {"tolerance_deg": 60},
}


def _demo_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEMO / "trail.yaml").read_text(encoding="utf-8"))
    return data


def _spatial_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "spatial"
    shutil.copytree(DEMO, folder)
    data = _demo_data()
    data["objects"] = [WHEEL]
    data["stops"][0]["position"] = [4.3952, 50.4036]
    data["stops"][1]["rules"]["approach"] = {"bearing_deg": 90, "tolerance_deg": 60}
    (folder / "trail.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return folder


def test_spatial_members_make_a_verified_1_2_manifest_that_reads_back(
    tmp_path: Path, demo_key: SigningKey
) -> None:
    demo = build_demo(tmp_path / "b.zip", demo_key, load_source(_spatial_folder(tmp_path)))
    manifest = demo.built.manifest
    assert manifest["format_minor"] == 2
    (obj,) = manifest["objects"]
    assert obj["key"] == "roue" and obj["rolloff"] == "linear" and obj["loop"] is True
    assert obj["facing"] == {"tolerance_deg": 60} and obj["approach"] is None
    assert obj["audio"] in {row["path"] for row in manifest["media"]}
    assert manifest["stops"][0]["position"] == [4.3952, 50.4036]
    assert manifest["stops"][1]["rules"]["approach"] == {"bearing_deg": 90, "tolerance_deg": 60}
    assert "position" not in manifest["stops"][1]
    report = verify_bundle(demo.path, demo.keys)
    assert report.ok, report.problems
    again = trail_from_manifest(manifest)
    assert again.objects[0].radius_m == 40 and again.stops[0].position == (4.3952, 50.4036)
    engine = engine_trail(again, {})
    assert [o.key for o in engine.objects] == ["roue"]
    assert engine.stops[0].position == (4.3952, 50.4036)


def test_a_trail_without_spatial_members_stays_a_1_0_manifest(
    tmp_path: Path, demo_key: SigningKey
) -> None:
    data = _demo_data()
    del data["objects"]  # the demo's own sound objects
    loaded = LoadedSource(parse_source(data), DEMO)
    manifest = build_demo(tmp_path / "b.zip", demo_key, loaded).built.manifest
    assert "format_minor" not in manifest and "objects" not in manifest
    assert all("approach" not in s["rules"] and "position" not in s for s in manifest["stops"])


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"audio": None}, "objects.0.audio", ""),
        ({"radius_m": 0}, "objects.0.radius_m", "greater than 0"),
        ({"radius_m": 5001}, "objects.0.radius_m", "less than or equal to 5000"),
        ({"ref_distance_m": 41}, "objects.0", "must not exceed radius_m"),
        ({"rolloff": "log"}, "objects.0.rolloff", "inverse"),
        ({"facing": {"tolerance_deg": 190}}, "objects.0.facing.tolerance_deg", "180"),
        ({"approach": {"bearing_deg": 0, "tolerance_deg": -5}}, "objects.0.approach", "0"),
    ],
)
def test_bad_sound_objects_are_refused_with_the_field_named(
    change: dict[str, Any], field: str, message: str
) -> None:
    data = _demo_data()
    obj = {k: v for k, v in {**WHEEL, **change}.items() if v is not None}
    data["objects"] = [obj]
    with pytest.raises(InvalidInput) as caught:
        parse_source(data)
    assert any(e.field.startswith(field) and message in e.message for e in caught.value.errors), [
        (e.field, e.message) for e in caught.value.errors
    ]


def test_a_stop_approach_tolerance_outside_0_180_is_refused() -> None:
    data = _demo_data()
    data["stops"][0]["rules"] = {"approach": {"bearing_deg": 10, "tolerance_deg": 200}}
    with pytest.raises(InvalidInput, match="180"):
        parse_source(data)


def test_an_object_key_may_not_repeat_a_stop_key() -> None:
    data = _demo_data()
    data["objects"] = [{**WHEEL, "key": data["stops"][0]["key"]}]
    with pytest.raises(InvalidInput, match="must be unique"):
        parse_source(data)
