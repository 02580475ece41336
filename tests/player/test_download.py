"""Download for offline: resuming after a dropped connection, refusing a tampered bundle."""

from __future__ import annotations

import json
import struct
import zipfile
from collections.abc import Iterator
from io import BytesIO
from typing import Any

import pytest

from tests.player.conftest import Site
from tests.player.field import cut_once_read
from tests.support.browser import artefact, phone_context
from trails.storage_names import bundle_key

SLUG = "moulin-de-marchienne"


def state(page: Any) -> dict[str, Any]:
    return json.loads(page.locator("#player-state").text_content() or "{}")


@pytest.fixture
def page(site: Site, chromium: Any) -> Iterator[Any]:
    context = phone_context(chromium, site.url)
    page = context.new_page()
    page.goto(f"/play/{SLUG}")
    page.wait_for_selector("#download")
    yield page
    context.close()


def test_an_interrupted_download_resumes_and_ends_verified(site: Site, page: Any) -> None:
    site.network.requests.clear()
    site.network.dropped = 0
    site.network.arm(after=150_000, hold=True)
    page.click("#download")
    cut_once_read(page, site.network, site.current().bundle_bytes, 150_000)
    page.wait_for_selector("#start-walk", timeout=30_000)
    got = state(page)
    assert got["verified"] is True and got["stored"] is True
    assert got["resumes"] == 1
    assert site.network.dropped == 1
    ranges = [r for _, r in site.network.requests]
    assert ranges[0] is None  # the first request asks for everything
    assert ranges[1] is not None and ranges[1].startswith("bytes=")
    resumed_from = int(ranges[1].removeprefix("bytes=").rstrip("-"))
    assert resumed_from == 150_000  # all the page read before the cut was kept
    # What the page stored is the published bytes: the manifest it kept is the signed one.
    stored = page.evaluate(
        "async () => new Uint8Array(await (await (await caches.open('baladeur-trails'))"
        f".match('/play/_store/trails/{SLUG}/manifest.json')).arrayBuffer()).length"
    )
    assert stored == len(site.current().manifest_bytes)


def _flip_media_byte(body: bytes) -> bytes:
    with zipfile.ZipFile(BytesIO(body)) as zf:
        entry = next(i for i in zf.infolist() if i.filename.startswith("media/"))
    name_len, extra_len = struct.unpack(
        "<HH", body[entry.header_offset + 26 : entry.header_offset + 30]
    )
    at = entry.header_offset + 30 + name_len + extra_len + entry.file_size // 2
    return body[:at] + bytes([body[at] ^ 0xFF]) + body[at + 1 :]


def test_a_tampered_bundle_is_refused_with_a_clear_message(site: Site, page: Any) -> None:
    key = bundle_key(site.current().bundle_sha256)
    original = b"".join(site.blobs.open(key))
    site.blobs.put(key, [_flip_media_byte(original)], content_type="application/zip")
    try:
        page.click("#download")
        page.wait_for_selector("#status.error", timeout=30_000)
    finally:
        site.blobs.put(key, [original], content_type="application/zip")
    got = state(page)
    assert got["error"]["code"] == "hash-mismatch"
    assert got["stored"] is False
    message = page.locator("#status").text_content() or ""
    assert "refusé" in message and "hash-mismatch" in message
    page.screenshot(path=str(artefact("player", "8-refused.png")))
    page.reload()
    page.wait_for_selector("#download")  # nothing was kept
    assert state(page)["stored"] is False


def test_a_stored_trail_shows_its_storage_and_can_be_removed(page: Any) -> None:
    page.click("#download")
    page.wait_for_selector("#remove", timeout=30_000)
    used = page.locator("#storage").text_content() or ""
    # In the visitor's language (the phone is set to French): kilo-octets, not kilobytes.
    assert ("ko" in used or "Mo" in used) and "kB" not in used and "MB" not in used
    page.click("#remove")
    page.wait_for_selector("#download")
    assert state(page)["stored"] is False
    left = page.evaluate(
        "async () => (await (await caches.open('baladeur-trails')).keys())"
        ".map(r => new URL(r.url).pathname).filter(p => !p.endsWith('keys.json'))"
    )
    assert left == []
