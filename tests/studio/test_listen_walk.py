"""'Listen to the walk': a mediator loads a walk, asks for the mix, and hears it in the page."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from tests.studio.conftest import Studio, shot, story_on_a_stop
from tests.support.audio import ffmpeg_make, tone
from tests.support.studio_pages import desktop, sign_in

CENTRE = (50.4036, 4.395)  # (lat, lon) of the stop story_on_a_stop places
STEP = 0.0003  # degrees of longitude between GPX points (about 21 m)
COUNT = 7
WALK_M_S = 1.3  # the studio's walking pace (web/studio/src/simulate.js)


def _gpx(path: Path) -> Path:
    lat, lon = CENTRE
    points = "".join(
        f'<trkpt lat="{lat}" lon="{lon + (k - COUNT // 2) * STEP:.6f}"/>' for k in range(COUNT)
    )
    path.write_text(
        '<?xml version="1.0"?><gpx version="1.1" creator="tests" '
        f'xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>{points}</trkseg></trk></gpx>',
        encoding="utf-8",
    )
    return path


def _walk_s() -> float:
    """How long the studio takes to walk the GPX track (great-circle metres at its pace)."""
    lat = math.radians(CENTRE[0])
    metres = 6_371_008.8 * math.cos(lat) * math.radians(STEP * (COUNT - 1))
    return metres / WALK_M_S


def test_listen_to_the_walk(studio: Studio, chromium: Any, tmp_path: Path) -> None:
    wav = ffmpeg_make(tmp_path / "cloche.wav", *tone(3, freq=660))
    _, _, trail = story_on_a_stop(studio, wav, slug="listen-walk", key="cloche", title="Cloche")
    context = desktop(chromium, studio.url)
    page = context.new_page()
    sign_in(page, "editor")
    page.goto(f"/studio/trails/{trail['id']}")
    page.wait_for_selector("#sim-title")
    listen = page.get_by_role("button", name="Listen to the walk")
    assert listen.is_disabled()  # no walk yet

    page.set_input_files("#gpx-file", str(_gpx(tmp_path / "walk.gpx")))
    page.wait_for_selector("#sim-lanes rect.lane-play")
    page.get_by_label("for headphones (binaural)").check()
    listen.click()

    status = page.locator("#listen-status")
    page.wait_for_selector("#listen-audio")
    assert (status.text_content() or "").startswith("Ready: 2 min of what a visitor would hear")
    # The player has the file: its length is the walk's (the story ends well before).
    duration = page.wait_for_function(
        "() => { const a = document.querySelector('#listen-audio');"
        " return a.readyState >= 1 && Number.isFinite(a.duration) && a.duration; }",
        timeout=15_000,
    ).json_value()
    assert abs(duration - _walk_s()) < 2, (duration, _walk_s())
    download = page.get_by_role("link", name="Download the file")
    assert download.get_attribute("download") == "listen-walk-walk.opus"
    shot(page, "render-ready")
    context.close()


def test_listen_to_a_walk_too_long_says_why(studio: Studio, chromium: Any, tmp_path: Path) -> None:
    wav = ffmpeg_make(tmp_path / "cloche.wav", *tone(1))
    _, _, trail = story_on_a_stop(studio, wav, slug="listen-long", key="cloche", title="Cloche")
    context = desktop(chromium, studio.url)
    page = context.new_page()
    sign_in(page, "editor")
    page.goto(f"/studio/trails/{trail['id']}")
    page.wait_for_selector("#sim-title")
    # A GPX walk of 14.6 km: over three hours at walking pace, longer than a render may be.
    far = tmp_path / "far.gpx"
    far.write_text(
        '<?xml version="1.0"?><gpx version="1.1" creator="tests" '
        'xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
        '<trkpt lat="50.4036" lon="4.395"/><trkpt lat="50.4036" lon="4.6"/>'
        "</trkseg></trk></gpx>",
        encoding="utf-8",
    )
    page.set_input_files("#gpx-file", str(far))
    page.wait_for_function("() => !document.querySelector('#listen-walk').disabled")
    page.get_by_role("button", name="Listen to the walk").click()
    page.wait_for_function(
        "() => document.querySelector('#listen-status').textContent.includes('could not')"
    )
    text = page.locator("#listen-status").text_content() or ""
    assert text.startswith("The walk could not be mixed:")
    assert "at most 180 min can be rendered" in text
    assert page.locator("#listen-audio").count() == 0
    shot(page, "render-too-long")
    context.close()
