"""Ambience layers in the studio, in a real browser: added on the map, said in words, and
played by the simulation through Web Audio."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.studio.conftest import Studio
from tests.support.audio import ffmpeg_make, tone
from tests.support.browser import artefact, map_still
from tests.support.studio_pages import desktop, sign_in

CENTRE = [4.395, 50.4036]
MINUS = "\N{MINUS SIGN}"  # how the page writes a negative level


def shot(page: Any, name: str) -> None:
    """A screenshot for people to look at, in test-artefacts/studio/ambience/."""
    page.screenshot(path=str(artefact("studio", "ambience", f"{name}.png")))


@pytest.fixture(scope="module")
def loop_id(studio: Studio, tmp_path_factory: pytest.TempPathFactory) -> int:
    """A short stereo loop in the organisation's library."""
    wav = ffmpeg_make(
        tmp_path_factory.mktemp("ambience") / "riviere.wav", *tone(2, 22050, 220), "-ac", "2"
    )
    with wav.open("rb") as fh:
        answer = httpx.post(
            f"{studio.url}/v1/orgs/mill/assets",
            files={"file": (wav.name, fh, "audio/wav")},
            data={"role": "immersive"},
            headers=studio.api("editor"),
        )
    answer.raise_for_status()
    return int(answer.json()["id"])


def _trail(studio: Studio, slug: str) -> tuple[dict[str, Any], str]:
    """A new trail with one stop at CENTRE; the trail and its API address."""
    headers = studio.api("editor")
    base = f"{studio.url}/v1/orgs/mill/trails"
    trail = httpx.post(
        base, json={"slug": slug, "title": {"fr": "Fond"}, "languages": ["fr"]}, headers=headers
    ).json()
    httpx.post(
        f"{base}/{trail['id']}/stops",
        json={
            "key": "porte",
            "title": {"fr": "Porte"},
            "zone": {"type": "circle", "center": CENTRE, "radius_m": 15},
        },
        headers=headers,
    ).raise_for_status()
    return trail, f"{base}/{trail['id']}"


def _layers(studio: Studio, url: str) -> list[dict[str, Any]]:
    return list(httpx.get(f"{url}/ambience", headers=studio.api("editor")).json()["items"])


def _open(chromium: Any, studio: Studio, trail_id: int) -> tuple[Any, Any]:
    context = desktop(chromium, studio.url, lang="en")
    page = context.new_page()
    sign_in(page, "editor")
    page.goto(f"/studio/trails/{trail_id}")
    page.wait_for_selector("#ambience-list")
    map_still(page)
    return context, page


def _map_point(page: Any, dx: float, dy: float) -> tuple[float, float]:
    box = page.locator("#map").bounding_box()
    return box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2 + dy


def _gpx(path: Path, points: list[tuple[float, float]]) -> Path:
    track = "".join(f'<trkpt lat="{lat}" lon="{lon}"/>' for lat, lon in points)
    path.write_text(
        '<?xml version="1.0"?><gpx version="1.1" creator="tests" '
        f'xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>{track}</trkseg></trk></gpx>',
        encoding="utf-8",
    )
    return path


def test_add_an_ambience_see_it_and_hear_it_in_the_simulation(
    studio: Studio, chromium: Any, loop_id: int, tmp_path: Path
) -> None:
    trail, url = _trail(studio, "ambience-walk")
    context, page = _open(chromium, studio, trail["id"])
    assert "Ambience: where it is heard" in page.inner_text("#map-legend")
    assert "No ambience yet." in page.inner_text("#ambience-list")

    # A bad radius first: said under its field in words, nothing saved.
    page.click("#add-ambience")
    page.mouse.click(*_map_point(page, -80, 40))
    page.wait_for_selector("#ambience-form h2 >> text=New ambience")
    page.fill("input[name=ambience-title-fr]", "La Sambre")
    page.wait_for_selector(f"#ambience-audio option[value='{loop_id}']", state="attached")
    page.select_option("#ambience-audio", str(loop_id))
    page.fill("#ambience-radius", "0")
    page.click("#save-ambience")
    problem = page.locator("#ambience-form .invalid .field-problem").first
    problem.wait_for()
    assert "more than 0 and at most 5000 m" in problem.inner_text()
    assert "Circle radius" in page.inner_text("#ambience-form .form-problems")
    assert _layers(studio, url) == []
    shot(page, "ambience-1-refused")

    # Corrected: the words follow the numbers, and the layer is saved and drawn.
    page.fill("#ambience-radius", "60")
    page.fill("#ambience-reach", "40")
    page.fill("#ambience-loud", "-6")
    page.fill("#ambience-quiet", "-30")
    words = page.inner_text("#ambience-words")
    assert (
        "within 40 m" in words
        and f"{MINUS}6 dB inside" in words
        and f"{MINUS}30 dB at 40 m" in words
    )
    assert "lowered by 12 dB while a story plays" in words
    page.click("#save-ambience")
    page.wait_for_selector("#ambience-list li[data-key=ambience-1]")
    (layer,) = _layers(studio, url)
    assert layer["title"] == {"fr": "La Sambre"} and layer["asset_id"] == loop_id
    assert layer["zone"]["type"] == "circle" and layer["zone"]["radius_m"] == 60
    assert (layer["max_distance_m"], layer["max_gain_db"], layer["min_gain_db"]) == (40, -6, -30)
    assert page.locator(".ambience-icon:has-text('La Sambre')").count() == 1
    shot(page, "ambience-2-on-the-map")

    # The whole trail instead: the server draws the circle around the stop.
    page.check("#ambience-area-trail")
    page.click("#save-ambience")
    page.wait_for_selector("#toast.shown >> text=Ambience saved.")
    (layer,) = _layers(studio, url)
    assert layer["zone"]["center"] == CENTRE and 45 <= layer["zone"]["radius_m"] <= 46

    # A walk through it, at real speed: the loop plays through Web Audio, at its gain.
    lat, lon = CENTRE[1], CENTRE[0]
    walk = [(lat, lon - 0.0012), (lat, lon), (lat, lon + 0.0012)]
    page.set_input_files("#gpx-file", str(_gpx(tmp_path / "walk.gpx", walk)))
    page.wait_for_selector("#sim-lanes rect.lane-play[data-stop=ambience-1]")
    page.select_option("#sim-speed", "5")
    page.click("#sim-play")
    playing = page.locator("#sim-ambience li[data-key=ambience-1][data-playing=true]")
    playing.wait_for(timeout=20_000)
    page.wait_for_selector("#sim-ambience[data-audio=running]")
    page.wait_for_function(
        "() => document.querySelector('#sim-ambience li[data-key=ambience-1]').dataset.db === '-6'"
    )
    assert f"La Sambre playing, {MINUS}6 dB" in playing.inner_text()
    shot(page, "ambience-3-simulation-playing")
    page.click("#sim-play")
    page.wait_for_selector("#sim-ambience li", state="detached")
    assert page.get_attribute("#sim-ambience", "data-audio") == "closed"
    context.close()


def test_a_polygon_layer_is_shown_and_kept_when_its_volume_changes(
    studio: Studio, chromium: Any, loop_id: int
) -> None:
    trail, url = _trail(studio, "ambience-polygon")
    lon, lat = CENTRE
    ring = [[lon - 0.0004, lat - 0.0002], [lon + 0.0004, lat - 0.0002], [lon, lat + 0.0003]]
    polygon = {"type": "polygon", "coordinates": [[*ring, ring[0]]]}
    httpx.post(
        f"{url}/ambience",
        json={"key": "atelier", "title": {"fr": "L'atelier"}, "asset_id": loop_id, "zone": polygon},
        headers=studio.api("editor"),
    ).raise_for_status()
    context, page = _open(chromium, studio, trail["id"])
    page.click("#ambience-list li[data-key=atelier] .ambience-name")
    page.wait_for_selector("#ambience-form h2 >> text=atelier")
    assert page.is_checked("#ambience-area-polygon")
    assert page.locator("#ambience-form input[name=ambience-radius]").is_hidden()
    assert page.locator('.ambience-icon:has-text("L\'atelier")').count() == 1
    page.fill("#ambience-loud", "-9")
    page.click("#save-ambience")
    page.wait_for_selector("#toast.shown >> text=Ambience saved.")
    (layer,) = _layers(studio, url)
    assert layer["max_gain_db"] == -9 and layer["zone"]["type"] == "polygon"
    shot(page, "ambience-4-polygon")
    context.close()
