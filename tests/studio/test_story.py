"""A stop's story in a real browser: transcript, credits and consent; a bad transcript explained."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.studio.conftest import Studio, open_story, shot, story_on_a_stop
from tests.support.audio import ffmpeg_make, tone

VTT = "WEBVTT\n\n00:00.000 --> 00:02.000\nIci tournait la roue du moulin."


def test_transcript_credits_and_consent(studio: Studio, chromium: Any, tmp_path: Path) -> None:
    headers = studio.api("editor")
    base = f"{studio.url}/v1/orgs/mill"
    wav = ffmpeg_make(tmp_path / "roue.wav", *tone(2, rate=22050, freq=520))
    asset, story, trail = story_on_a_stop(
        studio, wav, slug="story-walk", key="roue", title="La roue"
    )
    context, page = open_story(chromium, studio, trail["id"], "roue")

    # A transcript without its header is refused with the server's own sentence.
    page.fill("textarea[name=vtt-fr]", "00:00.000 --> 00:02.000\nsans en-tête")
    page.click("#save-story")
    alert = page.locator("#story-form [role=alert]")
    alert.wait_for()
    assert "WEBVTT" in alert.inner_text()

    page.fill("textarea[name=vtt-fr]", VTT)
    page.fill("textarea[name=credits]", "Marie Dupont — voix\nLéon Martin — prise de son")
    page.click("#save-story")
    page.wait_for_selector("#toast.shown")

    page.fill("input[name=consent-person]", "Marie Dupont")
    page.click(".consent-form button[type=submit]")
    page.wait_for_selector(".consents li >> text=Marie Dupont")
    page.locator("#story").scroll_into_view_if_needed()
    shot(page, "10-story-fr")
    context.close()

    saved = httpx.get(f"{base}/stories/{story['id']}", headers=headers).json()
    assert saved["versions"][0]["transcript_vtt"] == VTT
    assert saved["versions"][0]["audio_asset_id"] == asset["id"]
    assert saved["credits"] == [
        {"name": "Marie Dupont", "role": "voix"},
        {"name": "Léon Martin", "role": "prise de son"},
    ]
    consents = httpx.get(f"{base}/stories/{story['id']}/consents", headers=headers).json()
    items = consents["items"] if isinstance(consents, dict) else consents
    assert [c["person"] for c in items] == ["Marie Dupont"]
    assert items[0]["publication"] is True
