"""The player pins its server's keys on first use, follows a rotation the server endorsed,
and refuses, in words, a key list that a pinned key does not endorse."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.publishing import publish
from tests.player.conftest import DEMO_SLUG, Site, demo_site
from tests.support.browser import artefact, phone_context


@pytest.fixture(scope="module")
def own_site(
    player_built: Path, spatialite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """A server of its own: these tests rotate and replace its keys."""
    with demo_site(tmp_path_factory.mktemp("pinning-site"), spatialite_template) as running:
        yield running


def state(page: Any) -> dict[str, Any]:
    return json.loads(page.locator("#player-state").text_content() or "{}")


def pinned_ids(page: Any) -> list[str]:
    return list(
        page.evaluate(
            "async () => { const hit = await (await caches.open('baladeur-trails'))"
            ".match('/play/_store/keys.json'); return hit ? (await hit.json()).keys.map(k => k.id)"
            " : []; }"
        )
    )


def wait_release(page: Any, release: int) -> None:
    page.wait_for_function(
        "r => JSON.parse(document.querySelector('#player-state').textContent).release === r",
        arg=release,
        timeout=30_000,
    )


def test_pins_follow_an_endorsed_rotation_and_refuse_a_replaced_key(
    own_site: Site, chromium: Any
) -> None:
    site = own_site
    first_key = site.keys.current().id
    context = phone_context(chromium, site.url)
    page = context.new_page()
    page.goto(f"/play/{DEMO_SLUG}")
    page.click("#download")
    page.wait_for_selector("#start-walk", timeout=30_000)
    assert pinned_ids(page) == [first_key]  # first visit: pinned
    release = state(page)["release"]
    page.screenshot(path=str(artefact("player", "keys-1-pinned.png")))

    # A rotation done properly: the old key endorses the new one, which signs a new release.
    second_key = site.keys.rotate().id
    publish(site.db, site.blobs, site.keys, DEMO_SLUG, publisher="demo")
    assert site.manifest()["key_id"] == second_key
    page.reload()
    page.click("#update")
    wait_release(page, release + 1)
    assert pinned_ids(page) == [first_key, second_key]
    # And a whole download of the new release verifies too.
    page.click("#remove")
    page.wait_for_selector("#download")
    page.click("#download")
    page.wait_for_selector("#start-walk", timeout=30_000)
    assert state(page)["verified"] is True and state(page)["release"] == release + 1

    # The server's keys are replaced (a reset or a compromise): a fresh, unendorsed key.
    for path in site.keys.directory.iterdir():
        if path.is_file():
            path.unlink()
    stranger = site.keys.current().id
    publish(site.db, site.blobs, site.keys, DEMO_SLUG, publisher="demo")
    assert site.manifest()["key_id"] == stranger not in (first_key, second_key)
    page.reload()
    page.click("#update")
    page.wait_for_function(
        "() => JSON.parse(document.querySelector('#player-state').textContent).error"
    )
    assert state(page)["error"]["code"] == "keys-not-endorsed"
    assert state(page)["release"] == release + 1  # the stored release stays as it was
    assert pinned_ids(page) == [first_key, second_key]

    # A fresh download is refused before anything is fetched, with the reason on the page.
    page.click("#remove")
    page.wait_for_selector("#download")
    page.reload()  # no toast left over the message in the screenshot
    requests: list[str] = []
    page.wait_for_selector("#download")
    page.on("request", lambda r: requests.append(f"{r.headers.get('range')} {r.url}"))
    page.click("#download")
    page.wait_for_selector("#status.error", timeout=30_000)
    text = page.locator("#status").text_content() or ""
    assert "clés de signature de ce serveur ont changé" in text and "keys-not-endorsed" in text
    # (the page asks for one byte of the bundle to learn its size; a download asks for more)
    assert not [u for u in requests if "/bundle" in u and not u.startswith("bytes=0-0 ")]
    assert state(page)["error"]["code"] == "keys-not-endorsed"
    page.locator("#status").scroll_into_view_if_needed()
    page.screenshot(path=str(artefact("player", "keys-2-refused-fr.png")))

    page.evaluate("localStorage.setItem('baladeur.lang', 'en')")
    page.reload()
    page.click("#download")
    page.wait_for_selector("#status.error", timeout=30_000)
    text = page.locator("#status").text_content() or ""
    assert "signing keys changed without being vouched for" in text
    page.locator("#status").scroll_into_view_if_needed()
    page.screenshot(path=str(artefact("player", "keys-3-refused-en.png")))
    context.close()
