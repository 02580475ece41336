"""A story told from a place is heard from there; sound objects are ducked under it once."""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.player.conftest import DEMO, Site, demo_site
from tests.player.field import T0, start_walk, state, until
from tests.player.test_space import applied, feed, nodes_reach, offset, replay
from tests.support.browser import artefact, phone_context

STEP_S = 2  # short steps: the story (about 13 s) still plays when the checks run
TOLD_FROM_WEST_M = 20  # the mill's story is told from this far west of its zone's centre


def centre(manifest: dict[str, Any]) -> tuple[float, float]:
    """The (lat, lon) of the first stop's circle."""
    lon, lat = manifest["stops"][0]["zone"]["geometry"]["coordinates"]
    return lat, lon


@pytest.fixture(scope="module")
def told_from_a_place(
    player_built: Path, spatialite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """The demo with its first stop's story given a position (bundle format 1.2)."""
    folder = tmp_path_factory.mktemp("told-from") / "trail"
    shutil.copytree(DEMO, folder)
    source = yaml.safe_load((folder / "trail.yaml").read_text(encoding="utf-8"))
    first = source["stops"][0]
    lon, lat = first["zone"]["center"]
    west_lat, west_lon = offset(lat, lon, 0, -TOLD_FROM_WEST_M)
    first["position"] = [west_lon, west_lat]
    (folder / "trail.yaml").write_text(yaml.safe_dump(source, allow_unicode=True), encoding="utf-8")
    with demo_site(tmp_path_factory.mktemp("told-from-site"), spatialite_template, folder) as site:
        yield site


def test_a_story_is_heard_from_its_place_and_objects_duck_once(
    told_from_a_place: Site, chromium: Any
) -> None:
    site = told_from_a_place
    manifest = site.manifest()
    assert manifest["stops"][0].get("position")
    clat, clon = centre(manifest)
    start = offset(clat, clon, -50, 0)
    context = phone_context(
        chromium, site.url, geolocation={"latitude": start[0], "longitude": start[1], "accuracy": 6}
    )
    page, errors = start_walk(context)
    until(page, f"s.fix && s.fix.lat === {start[0]}")

    # North into the mill's zone: its story starts, told from the west (on the left).
    t = T0 + 100
    for north in range(-42, -9, 8):
        t += STEP_S
        page.clock.pause_at(t)
        feed(page, context, *offset(clat, clon, north, 0))
    now = state(page)
    assert now["playing"] == "moulin"
    story = applied(page, "moulin")
    assert story["db"] == 0  # a story keeps its level wherever it is told from (15.1)
    assert story["azimuth"] is not None and -110 <= story["azimuth"] <= -20
    assert "(récit)" in story["text"] and "gauche" in story["text"]
    nodes = nodes_reach(page, "moulin")
    assert nodes["db"] == 0 and abs(nodes["azimuth"] - story["azimuth"]) < 0.5

    # The mill wheel is ducked under the story by the engine's gain, and only by it.
    wheel = state(page)["placed"]["roue"]
    assert nodes_reach(page, "roue")["db"] == pytest.approx(wheel["db"], abs=0.15)
    page.evaluate("() => document.querySelector('#space').scrollIntoView({block: 'center'})")
    page.screenshot(path=str(artefact("player", "space-story-from-the-west.png")))

    fed = state(page)["fed"]
    events = [e for e in state(page)["events"] if e["t"] <= fed[-1]["t"]]
    assert events == replay(site, page)
    # The wheel's level is its distance law plus the trail's ducking, nothing more (14.3).
    obj = next(o for o in manifest["objects"] if o["key"] == "roue")
    assert obj["rolloff"] == "inverse"
    d = max(wheel["distance_m"], obj["ref_distance_m"])
    law = obj["gain_db"] + 20 * math.log10(obj["ref_distance_m"] / d)
    ducking = manifest["trail"]["settings"]["ducking_db"]
    assert ducking < 0 and wheel["db"] == pytest.approx(law + ducking, abs=0.051)
    assert not errors
