"""Every screen of the studio and the player, on data whose every text field is hostile.

The data (tests/security/conftest.py) comes through the API, an invitation link, a trail
folder and a GPX file imported with ``baladeur import``. Each screen is opened twice: once
under the pages' Content-Security-Policy (no violation may happen: one would mean an
injected element tried to run), and once with the policy bypassed, so that only the way text
reaches the DOM stands between the data and script. Either way ``window.__xss`` must stay
undefined, no injected element may exist, and each hostile text must show as typed.
Screenshots go to test-artefacts/security/.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.security.conftest import CENTRE, World
from tests.support.browser import artefact, map_still, phone_context, watch_csp
from tests.support.studio_pages import VIEWPORT, sign_in

MODES = ["csp-enforced", "csp-bypassed"]
INJECTED = "img[src='x'], svg[onload], [onerror], body script:not([src])"


class Screens:
    """Checks and screenshots of one browser page, screen after screen."""

    def __init__(self, world: World, page: Any, prefix: str) -> None:
        self.world = world
        self.page = page
        self.prefix = prefix
        self.count = 0

    def check(self, name: str, shown: Sequence[str] = (), filled: Sequence[str] = ()) -> None:
        """Nothing ran; each of ``shown`` is in the page's text, each of ``filled`` in a field."""
        page = self.page
        self.count += 1
        page.evaluate("() => document.querySelectorAll('details').forEach((d) => (d.open = true))")
        shot = artefact("security", f"{self.prefix}-{self.count}-{name}.png")
        page.screenshot(path=str(shot), full_page=True)
        assert page.evaluate("() => window.__xss") is None, f"script ran on {name}"
        assert page.locator(INJECTED).count() == 0, f"an injected element exists on {name}"
        text = page.evaluate("() => document.body.innerText")
        for field in shown:
            assert self.world.texts[field] in text, f"{field} is not shown as text on {name}"
        values = page.evaluate(
            "() => [...document.querySelectorAll('input, textarea, option')]"
            ".map((e) => e.tagName === 'OPTION' ? e.textContent : e.value)"
        )
        for field in filled:
            wanted = self.world.texts[field]
            assert any(wanted in v for v in values), f"{field} is not in a field on {name}"


def _simulation_gpx(folder: Path) -> Path:
    lon, lat = CENTRE
    points = "".join(
        f'<trkpt lat="{lat}" lon="{lon + d / 10000}"></trkpt>' for d in range(-10, 40, 2)
    )
    path = folder / "walk.gpx"
    path.write_text(
        '<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><trkseg>{points}</trkseg></trk></gpx>"
    )
    return path


def _studio_map(
    screens: Screens, trail_id: int, name: str, stop: list[str], story: dict[str, list[str]]
) -> None:
    page = screens.page
    page.goto(f"/studio/trails/{trail_id}")
    page.wait_for_selector("#stop-list li[data-key]")
    page.wait_for_selector(".leaflet-tooltip")
    page.wait_for_selector("#checks h2")
    map_still(page)
    screens.check(f"{name}-map", shown=stop)
    labels = page.locator(".leaflet-tooltip").all_inner_texts()
    for field in stop:
        assert any(screens.world.texts[field] in label for label in labels), f"tooltip {field}"
    page.locator("#stop-list li[data-key] .stop-name").first.click()
    page.wait_for_selector("#stop-form")
    if story:
        page.wait_for_selector("#story-form")
        page.wait_for_selector("#story .consents li:not(.loading)")
    page.set_input_files("#gpx-file", str(_simulation_gpx(screens.world.folder)))
    page.wait_for_selector("#simulation[data-plays]")
    screens.check(f"{name}-stop", shown=story.get("shown", []), filled=story.get("filled", []))


@pytest.mark.parametrize("mode", MODES)
def test_every_studio_screen_shows_hostile_text_as_text(
    world: World, chromium: Any, mode: str
) -> None:
    context = watch_csp(
        chromium.new_context(
            viewport=VIEWPORT,
            base_url=world.url,
            locale="en-GB",
            bypass_csp=mode == "csp-bypassed",
        )
    )
    context.add_init_script("localStorage.setItem('baladeur.studio.lang', 'en')")
    page = context.new_page()
    screens = Screens(world, page, f"studio-{mode}")
    sign_in(page, "owner")
    page.wait_for_selector("#trail-list li")
    screens.check(
        "trails",
        shown=["trail-title", "yaml-trail-title", "gpx-trail-name", "display-name"],
        filled=["org-name"],
    )

    _studio_map(
        screens,
        world.trails["api"],
        "api",
        ["stop-title"],
        {
            "shown": ["consent-person"],
            "filled": [
                "stop-title",
                "story-title",
                "story-licence",
                "credit-name",
                "credit-role",
                "cue-text",
            ],
        },
    )
    _studio_map(
        screens,
        world.trails["folder"],
        "folder",
        ["yaml-stop-title"],
        # Consents imported with a folder stay in its source, not in the consent records.
        {"filled": ["yaml-stop-title", "yaml-story-credit-name", "yaml-cue-text"]},
    )
    _studio_map(screens, world.trails["gpx"], "gpx", ["gpx-waypoint-name"], {})

    for name in ("api", "folder"):
        page.goto(f"/studio/trails/{world.trails[name]}/details")
        page.wait_for_selector("#trail-details")
        prefix = "" if name == "api" else "yaml-"
        screens.check(
            f"{name}-details",
            shown=[f"{prefix}trail-title"],
            filled=[f"{prefix}trail-title", f"{prefix}trail-description"],
        )

    page.goto(f"/studio/trails/{world.trails['api']}/publish")
    page.wait_for_selector("#releases tbody tr")
    page.wait_for_selector("#share .qr")
    screens.check("api-publish", shown=["trail-title", "release-notes"])

    page.goto("/studio/review")
    page.wait_for_selector("#review-list li.contribution")
    waiting = [
        "contribution-title",
        "contribution-title-contributor",
        "contribution-title-text",
        "contribution-title-credit-name",
        "contribution-title-credit-role",
        "contribution-title-consent-person",
        "invited-title",
        "invited-name",
        "invited-text",
        "invited-consent-person",
    ]
    # Transcripts are edited before approval: they are in their fields, not in the text.
    transcripts = ["contribution-title-cue", "invited-cue"]
    card = page.locator("#review-list li.contribution").first
    card.locator("select[name=place-trail]").select_option(str(world.trails["api"]))
    page.wait_for_selector(
        "#review-list select[name=place-stop]:not([disabled]) option[value]:not([value=''])",
        state="attached",
    )
    screens.check("review", shown=waiting, filled=["trail-title", "stop-title", *transcripts])
    text = page.evaluate("() => document.body.innerText")
    assert world.texts["rejected-title"] not in text  # decided: no longer in the queue
    context.close()


@pytest.mark.parametrize("mode", MODES)
def test_every_player_screen_shows_hostile_text_as_text(
    world: World, chromium: Any, mode: str
) -> None:
    lon, lat = CENTRE
    context = phone_context(
        chromium,
        world.url,
        bypass_csp=mode == "csp-bypassed",
        geolocation={"latitude": lat, "longitude": lon, "accuracy": 5},
    )
    page = context.new_page()
    screens = Screens(world, page, f"player-{mode}")
    page.goto("/play")
    page.wait_for_selector("#trail-list a[data-slug=hostile-folder]")
    screens.check("catalogue", shown=["trail-title", "yaml-trail-title"])

    # The imported trail, walked: its stop plays where the visitor stands, its river too.
    page.goto("/play/hostile-folder")
    page.wait_for_function(
        "() => JSON.parse(document.querySelector('#player-state').textContent).offlineReady"
    )
    # The trail's page is drawn after its fetches, apart from the service worker's readiness.
    page.wait_for_selector("#download")
    screens.check(
        "folder-trail",
        shown=[
            "yaml-trail-title",
            "yaml-trail-description",
            "yaml-credit-name",
            "yaml-credit-role",
        ],
    )
    page.click("#download")
    page.wait_for_selector("#start-walk", timeout=30_000)
    page.click("#start-walk")
    page.wait_for_function("() => document.body.dataset.playing === 'moulin'")
    page.wait_for_selector("#transcript p")
    page.wait_for_function(
        "() => 'riviere' in JSON.parse(document.querySelector('#player-state').textContent).beds"
    )
    page.evaluate("() => document.querySelector('#walk').scrollIntoView()")
    screens.check("folder-walk", shown=["yaml-stop-title", "yaml-cue-text", "yaml-ambience-title"])
    page.click("#start-walk")  # stop the walk

    # The trail made in the studio, heard from home.
    page.goto(f"/play/{world.slugs['api']}")
    page.wait_for_selector("#download")
    screens.check(
        "api-trail",
        shown=["trail-title", "trail-description", "trail-credit-name", "trail-credit-role"],
    )
    page.click("#download")
    page.wait_for_selector("#from-home", timeout=30_000)
    page.click("#from-home")
    page.click("[data-play=bief]")
    page.wait_for_function("() => document.body.dataset.playing === 'bief'")
    page.wait_for_selector("#transcript p")
    page.evaluate("() => document.querySelector('#now-playing').scrollIntoView()")
    screens.check("api-from-home", shown=["stop-title", "cue-text"])
    context.close()
