"""Helpers of the field tests: a downloaded demo trail and a walk up to its first story."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from tests.player.conftest import Site
from tests.player.walking import along
from tests.support.dropping import DropOnce

SLUG = "moulin-de-marchienne"
T0 = 1_781_000_000  # a whole second, so that page times are exact offsets from it
STEP_S = 8

# Every AudioContext the page opens, so that a test can suspend one as the system would.
CAPTURE_CONTEXTS = """
(() => {
  const Native = window.AudioContext;
  if (!Native) return;
  window.__contexts = [];
  window.AudioContext = class extends Native {
    constructor(...args) { super(...args); window.__contexts.push(this); }
  };
})();
"""


def state(page: Any) -> dict[str, Any]:
    """The player state the page publishes."""
    return dict(json.loads(page.locator("#player-state").text_content() or "{}"))


def until(page: Any, condition: str, timeout: int = 10_000) -> None:
    """Wait until a JS condition on the published state `s` holds."""
    read = "JSON.parse(document.querySelector('#player-state').textContent)"
    page.wait_for_function(f"() => {{ const s = {read}; return {condition}; }}", timeout=timeout)


def downloaded(page: Any) -> None:
    """Open the demo trail's page, download it, wait until it is stored."""
    page.clock.install(time=T0)
    page.goto(f"/play/{SLUG}")
    until(page, "s.offlineReady")
    page.click("#download")
    page.wait_for_selector("#start-walk", timeout=30_000)


def start_walk(context: Any) -> tuple[Any, list[str]]:
    """A new page on the demo trail, downloaded and its walk started with the clock paused at
    ``T0 + 100``; with the list its uncaught script errors go to."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.clock.install(time=T0)
    page.goto(f"/play/{SLUG}")
    page.click("#download")
    page.wait_for_selector("#start-walk", timeout=30_000)
    page.clock.pause_at(T0 + 100)
    page.click("#start-walk")
    return page, errors


def move(page: Any, context: Any, lat: float, lon: float, accuracy: float = 6) -> None:
    """Put the phone at a position and wait until the walk has taken it."""
    context.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": accuracy})
    page.wait_for_function(
        "([lat, lon, acc]) => { const f = JSON.parse(document.querySelector('#player-state')"
        ".textContent).fix; return f && f.lat === lat && f.lon === lon && f.accuracy_m === acc; }",
        arg=[lat, lon, accuracy],
        timeout=5_000,
    )


def walk_to_first_story(site: Site, page: Any, context: Any) -> int:
    """Start the walk and follow the route until a narration plays; returns the clock (s)."""
    page.clock.pause_at(T0 + 100)
    page.click("#start-walk")
    page.wait_for_selector("#walk svg.map")
    t = T0 + 200
    page.clock.pause_at(t)
    for lat, lon in along(site.manifest()["trail"]["route"]["coordinates"], 18):
        move(page, context, lat, lon)
        if state(page).get("playing"):
            return t
        page.clock.fast_forward(STEP_S * 1000)
        t += STEP_S
    raise AssertionError("no story played along the route")


def cut_once_read(
    page: Any,
    network: DropOnce,
    total: int,
    after: int,
    before_cut: Callable[[], None] = lambda: None,
) -> None:
    """Cut the held download of ``total`` bytes once the page shows it read the first ``after``.

    The page's progress bar is the oracle: a cut before the page has read what was sent could
    lose those bytes (see tests/support/dropping.py), which would leave the test to chance.
    """
    page.wait_for_function(
        "([total, after]) => { const p = document.querySelector('#progress');"
        " return p && p.max === total && p.value >= after; }",
        arg=[total, after],
        timeout=30_000,
    )
    before_cut()
    network.release()
    deadline = time.monotonic() + 10
    while not network.dropped and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert network.dropped == 1, f"the held response was not cut: {network.requests}"
