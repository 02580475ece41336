"""A stop's story in a real browser: transcript, credits and consent; a bad transcript explained."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.studio.conftest import Studio, desktop, shot, sign_in
from tests.support.audio import ffmpeg_make, tone

VTT = "WEBVTT\n\n00:00.000 --> 00:02.000\nIci tournait la roue du moulin."


def test_transcript_credits_and_consent(studio: Studio, chromium: Any, tmp_path: Path) -> None:
    headers = studio.api("editor")
    base = f"{studio.url}/v1/orgs/mill"
    wav = ffmpeg_make(tmp_path / "roue.wav", *tone(2, rate=22050, freq=520))
    with wav.open("rb") as fh:
        asset = httpx.post(
            f"{base}/assets", files={"file": (wav.name, fh, "audio/wav")}, headers=headers
        ).json()
    story = httpx.post(
        f"{base}/stories",
        json={"title": "La roue", "versions": {"fr": {"audio_asset_id": asset["id"]}}},
        headers=headers,
    ).json()
    trail = httpx.post(
        f"{base}/trails",
        json={"slug": "story-walk", "title": {"fr": "Récits"}, "languages": ["fr"]},
        headers=headers,
    ).json()
    httpx.post(
        f"{base}/trails/{trail['id']}/stops",
        json={
            "key": "roue",
            "title": {"fr": "La roue"},
            "zone": {"type": "circle", "center": [4.395, 50.4036], "radius_m": 25},
            "story_id": story["id"],
        },
        headers=headers,
    ).raise_for_status()

    context = desktop(chromium, studio.url, lang="fr")
    page = context.new_page()
    sign_in(page, "editor")
    page.goto(f"/studio/trails/{trail['id']}")
    page.click("#stop-list li[data-key=roue] .stop-name")
    page.wait_for_selector("#story-form canvas.waveform[data-drawn=true]")

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
