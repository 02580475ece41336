"""``baladeur simulate BUNDLE TRACK``: the same walk as from the folder; a bad bundle is refused."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from media.probe_duration import probe_duration
from tests.bundle.conftest import DEMO, build_demo, data_offset, file_media, flip_byte
from tests.support.cli import run_cli
from trails.bundle.model import BundleMedia
from trails.bundle.signing import SigningKey
from trails.source import load_source
from trails.trail_input import open_trail


@pytest.fixture
def bundle(tmp_path: Path, demo_key: SigningKey) -> Path:
    loaded = load_source(DEMO)

    def media(relative: str) -> BundleMedia:
        item = file_media(loaded.media_file(relative))
        if item.kind == "audio":
            # The demo files are already Opus: their real durations, as a rendition would have.
            item = replace(item, duration_s=probe_duration(loaded.media_file(relative)))
        return item

    return build_demo(tmp_path / "demo.zip", demo_key, loaded, media=media).path


@pytest.fixture
def route(tmp_path: Path) -> Path:
    coordinates = [list(p) for p in load_source(DEMO).trail.route or []]
    path = tmp_path / "route.geojson"
    path.write_text(json.dumps({"type": "LineString", "coordinates": coordinates}))
    return path


def test_open_trail_reads_a_bundle(bundle: Path) -> None:
    loaded = open_trail(bundle)
    folder = load_source(DEMO).trail
    assert loaded.trail.slug == folder.slug
    assert [s.key for s in loaded.trail.stops] == [s.key for s in folder.stops]
    assert loaded.trail.stops[3].zone == folder.stops[3].zone  # the polygon, back from GeoJSON


def test_simulating_the_bundle_matches_the_folder(
    bundle: Path, route: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, from_bundle, _ = run_cli(capsys, "simulate", str(bundle), str(route), "--json")
    assert code == 0
    code, from_folder, _ = run_cli(capsys, "simulate", str(DEMO), str(route), "--json")
    assert code == 0
    bundle_result, folder_result = json.loads(from_bundle), json.loads(from_folder)
    assert bundle_result["events"] == folder_result["events"]
    assert bundle_result["summary"]["stops_heard"]  # the walk along the route hears stops


def test_a_damaged_bundle_is_refused_clearly(
    bundle: Path, route: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flip_byte(bundle, data_offset(bundle, "manifest.json") + 40)
    code, out, err = run_cli(capsys, "simulate", str(bundle), str(route), "--json")
    assert code == 1 and out == ""
    detail = json.loads(err)["detail"]
    assert "is not a valid bundle" in detail and "manifest" in detail


def test_a_file_that_is_not_a_zip(
    tmp_path: Path, route: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    code, _, err = run_cli(capsys, "simulate", str(path), str(route))
    assert code == 1 and "nor a bundle" in err
