"""The trail list never sends the visitor's position: it sorts by distance on the phone."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.player.conftest import Site
from tests.support.browser import artefact, phone_context
from tests.support.factories import add_trail, trail_source

HERE = {"latitude": 50.3801, "longitude": 4.4502, "accuracy": 20}


def test_sorting_by_distance_happens_on_the_phone(site: Site, chromium: Any) -> None:
    add_trail(
        site.db,
        trail_source("pres-de-chez-vous", 50.3803, 4.4505),
        blobs=site.blobs,
        keys=site.keys,
    )
    context = phone_context(chromium, site.url, geolocation=HERE)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto("/play")
    page.wait_for_selector("#trail-list a[data-slug=pres-de-chez-vous]")
    page.click("#sort-near")
    page.wait_for_function("() => document.querySelector('#trail-list .badge:not(.ok)')")
    order = page.eval_on_selector_all("#trail-list a", "links => links.map(a => a.dataset.slug)")
    assert order[0] == "pres-de-chez-vous"
    assert "moulin-de-marchienne" in order
    nearest = page.locator("#trail-list a").first.text_content() or ""
    # Its distance, computed on the phone (Intl puts a narrow no-break space before the unit).
    assert re.search(r"\d[\s\u202f]m\b", nearest), nearest
    # The list as the catalogue's answer fills it (served without a model per trail).
    page.screenshot(path=artefact("player", "catalogue-sorted-near.png"))
    for url in requests:
        query = parse_qs(urlsplit(url).query)
        assert not {"near", "bbox", "radius_m", "lat", "lon"} & set(query), url
        assert "50.38" not in url and "4.45" not in url, url
    context.close()
