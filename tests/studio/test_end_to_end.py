"""End to end in a real browser: sign in, build a trail on the map, upload, simulate, publish."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx

from tests.studio.conftest import Studio, shot
from tests.support.audio import ffmpeg_make, tone
from tests.support.studio_pages import desktop, sign_in
from trails.bundle.signing import keys_from_document
from trails.bundle.verify import verify_bundle


def click_map(page: Any, dx: int, dy: int) -> None:
    """Click the map at an offset from its centre, in pixels."""
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2 + dy)


def gpx_through(points: list[tuple[float, float]], out: Path) -> Path:
    """A GPX track through (lat, lon) points, starting and ending 80 m away from them."""
    lat0, lon0 = points[0]
    lat1, lon1 = points[-1]
    track = [(lat0, lon0 - 0.0012), *points, (lat1, lon1 + 0.0012)]
    rows = "".join(f'<trkpt lat="{lat}" lon="{lon}"/>' for lat, lon in track)
    out.write_text(
        '<?xml version="1.0"?><gpx version="1.1" creator="tests" '
        f'xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>{rows}</trkseg></trk></gpx>'
    )
    return out


def test_author_simulate_publish_and_verify_the_bundle(
    studio: Studio, chromium: Any, tmp_path: Path
) -> None:
    context = desktop(chromium, studio.url)
    page = context.new_page()
    page.goto("/studio")
    shot(page, "0-sign-in")
    sign_in(page, "editor")

    # Create a trail; the web address name follows the title until it is edited.
    page.fill("#new-trail input[name=title]", "Le moulin en fête")
    assert page.input_value("#new-trail input[name=slug]") == "le-moulin-en-fete"
    page.click("#new-trail button[type=submit]")
    page.wait_for_selector("#map")
    trail_id = int(re.search(r"/studio/trails/(\d+)", page.url).group(1))  # type: ignore[union-attr]

    # Two stops, added by clicking the map; the second gets a larger circle.
    page.click("#add-stop")
    assert page.get_attribute("#add-stop", "aria-pressed") == "true"
    click_map(page, -150, 20)
    page.wait_for_selector("#stop-list li[data-key=stop-1]")
    page.click("#add-stop")
    click_map(page, 150, -20)
    page.wait_for_selector("#stop-list li[data-key=stop-2].selected")
    page.fill("input[name=radius]", "35")
    page.dispatch_event("input[name=radius]", "change")
    page.fill("input[name=stop-title-en]", "The weir")
    # No story here: a landmark, silent on purpose, so the checks let it be published.
    page.check("input[name=stop-silent]")
    page.click("#save-stop")
    page.wait_for_selector("#stop-list li[data-key=stop-2] >> text=The weir")

    # Upload a recording for the first stop: progress, processing, waveform.
    page.click("#stop-list li[data-key=stop-1] .stop-name")
    page.wait_for_selector("#stop-form h2 >> text=stop-1")
    voice = ffmpeg_make(tmp_path / "voice.wav", *tone(4))
    page.set_input_files("#story input[name=audio-file]", str(voice))
    done = page.wait_for_selector(
        "#story-form, #story .uploader p[data-state=error]", timeout=60_000
    )
    assert done.get_attribute("id") == "story-form", done.text_content()
    page.wait_for_selector("canvas.waveform[data-drawn=true]")
    shot(page, "2-map-editor-story")

    stops = httpx.get(
        f"{studio.url}/v1/orgs/mill/trails/{trail_id}/stops", headers=studio.api("editor")
    ).json()["items"]
    assert [s["key"] for s in stops] == ["stop-1", "stop-2"]
    assert stops[0]["story_id"] is not None
    assert stops[1]["zone"]["radius_m"] == 35
    centres = [(s["zone"]["center"][1], s["zone"]["center"][0]) for s in stops]

    # Simulate a walk through both stops from a GPX file: the first stop's story plays.
    page.set_input_files("#gpx-file", str(gpx_through(centres, tmp_path / "walk.gpx")))
    page.wait_for_selector("#simulation[data-plays='1']")
    assert page.locator("#sim-lanes rect.lane-play[data-stop=stop-1]").count() == 1
    page.click("#sim-play")
    # "Now playing" shows for as long as the story plays (0.4 s at x10), which a busy machine
    # can miss; the stories heard stay listed until the next playback.
    page.wait_for_selector("#sim-heard:text-is('Heard so far: stop-1')", timeout=20_000)
    shot(page, "3-simulation")
    page.click("#sim-play")
    assert page.inner_text("#sim-heard") == "Heard so far: stop-1"

    # Publish and download the bundle; it must pass `baladeur verify`.
    page.click("#tab-publish")
    page.wait_for_selector("#publish-form")
    page.fill("#publish-form textarea[name=notes]", "First walk")
    page.click("#publish")
    page.wait_for_selector("#published", timeout=60_000)
    page.wait_for_selector("#size-report")
    page.wait_for_selector("#releases tr[data-number='1'][data-state=live]")
    page.wait_for_selector("#download-bundle")
    shot(page, "4-publish")
    with page.expect_download() as download_info:
        page.click("#download-bundle")
    bundle = tmp_path / "bundle.zip"
    download_info.value.save_as(bundle)
    keys = keys_from_document(httpx.get(f"{studio.url}/v1/keys").json())
    report = verify_bundle(bundle, keys)
    assert report.ok, report.as_dict()

    # A second release replaces the first; rolling back puts the first online again.
    page.click("#publish")
    page.wait_for_selector("#releases tr[data-number='2'][data-state=live]", timeout=60_000)
    page.click("#releases tr[data-number='1'] button")
    page.wait_for_selector("#releases tr[data-number='1'] .badge")
    shot(page, "4b-release-history")
    trail = httpx.get(
        f"{studio.url}/v1/orgs/mill/trails/{trail_id}", headers=studio.api("editor")
    ).json()
    assert trail["current_release"] == 1
    context.close()
