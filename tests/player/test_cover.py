"""The trail page shows the cover: from the server first, then offline from the stored bundle."""

from __future__ import annotations

import json
from typing import Any

from tests.player.conftest import Site
from tests.support.browser import artefact, phone_context

SLUG = "moulin-de-marchienne"
LOADED = "() => { const i = document.querySelector('img.cover'); return i && i.naturalWidth > 0; }"


def state(page: Any) -> dict[str, Any]:
    return json.loads(page.locator("#player-state").text_content() or "{}")


def test_cover_online_then_offline_from_the_stored_bundle(site: Site, chromium: Any) -> None:
    cover = site.manifest()["trail"]["cover"]
    assert cover and cover.endswith(".jpg")
    context = phone_context(chromium, site.url)
    page = context.new_page()
    page.goto(f"/play/{SLUG}")
    page.wait_for_function(
        "() => JSON.parse(document.querySelector('#player-state').textContent).offlineReady"
    )
    page.wait_for_function(LOADED)
    assert page.get_attribute("img.cover", "src") == f"/v1/{cover}"
    page.click("#download")
    page.wait_for_selector("#start-walk", timeout=30_000)

    context.set_offline(True)
    page.reload()
    page.wait_for_selector("#start-walk", timeout=10_000)
    assert state(page)["online"] is False
    page.wait_for_function(LOADED)
    # Offline, the picture comes out of the verified bundle kept on the phone.
    assert (page.get_attribute("img.cover", "src") or "").startswith("blob:")
    page.screenshot(path=str(artefact("player", "cover-offline.png")))
    context.close()
