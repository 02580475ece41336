"""GPS quality in plain words, no trigger on fixes the rules ignore, refused location, battery."""

from __future__ import annotations

from typing import Any

from tests.player.conftest import Site
from tests.player.field import T0, downloaded, move, state, until
from tests.support.browser import artefact, phone_context

HIDE = """(hidden) => {
  const value = hidden ? 'hidden' : 'visible';
  Object.defineProperty(document, 'visibilityState', {value, configurable: true});
  document.dispatchEvent(new Event('visibilitychange'));
}"""


def test_a_weak_position_for_five_minutes_is_said_and_triggers_nothing(
    site: Site, chromium: Any
) -> None:
    first = site.manifest()["stops"][0]
    lon, lat = first["zone"]["geometry"]["coordinates"]
    context = phone_context(chromium, site.url, reduced_motion="reduce")
    page = context.new_page()
    downloaded(page)
    page.clock.pause_at(T0 + 100)
    page.click("#start-walk")
    page.wait_for_selector("#walk svg.map")

    # Five minutes in the first stop's zone, but the phone only knows it within 500 m.
    for i in range(16):
        move(page, context, lat + (1e-6 if i % 2 else 0), lon, accuracy=500)
        page.clock.fast_forward(20_000)
    move(page, context, lat, lon, accuracy=500)
    got = state(page)
    assert got["gps"] == "weak" and got["suggestManual"] is True
    assert [e for e in got["events"] if e["stop"] == first["key"]] == []
    assert got["playing"] is None and got["started"] == []
    gps = page.locator("#gps")
    assert "faible" in gps.inner_text()
    assert 'status: "GPS : faible' in gps.aria_snapshot()
    assert page.locator("#suggest-manual").is_visible()
    # Nothing played for over a minute: the audio context was closed, to save the battery.
    assert got["audioContext"] == "none"
    page.screenshot(path=str(artefact("player", "12-gps-weak-suggestion.png")))

    # A hidden page with nothing to hear lets the GPS rest; back on screen, it listens again.
    assert got["watching"] is True
    page.evaluate(HIDE, True)
    until(page, "s.watching === false")
    page.evaluate(HIDE, False)
    until(page, "s.watching === true")

    # No fix for more than 30 s: lost.
    page.clock.fast_forward(31_000)
    until(page, "s.gps === 'lost'")
    assert "perdu" in gps.inner_text()

    # A good fix at the same place: the story starts, the audio reopens for it.
    move(page, context, lat, lon, accuracy=6)
    until(page, f"s.playing === '{first['key']}' && s.gps === 'good' && !s.suggestManual")
    until(page, "s.audioContext === 'running'")
    assert page.locator("#suggest-manual").is_hidden()
    context.close()


def test_location_refused_says_so_and_offers_listening_by_hand(site: Site, chromium: Any) -> None:
    context = phone_context(chromium, site.url, permissions=[], reduced_motion="reduce")
    page = context.new_page()
    downloaded(page)
    page.click("#start-walk")
    until(page, "s.geoError === 'denied'")
    alert = page.get_by_role("alert")
    assert "localisation est refusée" in alert.inner_text()
    page.screenshot(path=str(artefact("player", "13-location-refused.png")))
    page.click("#manual-from-suggestion")
    until(page, "s.mode === 'home'")
    page.locator("[data-play]").first.click()
    until(page, "s.playing !== null")
    context.close()
