"""The player's offline base map: downloaded with the trail, checked, drawn offline; a tampered
archive is refused and the walk goes on without it."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from server.basemap import BasemapConfig
from server.publishing import publish
from tests.player.conftest import DEMO_SLUG, Site, demo_site
from tests.player.field import T0, cut_once_read
from tests.player.test_accessibility import accessible
from tests.support.browser import artefact, phone_context
from tests.support.tiles import COLOURS, tile_server

ZOOMS = (15, 17)


@pytest.fixture(scope="module")
def map_site(
    player_built: Path, spatialite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """The demo published again with a base map from a tile server on loopback."""
    with demo_site(tmp_path_factory.mktemp("map-site"), spatialite_template) as running:
        with tile_server() as tiles:
            config = BasemapConfig(
                url_template=f"{tiles.url}/tiles/{{z}}/{{x}}/{{y}}.png",
                min_zoom=ZOOMS[0],
                max_zoom=ZOOMS[1],
                max_bytes=20 * 1024**2,
                attribution="© Tuiles de test",
                timeout_s=5,
            )
            publish(
                running.db, running.blobs, running.keys, DEMO_SLUG, publisher="demo", basemap=config
            )
        yield running


def state(page: Any) -> dict[str, Any]:
    return json.loads(page.locator("#player-state").text_content() or "{}")


def download(page: Any) -> None:
    page.goto(f"/play/{DEMO_SLUG}")
    page.wait_for_function(
        "() => JSON.parse(document.querySelector('#player-state').textContent).offlineReady"
    )
    page.click("#download")
    page.wait_for_selector("#start-walk", timeout=30_000)


def test_the_map_is_downloaded_checked_and_drawn_offline(map_site: Site, chromium: Any) -> None:
    manifest = map_site.manifest()
    member = manifest["basemap"]
    context = phone_context(chromium, map_site.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"/play/{DEMO_SLUG}")
    page.wait_for_function(
        "() => JSON.parse(document.querySelector('#player-state').textContent).page === 'trail'"
    )
    # The size shown counts the map.
    assert state(page)["size"] == map_site.current().bundle_bytes + member["bytes"]
    download(page)
    assert state(page)["basemap"]["status"] == "stored"

    context.set_offline(True)
    page.reload()
    page.wait_for_selector("#start-walk", timeout=10_000)
    page.click("#start-walk")
    page.wait_for_function(
        "() => JSON.parse(document.querySelector('#player-state').textContent).mapTiles"
    )
    drawn = state(page)["mapTiles"]
    zoom = drawn["zoom"]
    assert ZOOMS[0] <= zoom <= ZOOMS[1]
    assert len(drawn["tiles"]) >= 2
    assert page.locator("#walk svg.map image[data-tile]").count() == len(drawn["tiles"])
    assert page.locator("#walk svg.map .map-attribution").text_content() == "© Tuiles de test"
    context.set_geolocation({"latitude": 50.4037, "longitude": 4.3952, "accuracy": 8})
    page.wait_for_function(
        "() => JSON.parse(document.querySelector('#player-state').textContent).fix"
    )
    svg = page.locator("#walk svg.map")
    svg.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    shot = Image.open(io.BytesIO(svg.screenshot())).convert("RGB")
    page.screenshot(path=str(artefact("player", "basemap-walk-offline.png")))
    accessible(page, "walk over the base map")
    # Much of the map shows the drawn zoom's tile colour (the tile server paints each zoom).
    colour = COLOURS[zoom % len(COLOURS)]
    pixels = list(shot.getdata())
    share = sum(1 for p in pixels if max(abs(a - b) for a, b in zip(p, colour, strict=True)) <= 6)
    assert share / len(pixels) > 0.3

    # Removing the trail removes its archive too.
    stored = "async () => { const c = await caches.open('baladeur-trails'); return (await c.keys())"
    stored += ".map((r) => new URL(r.url).pathname).filter((p) => p.includes('/basemaps/')); }"
    assert page.evaluate(stored) == [f"/play/_store/basemaps/{member['sha256']}"]
    page.click("#remove")
    page.wait_for_selector("#download")
    assert page.evaluate(stored) == []
    assert errors == []
    context.close()


def test_a_tampered_map_is_refused_and_the_walk_goes_on(map_site: Site, chromium: Any) -> None:
    member = map_site.manifest()["basemap"]
    context = phone_context(chromium, map_site.url)
    page = context.new_page()

    def tamper(route: Any) -> None:
        response = route.fetch()
        body = bytearray(response.body())
        body[len(body) // 2] ^= 0xFF  # one byte changed on the way
        route.fulfill(response=response, body=bytes(body))

    page.route(f"**/v1/basemaps/{member['sha256']}.pmtiles", tamper)
    download(page)
    assert state(page)["basemap"]["status"] == "refused"
    assert state(page)["basemap"]["code"] == "hash-mismatch"
    notice = page.locator("#map-notice").text_content() or ""
    assert "refusé" in notice and "sans lui" in notice
    accessible(page, "trail page, map refused")
    page.click("#start-walk")
    page.wait_for_selector("#walk svg.map")
    context.set_geolocation({"latitude": 50.4037, "longitude": 4.3952, "accuracy": 8})
    page.wait_for_function(
        "() => JSON.parse(document.querySelector('#player-state').textContent).fix"
    )
    assert page.locator("#walk svg.map image").count() == 0  # the plain drawing
    assert state(page)["mapTiles"] is None
    page.screenshot(path=str(artefact("player", "basemap-refused.png")))
    context.close()


KEPT_MAP = """async () => {
  const cache = await caches.open('baladeur-partial');
  const hit = (await cache.keys())
    .find(r => r.url.includes('basemap') && r.url.endsWith('/meta.json'));
  return hit ? (await cache.match(hit)).json() : null;
}"""


def test_a_map_download_cut_at_40_percent_resumes_after_a_reload(
    map_site: Site, chromium: Any
) -> None:
    member = map_site.manifest()["basemap"]
    cut = member["bytes"] * 4 // 10
    context = phone_context(chromium, map_site.url)
    page = context.new_page()
    page.clock.install(time=T0)
    network = map_site.network
    network.prefix, network.dropped = "/v1/basemaps/", 0
    try:
        network.arm(after=cut, hold=True)
        download_started(page)
        # The cut comes with the page's clock standing still: its retry back-off never ends,
        # so only the next visit can finish the map.
        cut_once_read(
            page, network, member["bytes"], cut, before_cut=lambda: page.clock.pause_at(T0 + 3600)
        )
    finally:
        network.prefix = "/v1/bundles/"
    kept = None
    for _ in range(100):
        kept = page.evaluate(KEPT_MAP)
        if kept and kept["received"] == cut:
            break
        page.wait_for_timeout(50)
    assert kept is not None and kept["received"] == cut, state(page)
    assert kept["total"] == member["bytes"]

    map_requests: list[dict[str, str]] = []
    page.on(
        "request", lambda r: map_requests.append(r.headers) if "/v1/basemaps/" in r.url else None
    )
    page.reload()
    page.clock.resume()
    page.wait_for_selector("#download-map")
    assert "Reprendre le fond de carte (40" in page.locator("#download-map").inner_text()
    page.screenshot(path=str(artefact("player", "basemap-resume.png")))
    accessible(page, "trail page, map to resume")
    page.click("#download-map")
    page.wait_for_function(
        "() => JSON.parse(document.querySelector('#player-state').textContent)"
        ".basemap?.status === 'stored'",
        timeout=30_000,
    )
    assert state(page)["basemap"]["resumedFrom"] == cut
    first = map_requests[0]
    assert first["range"] == f"bytes={cut}-"
    assert first["if-range"] == kept["etag"]
    assert page.evaluate(KEPT_MAP) is None  # done: nothing left over
    page.wait_for_selector("#start-walk")
    assert page.locator("#download-map").count() == 0

    # The resumed archive verified: it is drawn, offline.
    context.set_offline(True)
    page.reload()
    page.click("#start-walk")
    page.wait_for_function(
        "() => JSON.parse(document.querySelector('#player-state').textContent).mapTiles"
    )
    assert len(state(page)["mapTiles"]["tiles"]) >= 2
    context.close()


def download_started(page: Any) -> None:
    """Open the demo trail's page and start its download (the bundle, then the map)."""
    page.goto(f"/play/{DEMO_SLUG}")
    page.wait_for_function(
        "() => JSON.parse(document.querySelector('#player-state').textContent).offlineReady"
    )
    page.click("#download")
