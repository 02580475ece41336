"""A mediator typing Arabic into a French studio: the fields of the Arabic content (trail title
and description, stop title, transcript) read right to left, the French ones and the interface
left to right, and what was typed is what is saved. An Arabic trail's titles, shown in the
trail list, the trail's header and its stop list, read right to left too.

Screenshots: test-artefacts/studio/rtl-{details,stop,trail-list,header-and-stops}.png.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.studio.conftest import Studio, shot
from tests.support.audio import ffmpeg_make, tone
from tests.support.drafts import add_stop
from tests.support.studio_pages import desktop, sign_in

TITLE_AR = "طاحونة مارشيين"
DESCRIPTION_AR = "مسار حول الطاحونة القديمة."
STOP_AR = "عند الطاحونة"
# Timings and Arabic text in one transcript (ruff takes the mix for look-alike letters).
VTT_AR = "WEBVTT\n\n00:00.000 --> 00:02.000\nمرحبا بكم عند الطاحونة القديمة."  # noqa: RUF001


def _direction(page: Any, selector: str) -> str:
    return str(page.eval_on_selector(selector, "(e) => getComputedStyle(e).direction"))


def _field(page: Any, selector: str) -> tuple[str, str, str]:
    """A control's language, direction attribute and computed direction."""
    found = page.eval_on_selector(selector, "(e) => [e.lang, e.dir, getComputedStyle(e).direction]")
    return (str(found[0]), str(found[1]), str(found[2]))


def test_a_mediator_types_arabic_content_in_a_french_studio(
    studio: Studio, chromium: Any, tmp_path: Path
) -> None:
    headers = studio.api("editor")
    base = f"{studio.url}/v1/orgs/mill"
    wav = ffmpeg_make(tmp_path / "bab.wav", *tone(2, rate=22050, freq=440))
    with httpx.Client(base_url=studio.url, timeout=60) as api:
        trail = api.post(
            "/v1/orgs/mill/trails",
            json={"slug": "tahuna-studio", "title": {"fr": "Moulin"}, "languages": ["fr", "ar"]},
            headers=headers,
        ).json()
        with wav.open("rb") as fh:
            asset = api.post(
                "/v1/orgs/mill/assets", files={"file": (wav.name, fh, "audio/wav")}, headers=headers
            ).json()
        story = api.post(
            "/v1/orgs/mill/stories",
            json={"title": "La porte", "versions": {"ar": {"audio_asset_id": asset["id"]}}},
            headers=headers,
        ).json()
        add_stop(api, headers, trail["id"], "bab", title="La porte", story_id=story["id"])

    context = desktop(chromium, studio.url, lang="fr")
    page = context.new_page()
    sign_in(page, "editor")
    page.goto(f"/studio/trails/{trail['id']}/details")
    page.wait_for_selector("input[name=title-ar]")
    assert _field(page, "input[name=title-ar]") == ("ar", "rtl", "rtl")
    assert _field(page, "textarea[name=description-ar]") == ("ar", "rtl", "rtl")
    assert _field(page, "input[name=title-fr]") == ("fr", "ltr", "ltr")
    # The interface around the fields is French, left to right.
    assert page.evaluate("() => document.documentElement.lang") == "fr"
    assert _direction(page, "#trail-details h2") == "ltr"
    assert (
        _direction(page, "label[for=" + page.get_attribute("input[name=title-ar]", "id") + "]")
        == "ltr"
    )

    # Typed key by key, as a mediator would.
    page.locator("input[name=title-ar]").press_sequentially(TITLE_AR)
    page.locator("textarea[name=description-ar]").press_sequentially(DESCRIPTION_AR)
    assert page.input_value("input[name=title-ar]") == TITLE_AR
    page.click("#trail-details button[type=submit]")
    done = page.wait_for_selector("#toast.shown, #trail-details [role=alert]")
    assert done.get_attribute("role") != "alert", done.inner_text()
    page.locator("input[name=title-ar]").scroll_into_view_if_needed()
    shot(page, "rtl-details")
    saved = httpx.get(f"{base}/trails/{trail['id']}", headers=headers).json()
    assert saved["title"] == {"fr": "Moulin", "ar": TITLE_AR}
    assert saved["description"] == {"ar": DESCRIPTION_AR}
    # The header, drawn again with the saved titles, still shows the French one, left to right.
    assert _field(page, "#trail-title") == ("fr", "ltr", "ltr")

    page.goto(f"/studio/trails/{trail['id']}")
    page.click("#stop-list li[data-key=bab] .stop-name")
    page.wait_for_selector("#stop-form input[name=stop-title-ar]")
    assert _field(page, "input[name=stop-title-ar]") == ("ar", "rtl", "rtl")
    assert _field(page, "input[name=stop-title-fr]") == ("fr", "ltr", "ltr")
    page.locator("input[name=stop-title-ar]").press_sequentially(STOP_AR)
    page.click("#save-stop")
    page.wait_for_selector("#toast.shown")
    page.wait_for_selector("#toast.shown", state="detached", timeout=10_000)
    page.wait_for_selector("#story-form textarea[name=vtt-ar]")
    assert _field(page, "textarea[name=vtt-ar]") == ("ar", "rtl", "rtl")
    assert _field(page, "textarea[name=vtt-fr]") == ("fr", "ltr", "ltr")
    # Each line of a transcript takes its own direction: the timings stay left to right.
    assert (
        page.eval_on_selector("textarea[name=vtt-ar]", "(e) => getComputedStyle(e).unicodeBidi")
        == "plaintext"
    )
    page.fill("textarea[name=vtt-ar]", VTT_AR)
    page.click("#save-story")
    page.wait_for_selector("#toast.shown")
    page.locator("textarea[name=vtt-ar]").scroll_into_view_if_needed()
    shot(page, "rtl-stop")
    context.close()

    with httpx.Client(base_url=studio.url, timeout=60) as api:
        stops = api.get(f"/v1/orgs/mill/trails/{trail['id']}/stops", headers=headers).json()
        items = stops["items"] if isinstance(stops, dict) else stops
        assert items[0]["title"] == {"fr": "La porte", "ar": STOP_AR}
        saved_story = api.get(f"/v1/orgs/mill/stories/{story['id']}", headers=headers).json()
    version = next(v for v in saved_story["versions"] if v["language"] == "ar")
    assert version["transcript_vtt"] == VTT_AR


def test_an_arabic_trails_titles_read_right_to_left_in_a_french_studio(
    studio: Studio, chromium: Any
) -> None:
    headers = studio.api("editor")
    with httpx.Client(base_url=studio.url, timeout=60) as api:
        made = api.post(
            "/v1/orgs/mill/trails",
            json={"slug": "tahuna-ar", "title": {"ar": TITLE_AR}, "languages": ["ar"]},
            headers=headers,
        )
        assert made.status_code == 201, made.text
        trail = made.json()
        for key, title in [("bab", {"ar": STOP_AR}), ("gate", {"fr": "La grille"})]:
            stop = {
                "key": key,
                "title": title,
                "zone": {"type": "circle", "center": [4.395, 50.4036], "radius_m": 25},
                "silent": True,
            }
            added = api.post(
                f"/v1/orgs/mill/trails/{trail['id']}/stops", json=stop, headers=headers
            )
            assert added.status_code == 201, added.text

    context = desktop(chromium, studio.url, lang="fr")
    page = context.new_page()
    sign_in(page, "editor")
    listed = f"#trail-list a.trail-title[href='/studio/trails/{trail['id']}']"
    page.wait_for_selector(listed)
    assert _field(page, listed) == ("ar", "rtl", "rtl")
    assert page.inner_text(listed) == TITLE_AR
    page.locator(listed).scroll_into_view_if_needed()
    shot(page, "rtl-trail-list")

    page.click(listed)
    page.wait_for_selector("#stop-list li[data-key=bab]")
    assert _field(page, "#trail-title") == ("ar", "rtl", "rtl")
    assert page.inner_text("#trail-title") == TITLE_AR
    arabic = "#stop-list li[data-key=bab] .stop-name > span[lang]"
    assert _field(page, arabic) == ("ar", "rtl", "rtl")
    assert page.inner_text(arabic) == STOP_AR
    # A stop titled in French only keeps French and left to right; the interface around the
    # titles (the back link, the tabs, the list's heading) stays French, left to right.
    assert _field(page, "#stop-list li[data-key=gate] .stop-name > span[lang]") == (
        "fr",
        "ltr",
        "ltr",
    )
    assert _direction(page, ".trail-head .back") == "ltr"
    assert _direction(page, "#tab-map") == "ltr"
    assert _direction(page, "#stop-list") == "ltr"
    shot(page, "rtl-header-and-stops")
    context.close()
