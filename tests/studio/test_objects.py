"""Sound objects, a stop's narration point and listening from a point, in a real browser."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.studio.conftest import Studio, shot
from tests.support.audio import ffmpeg_make, tone
from tests.support.browser import map_still
from tests.support.studio_pages import desktop, sign_in
from trails.rules import SoundPlacement
from trails.triggers.ambience import round_db
from trails.triggers.spatial import Listener, object_gain_db

CENTRE = [4.395, 50.4036]


@pytest.fixture(scope="module")
def audio_id(studio: Studio, tmp_path_factory: pytest.TempPathFactory) -> int:
    """A short looping sound in the organisation's library."""
    wav = ffmpeg_make(tmp_path_factory.mktemp("objects") / "roue.wav", *tone(2, 22050, 330))
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
        base, json={"slug": slug, "title": {"fr": "Sons"}, "languages": ["fr"]}, headers=headers
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


def _objects(studio: Studio, url: str) -> list[dict[str, Any]]:
    return list(httpx.get(f"{url}/objects", headers=studio.api("editor")).json()["items"])


def _until(check: Callable[[], Any], what: str) -> Any:
    """Poll the API until ``check()`` is truthy (a save after a drag ends takes a moment)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"never saw: {what}")


def _open(chromium: Any, studio: Studio, trail_id: int, lang: str = "en") -> tuple[Any, Any]:
    context = desktop(chromium, studio.url, lang=lang)
    page = context.new_page()
    sign_in(page, "editor")
    page.goto(f"/studio/trails/{trail_id}")
    page.wait_for_selector("#sound-list")
    map_still(page)
    return context, page


def _drag(page: Any, selector: str, dx: float, dy: float = 0) -> None:
    box = page.locator(selector).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x + dx * step / 10, y + dy * step / 10, steps=2)
    page.mouse.up()


def _drag_onto(page: Any, selector: str, target: str) -> None:
    box, goal = page.locator(selector).bounding_box(), page.locator(target).bounding_box()
    dx = goal["x"] + goal["width"] / 2 - (box["x"] + box["width"] / 2)
    dy = goal["y"] + goal["height"] / 2 - (box["y"] + box["height"] / 2)
    _drag(page, selector, dx, dy)


def _map_point(page: Any, dx: float, dy: float) -> tuple[float, float]:
    box = page.locator("#map").bounding_box()
    return box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2 + dy


def _problem(page: Any, control: str) -> str:
    """The words shown under the field of ``control`` (its .field-problem)."""
    slot = page.locator(f"#sound-form .invalid:has({control}) .field-problem").first
    slot.wait_for()
    return str(slot.inner_text())


def test_place_move_resize_edit_and_delete_a_sound(
    studio: Studio, chromium: Any, audio_id: int
) -> None:
    trail, url = _trail(studio, "objects-walk")
    context, page = _open(chromium, studio, trail["id"])
    assert "Sound: dashed where it is heard" in page.inner_text("#map-legend")

    page.click("#add-sound")
    page.mouse.click(*_map_point(page, 120, -60))
    page.wait_for_selector("#sound-form h2 >> text=New sound")
    page.fill("input[name=sound-title-fr]", "La roue")
    page.wait_for_selector(f"select[name=sound-audio] option[value='{audio_id}']", state="attached")
    page.select_option("select[name=sound-audio]", str(audio_id))
    page.fill("input[name=sound-radius]", "40")
    page.click("#save-sound")
    page.wait_for_selector("#sound-list li[data-key=sound-1]")
    (wheel,) = _objects(studio, url)
    assert wheel["title"] == {"fr": "La roue"} and wheel["asset_id"] == audio_id
    assert wheel["radius_m"] == 40 and wheel["rolloff"] == "inverse" and wheel["loop"] is True
    assert wheel["position"][0] > CENTRE[0]
    page.wait_for_selector("#sound-form h2 >> text=sound-1")
    map_still(page)
    shot(page, "objects-1-placed")

    # Drag the speaker 80 px west: saved at once, with If-Match. (Each drag waits for the
    # page to have taken the previous answer, whose toast it waits for, and its new ETag.)
    saved_toast = "#toast.shown >> text=Sound saved."
    page.wait_for_selector("#toast:not(.shown)")
    _drag(page, ".sound-icon.selected", -80)
    page.wait_for_selector(saved_toast)
    moved = _until(
        lambda: [o for o in _objects(studio, url) if o["position"][0] < wheel["position"][0]],
        "the sound moved west",
    )[0]
    assert abs(moved["position"][1] - wheel["position"][1]) < 0.0001
    assert moved["etag"] != wheel["etag"]

    # Drag the radius handle outwards: the audible radius grows, saved at once.
    page.wait_for_selector("#toast:not(.shown)")
    _drag(page, ".radius-handle", 40)
    page.wait_for_selector(saved_toast)
    resized = _until(
        lambda: [o for o in _objects(studio, url) if o["radius_m"] > 45], "a larger radius"
    )[0]
    page.wait_for_function(
        "r => document.querySelector('input[name=sound-radius]').value === String(r)",
        arg=resized["radius_m"],
    )

    # Edit in words: quieter, fading evenly, once, only walking east, only when faced.
    page.fill("input[name=sound-gain]", "-6")
    assert page.input_value("input[name=sound-gain-slider]") == "-6"
    page.select_option("select[name=sound-rolloff]", "linear")
    page.select_option("select[name=sound-loop]", "false")
    page.check("input[name=sound-approach-on]")
    page.select_option("select[name=sound-approach-bearing]", "90")
    page.fill("input[name=sound-approach-tolerance]", "30")
    page.check("input[name=sound-facing-on]")
    page.fill("input[name=sound-facing-tolerance]", "45")
    page.fill("input[name=sound-times]", "09:00-18:00")
    shot(page, "objects-2-form")
    page.wait_for_selector("#toast:not(.shown)")
    page.click("#save-sound")
    page.wait_for_selector(saved_toast)
    (edited,) = _objects(studio, url)
    assert edited["gain_db"] == -6 and edited["rolloff"] == "linear" and edited["loop"] is False
    assert edited["approach"] == {"bearing_deg": 90, "tolerance_deg": 30}
    assert edited["facing"] == {"tolerance_deg": 45}
    assert edited["time_windows"] == [{"start": "09:00", "end": "18:00"}]
    assert edited["radius_m"] == resized["radius_m"]

    # Delete, after a confirmation.
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#delete-sound")
    page.wait_for_selector("#sound-list li.empty")
    assert _objects(studio, url) == []
    assert page.locator(".sound-icon").count() == 0
    context.close()


def test_bad_values_are_said_under_their_fields_and_nothing_is_saved(
    studio: Studio, chromium: Any, audio_id: int
) -> None:
    trail, url = _trail(studio, "objects-refused")
    context, page = _open(chromium, studio, trail["id"])

    # No audio: the new sound is not created.
    page.click("#add-sound")
    page.mouse.click(*_map_point(page, 100, 0))
    page.wait_for_selector("#sound-form")
    page.click("#save-sound")
    assert _problem(page, "select[name=sound-audio]") == "Choose a sound in the list or upload one."
    assert _objects(studio, url) == []
    shot(page, "objects-3-no-audio")

    page.wait_for_selector(f"select[name=sound-audio] option[value='{audio_id}']", state="attached")
    page.select_option("select[name=sound-audio]", str(audio_id))
    page.fill("input[name=sound-radius]", "40")
    page.fill("input[name=sound-ref]", "4")
    page.click("#save-sound")
    page.wait_for_selector("#sound-form h2 >> text=sound-1")
    (saved,) = _objects(studio, url)

    radius = "input[name=sound-radius]"
    approach, facing = "input[name=sound-approach-tolerance]", "input[name=sound-facing-tolerance]"
    radius_words = "The audible radius must be more than 0 m and at most 5000 m."
    tolerance = "rule needs a tolerance between 0 and 180 degrees."

    def typed(control: str, value: str, box: str | None = None) -> Callable[[], None]:
        def spoil() -> None:
            if box:
                page.check(box)
            page.fill(control, value)

        return spoil

    def cubic() -> None:
        # Only an out-of-date page could send it: the list offers the two documented laws.
        page.eval_on_selector(
            "select[name=sound-rolloff]",
            "s => { s.options[1].value = 'cubic'; s.value = 'cubic'; }",
        )

    cases: list[tuple[str, Callable[[], None], str, str]] = [
        ("radius 0", typed(radius, "0"), radius, radius_words),
        ("radius 5001", typed(radius, "5001"), radius, radius_words),
        (
            "ref larger than the radius",
            typed("input[name=sound-ref]", "50"),
            "input[name=sound-ref]",
            "The full-volume distance must be more than 0 m and no larger than the audible radius.",
        ),
        (
            "an undocumented roll-off",
            cubic,
            "select[name=sound-rolloff]",
            "Choose how the sound fades: naturally or evenly.",
        ),
        (
            "approach tolerance 200",
            typed(approach, "200", "input[name=sound-approach-on]"),
            approach,
            f"The direction {tolerance}",
        ),
        (
            "facing tolerance -5",
            typed(facing, "-5", "input[name=sound-facing-on]"),
            facing,
            f"The facing {tolerance}",
        ),
    ]
    for what, spoil, control, words in cases:
        spoil()
        page.click("#save-sound")
        assert _problem(page, control) == words, what
        assert page.get_attribute(control, "aria-invalid") == "true", what
        assert _objects(studio, url) == [saved], what
        if what == "ref larger than the radius":
            shot(page, "objects-4-ref-refused")
        # Back to the saved values before the next case.
        page.click("#sound-list li[data-key=sound-1] .sound-name")
        page.wait_for_selector("#sound-form:not(:has(.invalid))")
    context.close()


def test_a_story_heard_from_a_point_on_the_map(studio: Studio, chromium: Any) -> None:
    trail, url = _trail(studio, "objects-narration")
    context, page = _open(chromium, studio, trail["id"], lang="fr")
    page.click("#stop-list li[data-key=porte] .stop-name")
    page.wait_for_selector("#stop-form h2 >> text=porte")
    map_still(page)
    assert page.is_checked("#heard-head")

    # "A point on the map", then a click on the map 60 px north of the stop.
    page.click("label[for=heard-point]")
    page.wait_for_selector("#narration-status >> text=Cliquez sur la carte")
    page.mouse.click(*_map_point(page, 0, -60))
    page.wait_for_selector("#narration-status >> text=Raconté depuis un point")
    assert page.locator(".narration-point").count() == 1
    shot(page, "objects-5-narration-point")
    page.click("#save-stop")
    page.wait_for_selector("#toast.shown")
    stop = httpx.get(f"{url}/stops", headers=studio.api("editor")).json()["items"][0]
    lon, lat = stop["narration_position"]
    assert lat > CENTRE[1] + 0.00005 and abs(lon - CENTRE[0]) < 0.0002

    # In the head again: the point goes.
    page.click("label[for=heard-head]")
    assert page.locator(".narration-point").count() == 0
    page.click("#save-stop")
    page.wait_for_function("() => !document.querySelector('#stop-form .unsaved').textContent")
    stop = httpx.get(f"{url}/stops", headers=studio.api("editor")).json()["items"][0]
    assert stop["narration_position"] is None
    context.close()


def _expected(obj: dict[str, Any], lat: float, lon: float, heading: int) -> dict[str, Any]:
    """What the Python reference engine gives for one object from this point and heading."""
    listener = Listener()
    listener.update(lat, lon, 0, heading)
    located = listener.locate((obj["position"][0], obj["position"][1]))
    assert located is not None
    d_mm, azimuth = located
    placement = SoundPlacement.model_validate(
        {k: obj[k] for k in ("position", "radius_m", "ref_distance_m", "rolloff", "gain_db")}
    )
    return {"db": round_db(object_gain_db(placement, d_mm)), "azimuth": azimuth, "d_mm": d_mm}


def _heard(page: Any) -> tuple[float, float, int, dict[str, dict[str, Any]]]:
    node = page.locator("#listen")
    lat, lon = float(node.get_attribute("data-lat")), float(node.get_attribute("data-lon"))
    heading = int(node.get_attribute("data-heading"))
    rows = page.eval_on_selector_all(
        "#heard li[data-key]",
        "ls => ls.map(l => ({key: l.dataset.key, db: +l.dataset.db, azimuth: +l.dataset.azimuth,"
        " d_mm: +l.dataset.distanceMm, text: l.textContent, playing: l.dataset.playing}))",
    )
    return lat, lon, heading, {r["key"]: r for r in rows}


def test_listen_here_follows_the_engine_law(studio: Studio, chromium: Any, audio_id: int) -> None:
    trail, url = _trail(studio, "objects-listen")
    headers = studio.api("editor")
    # The wheel 40 m east of the stop, the river 60 m west; both heard within 80 m.
    for key, title, dx, rolloff in (
        ("roue", "Roue", 0.00056, "inverse"),
        ("courant", "Courant", -0.00084, "linear"),
    ):
        httpx.post(
            f"{url}/objects",
            json={
                "key": key,
                "title": {"fr": title},
                "asset_id": audio_id,
                "position": [CENTRE[0] + dx, CENTRE[1]],
                "radius_m": 80,
                "ref_distance_m": 5,
                "rolloff": rolloff,
                "gain_db": -3,
            },
            headers=headers,
        ).raise_for_status()  # fmt: skip
    objects = {o["key"]: o for o in _objects(studio, url)}
    context, page = _open(chromium, studio, trail["id"])
    assert "not on the map" in page.inner_text("#heard")

    # Place the listener halfway between the two sounds (on their line), facing north.
    page.click("#place-listener")
    wheel = page.locator(".sound-icon:has-text('Roue')").bounding_box()
    river = page.locator(".sound-icon:has-text('Courant')").bounding_box()
    page.mouse.click(
        (wheel["x"] + river["x"] + wheel["width"]) / 2, river["y"] + river["height"] / 2
    )
    page.wait_for_selector("#heard li[data-key]")

    def check(expect_keys: set[str]) -> dict[str, dict[str, Any]]:
        lat, lon, heading, rows = _heard(page)
        assert set(rows) == expect_keys
        for key, row in rows.items():
            want = _expected(objects[key], lat, lon, heading)
            assert (row["db"], row["azimuth"], row["d_mm"]) == (
                want["db"],
                want["azimuth"],
                want["d_mm"],
            ), key
        return rows

    rows = check({"roue", "courant"})
    # Facing north: the wheel (east) is on the right, the river (west) on the left.
    assert "Roue: on your right" in rows["roue"]["text"]
    assert "Courant: on your left" in rows["courant"]["text"]
    # Gains are written with a true minus sign (U+2212).
    assert rows["roue"]["text"].endswith(" m)") and "\u2212" in rows["roue"]["text"]

    # Turn to face east: the wheel is ahead, the river behind.
    page.fill("#listener-heading", "90")
    page.wait_for_function("() => document.querySelector('#listen').dataset.heading === '90'")
    rows = check({"roue", "courant"})
    assert "Roue: ahead," in rows["roue"]["text"]
    assert "Courant: behind you" in rows["courant"]["text"]
    page.click("#turn-right")
    page.wait_for_function("() => document.querySelector('#listen').dataset.heading === '105'")
    check({"roue", "courant"})

    # Listen: the sounds load and play through Web Audio.
    page.click("#listen-here")
    assert page.get_attribute("#listen-here", "aria-pressed") == "true"
    page.wait_for_selector("#heard li[data-key=roue][data-playing=true]")
    page.wait_for_selector("#heard li[data-key=courant][data-playing=true]")

    # Drag the listener onto the wheel: only the wheel is heard, its values still the engine's.
    _drag_onto(page, ".listener-icon", ".sound-icon:has-text('Roue')")
    page.wait_for_function("() => !document.querySelector('#heard li[data-key=courant]')")
    check({"roue"})
    map_still(page)
    page.locator("#heard").scroll_into_view_if_needed()
    shot(page, "objects-6-listen-here")
    page.click("#listen-here")
    assert page.get_attribute("#listen-here", "aria-pressed") == "false"
    context.close()


def test_a_sound_changed_elsewhere_keeps_what_was_typed(
    studio: Studio, chromium: Any, audio_id: int
) -> None:
    trail, url = _trail(studio, "objects-conflict")
    headers = studio.api("editor")
    wheel = httpx.post(
        f"{url}/objects",
        json={"key": "roue", "asset_id": audio_id, "position": CENTRE, "radius_m": 30},
        headers=headers,
    ).json()
    context, page = _open(chromium, studio, trail["id"])
    page.click("#sound-list li[data-key=roue] .sound-name")
    page.wait_for_selector("#sound-form h2 >> text=roue")
    page.fill("input[name=sound-title-fr]", "La roue")

    # A colleague makes it quieter in the meantime.
    httpx.patch(
        f"{url}/objects/{wheel['id']}",
        json={"gain_db": -10},
        headers={**headers, "If-Match": wheel["etag"]},
    ).raise_for_status()
    page.click("#save-sound")
    page.click("#conflict-reload")
    page.wait_for_function("() => document.querySelector('input[name=sound-gain]').value === '-10'")
    assert page.input_value("input[name=sound-title-fr]") == "La roue"
    page.click("#save-sound")
    page.wait_for_selector("#toast.shown >> text=Sound saved.")
    (saved,) = _objects(studio, url)
    assert saved["title"] == {"fr": "La roue"} and saved["gain_db"] == -10
    context.close()
