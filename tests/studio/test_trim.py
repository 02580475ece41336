"""Trim and fades of a story's recording in a real browser: typed in seconds, shown, applied."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.studio.conftest import Studio, open_story, shot, story_on_a_stop
from tests.support.audio import ffmpeg_make, tone


def test_trim_and_fades_make_a_new_recording_for_the_story(
    studio: Studio, chromium: Any, tmp_path: Path
) -> None:
    headers = studio.api("editor")
    base = f"{studio.url}/v1/orgs/mill"
    wav = ffmpeg_make(tmp_path / "bief.wav", *tone(4, rate=22050, freq=330))
    source, story, trail = story_on_a_stop(
        studio, wav, slug="trim-walk", key="bief", title="Le bief"
    )
    context, page = open_story(chromium, studio, trail["id"], "bief")

    # Labelled inputs, reached and typed with the keyboard.
    start = page.get_by_label("Début de la coupe (s)")
    start.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("0.5")
    page.get_by_label("Fin de la coupe (s)").fill("3")
    page.locator("input[name=fade-in-fr]").fill("0.5")
    page.keyboard.press("Tab")
    page.keyboard.type("1")
    # The cut part before the start covers an eighth of the waveform (0.5 s of 4 s).
    wave = page.locator(".wave").first.bounding_box()
    cut = page.locator(".wave .trim-cut").first.bounding_box()
    assert wave and cut and cut["width"] == pytest.approx(wave["width"] / 8, abs=2)
    page.locator("#story").scroll_into_view_if_needed()
    shot(page, "11-trim")

    page.click(".apply-edit")
    page.wait_for_selector(f".recording:not([data-asset='{source['id']}']) canvas[data-drawn=true]")
    context.close()

    saved = httpx.get(f"{base}/stories/{story['id']}", headers=headers).json()
    edited_id = saved["versions"][0]["audio_asset_id"]
    assert edited_id != source["id"]
    edited = httpx.get(f"{base}/assets/{edited_id}", headers=headers).json()
    assert edited["status"] == "ready"
    assert edited["duration_s"] == pytest.approx(2.5, abs=0.02)
    kept = httpx.get(f"{base}/assets/{source['id']}", headers=headers).json()
    assert kept["duration_s"] == pytest.approx(4.0, abs=0.02)
