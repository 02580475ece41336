"""A stored trail updates to a new release by downloading only the media that changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import select

from media.limits import MediaLimits
from server.accounts import get_or_create_organisation
from server.db.models import Asset, AssetStatus
from server.folder_media import MediaContext
from server.ingest import process_many
from server.publishing import publish
from server.source_import import import_source
from tests.player.conftest import DEMO, DEMO_SLUG, Site
from tests.support.browser import artefact, phone_context
from trails.source import load_source


def state(page: Any) -> dict[str, Any]:
    return json.loads(page.locator("#player-state").text_content() or "{}")


def _republish_with_a_new_transcript(site: Site, tmp_path: Path, word: str = "Bonjour") -> None:
    folder = tmp_path / "demo"
    shutil.copytree(DEMO, folder)
    vtt = folder / "media" / "moulin.fr.vtt"
    vtt.write_text(vtt.read_text(encoding="utf-8").replace("Bienvenue", word), "utf-8")
    loaded = load_source(folder)
    with site.db.transaction() as session:
        org = get_or_create_organisation(session, "demo")
        import_source(session, loaded, org, "update", MediaContext(site.blobs, MediaLimits()))
        pending = list(session.scalars(select(Asset.id).where(Asset.status == AssetStatus.pending)))
    process_many(site.db, site.blobs, pending, limits=MediaLimits())
    publish(site.db, site.blobs, site.keys, DEMO_SLUG, publisher="demo")


def test_an_update_downloads_only_the_changed_media(
    site: Site, chromium: Any, tmp_path: Path
) -> None:
    context = phone_context(chromium, site.url)
    page = context.new_page()
    page.goto(f"/play/{DEMO_SLUG}")
    page.click("#download")
    page.wait_for_selector("#start-walk", timeout=30_000)
    before = state(page)["release"]
    old_media = {row["sha256"] for row in site.manifest()["media"]}

    _republish_with_a_new_transcript(site, tmp_path)
    new_media = {row["sha256"] for row in site.manifest()["media"]}
    changed = new_media - old_media
    assert len(changed) == 1

    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.reload()
    page.wait_for_selector("#update")
    assert "ko" in (page.locator("#update").text_content() or "")  # French units
    page.click("#update")
    page.wait_for_function(
        f"() => JSON.parse(document.querySelector('#player-state')"
        f".textContent).release === {before + 1}"
    )
    fetched = [u for u in requests if "/v1/media/" in u]
    assert [u.rsplit("/", 1)[1].split(".")[0] for u in fetched] == sorted(changed)
    assert not [u for u in requests if "/bundle" in u and "Range" not in u and "/v1/bundles/" in u]
    stored = page.evaluate(
        "async () => (await (await caches.open('baladeur-trails')).keys())"
        ".map(r => new URL(r.url).pathname).filter(p => p.includes('/media/'))"
        ".map(p => p.split('/').pop()).sort()"
    )
    assert stored == sorted(new_media)  # the replaced transcript was dropped
    assert page.locator("#start-walk").is_visible()
    context.close()


# The size as the page must show it: Intl in the page's language, kilobytes under a megabyte.
INTL_SIZE = """([n, lang]) => n < 1e6
  ? new Intl.NumberFormat(lang, {style: 'unit', unit: 'kilobyte', unitDisplay: 'short'})
      .format(Math.round(n / 1000))
  : new Intl.NumberFormat(lang, {style: 'unit', unit: 'megabyte', unitDisplay: 'short',
      maximumFractionDigits: 1}).format(n / 1e6)"""


def test_sizes_refresh_after_an_update(site: Site, chromium: Any, tmp_path: Path) -> None:
    context = phone_context(chromium, site.url, locale="en-GB")
    page = context.new_page()
    page.goto(f"/play/{DEMO_SLUG}")
    page.click("#download")
    page.wait_for_selector("#start-walk", timeout=30_000)
    before = state(page)
    # A longer transcript: the new release is a few hundred bytes larger.
    _republish_with_a_new_transcript(site, tmp_path, "Welcome, " * 600)
    manifest = site.current()
    new = json.loads(manifest.manifest_bytes)
    size = len(manifest.manifest_bytes) + sum(row["bytes"] for row in new["media"])
    shown = page.evaluate(INTL_SIZE, [size, "en"])
    assert shown.endswith((" kB", " MB"))  # English units (French would say ko / Mo)

    page.reload()
    page.click("#update")
    page.wait_for_function(
        f"() => JSON.parse(document.querySelector('#player-state')"
        f".textContent).release === {before['release'] + 1}"
    )
    page.wait_for_selector("#start-walk")
    assert state(page)["size"] == size != before["size"]
    assert shown in (page.locator("#fact-size").text_content() or "")
    page.screenshot(path=str(artefact("player", "size-after-update.png")))

    page.goto("/play")
    page.wait_for_selector("#trail-list a")
    assert (page.locator("#storage").text_content() or "").endswith(shown)
    context.close()
