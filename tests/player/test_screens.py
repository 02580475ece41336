"""Screenshots of the main screens at a phone's size, in French and English.

They are written to test-artefacts/player/ for people to look at; the assertions check what a
visitor must see on each screen.
"""

from __future__ import annotations

import json
from typing import Any

from tests.player.conftest import Site
from tests.support.browser import artefact, phone_context

SLUG = "moulin-de-marchienne"
T0 = 1_781_000_000
MILL = (50.403651, 4.395)  # the centre of the first stop


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(artefact("player", f"{name}.png")))


def state(page: Any) -> dict[str, Any]:
    return json.loads(page.locator("#player-state").text_content() or "{}")


def test_main_screens(site: Site, chromium: Any) -> None:
    context = phone_context(chromium, site.url)
    page = context.new_page()
    page.clock.install(time=T0)
    page.goto("/play")
    page.wait_for_selector("#trail-list a")
    assert page.locator("h1").text_content() == "Parcours"
    shot(page, "1-list-fr")

    page.click(f"#trail-list a[data-slug={SLUG}]")
    page.wait_for_selector("#download")
    page.click(".lang[data-lang=en]")
    page.wait_for_selector("#download")
    assert "Download for offline" in (page.locator("#download").text_content() or "")
    assert page.locator("#fact-size").is_visible()
    shot(page, "2-trail-en")

    page.click(".lang[data-lang=fr]")
    page.wait_for_selector("#download")
    page.click("#download")
    page.wait_for_selector("#start-walk", timeout=30_000)
    shot(page, "3-stored-fr")

    page.clock.pause_at(T0 + 60)
    page.click("#start-walk")
    context.set_geolocation({"latitude": MILL[0], "longitude": MILL[1], "accuracy": 5})
    page.wait_for_function("() => document.body.dataset.playing === 'moulin'")
    page.wait_for_selector("#transcript p")
    page.locator("#walk").scroll_into_view_if_needed()
    page.evaluate("() => document.querySelector('#walk').scrollIntoView()")
    assert "Arrêt 1" in (page.locator("#now-playing").text_content() or "")
    shot(page, "4-walk-playing")

    page.click("#start-walk")  # stop the walk
    page.click("#from-home")
    page.click("[data-play=retour]")
    page.wait_for_function("() => document.body.dataset.playing === 'retour'")
    page.wait_for_selector("#transcript p")
    page.evaluate("() => document.querySelector('#now-playing').scrollIntoView()")
    assert state(page)["mode"] == "home"
    shot(page, "5-from-home")
    context.close()
