"""The trail's cover in the studio: choose a picture, see it, replace it, remove it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from tests.studio.conftest import Studio, shot
from tests.support.studio_pages import desktop, sign_in


def test_choose_replace_and_remove_the_cover(studio: Studio, chromium: Any, tmp_path: Path) -> None:
    headers = studio.api("editor")
    url = f"{studio.url}/v1/orgs/mill/trails"
    trail = httpx.post(
        url,
        json={"slug": "cover-walk", "title": {"fr": "Couverture"}, "languages": ["fr"]},
        headers=headers,
    ).json()
    picture = tmp_path / "mill.png"
    Image.new("RGB", (320, 200), (30, 90, 160)).save(picture)
    context = desktop(chromium, studio.url, lang="fr")
    page = context.new_page()
    sign_in(page, "editor")
    page.goto(f"/studio/trails/{trail['id']}/details")
    page.wait_for_selector("#trail-cover >> text=Pas encore de couverture.")
    assert not page.locator("#cover-remove").is_visible()
    page.set_input_files("#cover-file", str(picture))
    page.wait_for_selector("#cover-image")
    page.locator("#trail-cover").scroll_into_view_if_needed()
    shot(page, "details-cover-fr")
    saved = httpx.get(f"{url}/{trail['id']}", headers=headers).json()
    assert saved["cover_sha256"]
    stored = httpx.get(f"{url}/{trail['id']}/cover", headers=headers).content
    assert Image.open(io.BytesIO(stored)).size == (320, 200)

    # The details form took the new ETag: saving it after the cover is not a conflict.
    page.fill("textarea[name=description-fr]", "Avec une image.")
    page.click("#trail-details button[type=submit]")
    done = page.wait_for_selector("#toast.shown, #trail-details [role=alert]")
    assert done.get_attribute("role") != "alert", done.inner_text()

    not_image = tmp_path / "notes.png"
    not_image.write_text("not a picture")
    page.set_input_files("#cover-file", str(not_image))
    page.wait_for_selector("#trail-cover [role=alert]")

    page.click("#cover-remove")
    page.wait_for_selector("#trail-cover >> text=Pas encore de couverture.")
    assert httpx.get(f"{url}/{trail['id']}", headers=headers).json()["cover_sha256"] is None
    context.close()
