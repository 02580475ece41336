"""The conflict flow in a real browser: two pages edit one stop; the second keeps its text."""

from __future__ import annotations

from typing import Any

import httpx

from tests.studio.conftest import Studio, shot
from tests.support.drafts import trail_with_stop
from tests.support.studio_pages import desktop, sign_in


def test_second_save_shows_the_conflict_and_keeps_the_typed_text(
    studio: Studio, chromium: Any
) -> None:
    headers = studio.api("editor")
    with httpx.Client(base_url=studio.url) as api:
        trail, stop = trail_with_stop(
            api,
            headers,
            slug="conflict-walk",
            trail_title="Conflit",
            key="pont",
            title="Le pont",
        )
    stops_url = f"{studio.url}/v1/orgs/mill/trails/{trail['id']}/stops/{stop['id']}"

    pages = []
    for who in ("editor", "editor2"):
        context = desktop(chromium, studio.url)
        page = context.new_page()
        sign_in(page, who)
        page.goto(f"/studio/trails/{trail['id']}")
        page.click("#stop-list li[data-key=pont] .stop-name")
        page.wait_for_selector("#stop-form input[name=stop-title-fr]")
        pages.append(page)
    first, second = pages

    first.fill("input[name=stop-title-fr]", "Le pont levant")
    first.click("#save-stop")
    first.wait_for_selector("#stop-list li[data-key=pont] >> text=Le pont levant")

    typed = "Le vieux pont de pierre"
    second.fill("input[name=stop-title-fr]", typed)
    second.fill("input[name=radius]", "40")
    second.dispatch_event("input[name=radius]", "change")
    second.click("#save-stop")
    second.wait_for_selector(".alert.conflict")
    assert second.input_value("input[name=stop-title-fr]") == typed
    shot(second, "6-conflict")

    # Nothing of the second page was written.
    assert httpx.get(stops_url, headers=headers).json()["title"] == {"fr": "Le pont levant"}

    second.click("#conflict-reload")
    second.wait_for_selector(".alert.info")
    assert second.input_value("input[name=stop-title-fr]") == typed
    assert second.input_value("input[name=radius]") == "40"
    second.click("#save-stop")
    second.wait_for_selector("#stop-list li[data-key=pont] >> text=" + typed)
    saved = httpx.get(stops_url, headers=headers).json()
    assert saved["title"] == {"fr": typed}
    assert saved["zone"]["radius_m"] == 40
    for page in pages:
        page.context.close()
