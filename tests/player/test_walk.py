"""Download the demo trail, go offline, reload, then walk it with emulated positions."""

from __future__ import annotations

import json
from typing import Any

from tests.player.conftest import Site
from tests.player.walking import along, engine_trail, reference_events
from tests.support.browser import artefact, phone_context
from trails.triggers.model import Fix

SLUG = "moulin-de-marchienne"
T0 = 1_781_000_000  # a whole second, so that page times are exact offsets from it
STEP_S = 8


def state(page: Any) -> dict[str, Any]:
    return json.loads(page.locator("#player-state").text_content() or "{}")


def without_azimuth(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events with the azimuth of spatial ones left out."""
    return [{k: v for k, v in e.items() if k != "azimuth"} for e in events]


def test_offline_walk_plays_the_reference_events(site: Site, chromium: Any) -> None:
    manifest = site.manifest()
    context = phone_context(chromium, site.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.clock.install(time=T0)
    page.goto(f"/play/{SLUG}")
    page.wait_for_function(
        "() => JSON.parse(document.querySelector('#player-state').textContent).offlineReady"
    )
    page.click("#download")
    page.wait_for_selector("#start-walk", timeout=30_000)
    assert state(page)["verified"] is True

    context.set_offline(True)
    page.reload()
    page.wait_for_selector("#start-walk", timeout=10_000)
    assert state(page)["stored"] is True and state(page)["online"] is False
    page.screenshot(path=str(artefact("player", "6-offline-reload.png")))

    page.clock.pause_at(T0 + 100)
    page.click("#start-walk")
    page.wait_for_selector("#walk svg.map")
    points = along(manifest["trail"]["route"]["coordinates"], 18)
    fixes = []
    river_gains: list[float] = []
    for i, (lat, lon) in enumerate(points):
        t = T0 + 200 + i * STEP_S
        fixes.append(Fix(t, lat, lon, 6.0))
        page.clock.pause_at(t) if i == 0 else page.clock.fast_forward(STEP_S * 1000)
        context.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 6})
        page.wait_for_function(
            "([lat, lon]) => { const f = JSON.parse(document.querySelector('#player-state')"
            ".textContent).fix; return f && f.lat === lat && f.lon === lon; }",
            arg=[lat, lon],
            timeout=5_000,
        )
        now = state(page)
        if "riviere" in now["beds"]:
            # What Web Audio was told matches the engine's gain for the bed.
            assert now["audioBeds"]["riviere"] == now["beds"]["riviere"]
            river_gains.append(now["beds"]["riviere"])
        if i == 40:
            page.evaluate("() => document.querySelector('#walk').scrollIntoView()")
            page.screenshot(path=str(artefact("player", "7-walk-offline.png")))
    got = state(page)
    expected = reference_events(engine_trail(manifest, "fr"), fixes)
    # A sound object's azimuth follows the listener's course, which the page begins from the
    # context's first position, before these fixes: everything else is compared exactly.
    assert without_azimuth(got["events"]) == without_azimuth(expected)
    # Stories only: the ambience and the demo's sound objects play too, as beds or objects.
    stop_keys = {s["key"] for s in manifest["stops"]}
    plays = [e["stop"] for e in expected if e["type"] == "play" and e["stop"] in stop_keys]
    assert got["started"] == plays
    assert len(set(plays)) == len(plays) == len(manifest["stops"])
    assert len(set(river_gains)) >= 3  # the ambience gain followed the distance
    assert errors == []
    context.close()
