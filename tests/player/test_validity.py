"""A stored trail past its validity window is not offered for play (the phone's clock decides)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from tests.player.conftest import Site
from tests.support.browser import phone_context
from tests.support.factories import add_trail, trail_source


def test_an_expired_trail_is_not_offered_for_play(site: Site, chromium: Any) -> None:
    source = trail_source("festival-2030", 50.39, 4.39, valid_until="2030-06-01T00:00:00Z")
    add_trail(site.db, source, blobs=site.blobs, keys=site.keys)
    context = phone_context(chromium, site.url)
    page = context.new_page()
    # The phone lives after the festival; the server (and the download) still in the present.
    page.clock.install(time=datetime(2030, 7, 1, tzinfo=UTC))
    page.goto("/play/festival-2030")
    page.click("#download")
    page.wait_for_selector("#status.error")
    assert json.loads(page.locator("#player-state").text_content() or "{}")["stored"] is True
    assert "plus disponible" in (page.locator("#status").text_content() or "")
    assert page.locator("#start-walk").count() == 0
    assert page.locator("#from-home").count() == 0
    assert page.locator("#remove").is_visible()
    context.close()
