"""Audience figures on a trail's Publish tab, in a real browser: a bundle downloaded whole
shows as a bar of today, the total is said in words, and the CSV link gives the same days."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import httpx

from tests.studio.conftest import Studio
from tests.support.browser import artefact
from tests.support.studio_pages import desktop, sign_in


def test_the_chart_and_csv_show_completed_downloads(studio: Studio, chromium: Any) -> None:
    headers = studio.api("editor")
    base = f"{studio.url}/v1/orgs/mill/trails"
    trail = httpx.post(
        base,
        json={"slug": "audience-walk", "title": {"fr": "Public"}, "languages": ["fr"]},
        headers=headers,
    ).json()
    httpx.post(
        f"{base}/{trail['id']}/stops",
        json={
            "key": "porte",
            "title": {"fr": "Porte"},
            "zone": {"type": "circle", "center": [4.395, 50.4036], "radius_m": 20},
            "silent": True,
        },
        headers=headers,
    ).raise_for_status()
    httpx.post(f"{base}/{trail['id']}/releases", json={}, headers=headers).raise_for_status()
    # Two whole downloads and one that stops halfway: two count.
    bundle = f"{studio.url}/v1/trails/audience-walk/bundle"
    for _ in range(2):
        assert len(httpx.get(bundle, follow_redirects=True).content) > 100
    half = httpx.get(bundle, follow_redirects=True, headers={"Range": "bytes=0-49"})
    assert half.status_code == 206

    context = desktop(chromium, studio.url, lang="en")
    page = context.new_page()
    sign_in(page, "editor")
    page.goto(f"/studio/trails/{trail['id']}/publish")
    page.wait_for_selector("#audience-chart")
    today = datetime.now(UTC).date().isoformat()
    bar = page.locator(f"#audience-chart rect.bar[data-day='{today}']")
    assert bar.get_attribute("data-downloads") == "2"
    assert page.locator("#audience-chart rect.bar").count() == 30
    # The range is written once, its shared month and year not repeated: "5 Nov - 4 Dec 2026".
    total = page.inner_text("#audience-total")
    assert total.endswith(f" {datetime.now(UTC).year}: 2 complete downloads."), total
    assert "no address, no browser, no identifier, no position" in page.inner_text("#audience")
    page.locator("#audience").scroll_into_view_if_needed()
    page.screenshot(path=str(artefact("studio", "ambience", "audience-chart.png")))

    # The CSV link: the same range, a header row and ISO dates.
    href = page.get_attribute("#audience-csv", "href")
    answer = page.request.get(href)
    assert answer.status == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.text())))
    assert rows[0] == ["day", "downloads"] and len(rows) == 31
    assert rows[-1] == [today, "2"]

    # Another range: one day only, nothing on it.
    page.fill("#audience-from", "2026-01-01")
    page.fill("#audience-to", "2026-01-01")
    page.click("#audience-show")
    page.wait_for_selector("#audience-total >> text=No complete download in these days.")
    assert page.locator("#audience-chart rect.bar").count() == 1
    assert "from=2026-01-01&to=2026-01-01" in (page.get_attribute("#audience-csv", "href") or "")
    context.close()
