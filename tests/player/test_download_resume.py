"""A download cut short resumes on the next visit; a full phone keeps nothing half-stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.player.conftest import Site
from tests.player.field import SLUG, T0, cut_once_read, state, until
from tests.player.test_update import _republish_with_a_new_transcript
from tests.support.browser import artefact, phone_context

# The storage refusing to grow, as a browser does when the site's share is used up: thrown by
# Cache Storage itself (the page has no hook for it) for media files and download pieces.
FULL_PHONE = """
(() => {
  const put = Cache.prototype.put;
  Cache.prototype.put = function (request, response) {
    const url = typeof request === 'string' ? request : request.url;
    if (window.__full && (url.includes('/_store/media/') || url.includes('/_partial/'))) {
      return Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
    }
    return put.call(this, request, response);
  };
})();
"""

KEPT = """async () => {
  const cache = await caches.open('baladeur-partial');
  const hit = (await cache.keys()).find(r => r.url.endsWith('/meta.json'));
  return hit ? (await cache.match(hit)).json() : null;
}"""

STORED = """async () => {
  const paths = async (name) =>
    (await (await caches.open(name)).keys()).map(r => new URL(r.url).pathname);
  return {trails: await paths('baladeur-trails'), partial: await paths('baladeur-partial')};
}"""


def test_a_download_cut_at_40_percent_resumes_after_a_reload(site: Site, chromium: Any) -> None:
    bundle = site.current()
    context = phone_context(chromium, site.url)
    page = context.new_page()
    page.clock.install(time=T0)
    page.goto(f"/play/{SLUG}")
    until(page, "s.offlineReady")
    page.wait_for_selector("#download")  # the size probe (a Range request) is done
    # No retry within this visit: the page's clock stands still, so its back-off never ends.
    page.clock.pause_at(T0 + 10)
    cut = bundle.bundle_bytes * 4 // 10
    site.network.requests.clear()
    site.network.dropped = 0
    site.network.arm(after=cut, hold=True)
    page.click("#download")
    cut_once_read(page, site.network, bundle.bundle_bytes, cut)
    # Everything the page read before the cut is kept: the last piece is written after it.
    kept = page.evaluate(KEPT)
    for _ in range(100):
        if kept and kept["received"] == cut:
            break
        page.wait_for_timeout(50)
        kept = page.evaluate(KEPT)
    assert kept["received"] == cut, state(page)
    assert kept["total"] == bundle.bundle_bytes

    bundle_requests: list[dict[str, str]] = []
    page.on("request", lambda r: bundle_requests.append(r.headers) if "/bundle" in r.url else None)
    page.reload()
    page.clock.resume()
    page.wait_for_selector("#download")
    assert "Reprendre" in page.locator("#download").inner_text()
    page.screenshot(path=str(artefact("player", "14-download-resume.png")))
    page.click("#download")
    page.wait_for_selector("#start-walk", timeout=30_000)
    got = state(page)
    assert got["verified"] is True and got["stored"] is True
    assert got["resumedFrom"] == kept["received"]
    # The next visit asked for the rest only, if the file had not changed.
    first = next(h for h in bundle_requests if "if-range" in h)  # not the size probe
    assert first["range"] == f"bytes={kept['received']}-"
    assert first["if-range"] == kept["etag"]
    assert page.evaluate(STORED)["partial"] == []  # done: nothing left over
    context.close()


def test_a_full_phone_keeps_nothing_and_says_so(site: Site, chromium: Any, tmp_path: Path) -> None:
    context = phone_context(chromium, site.url)
    context.add_init_script(FULL_PHONE)
    page = context.new_page()
    page.goto(f"/play/{SLUG}")
    page.wait_for_selector("#download")
    page.evaluate("() => { window.__full = true; }")
    page.click("#download")
    until(page, "s.error && s.error.code === 'quota-exceeded'", timeout=30_000)
    assert "Pas assez de place" in page.locator("#status").inner_text()
    page.screenshot(path=str(artefact("player", "15-storage-full.png")))
    left = page.evaluate(STORED)
    assert [p for p in left["trails"] if not p.endswith("keys.json")] == []
    assert left["partial"] == []

    # A stored trail whose update does not fit stays as it was, and plays.
    page.evaluate("() => { window.__full = false; }")
    page.click("#download")
    page.wait_for_selector("#start-walk", timeout=30_000)
    before = state(page)["release"]
    _republish_with_a_new_transcript(site, tmp_path, "Salut")  # not the update test's change
    page.reload()
    page.wait_for_selector("#update")
    page.evaluate("() => { window.__full = true; }")
    page.click("#update")
    until(page, "s.error && s.error.code === 'quota-exceeded'", timeout=30_000)
    page.reload()
    page.wait_for_selector("#start-walk")
    assert state(page)["release"] == before
    media = page.evaluate(STORED)["trails"]
    record = page.evaluate(
        "async (url) => (await (await caches.open('baladeur-trails')).match(url)).json()",
        f"/play/_store/trails/{SLUG}/record.json",
    )
    assert sorted(p.rsplit("/", 1)[1] for p in media if "/media/" in p) == sorted(
        r["sha256"] for r in record["media"]
    )
    page.click("#from-home")
    page.locator("[data-play]").first.click()
    until(page, "s.playing !== null")
    context.close()
