"""Guidance to the next stop: the page's distance and direction match a Python computation."""

from __future__ import annotations

import json
import math
from typing import Any

from tests.player.conftest import Site
from tests.player.field import T0, start_walk
from tests.player.walking import along
from tests.support.browser import artefact, phone_context
from trails.geo import haversine_m

STEP_S = 8
COURSE_MIN_M = 8  # as web/player/src/guidance.js
COURSE_WINDOW_S = 30


def state(page: Any) -> dict[str, Any]:
    return json.loads(page.locator("#player-state").text_content() or "{}")


def bearing(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial great-circle bearing in degrees from north, clockwise."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return (math.degrees(math.atan2(y, x)) + 360) % 360


def js_round(x: float) -> int:
    """Math.round for the positive numbers used here."""
    return math.floor(x + 0.5)


def shown(m: float) -> int:
    """The distance as the page rounds it."""
    if m < 100:
        return 5 * js_round(m / 5)
    if m < 1000:
        return 10 * js_round(m / 10)
    return 100 * js_round(m / 100)


def words(rel: float | None, bear: float) -> str:
    """The page's French words for a relative direction, or a compass point without one."""
    if rel is None:
        points = ["au nord", "au nord-est", "à l'est", "au sud-est"]
        points += ["au sud", "au sud-ouest", "à l'ouest", "au nord-ouest"]
        return points[js_round(bear / 45) % 8]
    a = abs(rel)
    side = "gauche" if rel < 0 else "droite"
    if a <= 20:
        return "devant vous"
    if a <= 70:
        return f"devant, sur votre {side}"
    if a <= 110:
        return f"sur votre {side}"
    if a <= 160:
        return f"derrière, sur votre {side}"
    return "derrière vous"


def course(fixes: list[tuple[float, float, float]]) -> float | None:
    """The walking direction from recent (t, lat, lon) fixes, as the page finds it."""
    t, lat, lon = fixes[-1]
    for ft, flat, flon in reversed(fixes[:-1]):
        if t - ft > COURSE_WINDOW_S:
            break
        if haversine_m(flat, flon, lat, lon) >= COURSE_MIN_M:
            return bearing(flat, flon, lat, lon)
    return None


def point(stop: dict[str, Any]) -> tuple[float, float]:
    """The (lon, lat) a stop is approached to: a circle's centre, a polygon's ring mean."""
    geometry = stop["zone"]["geometry"]
    if stop["zone"]["properties"]["shape"] == "circle":
        return geometry["coordinates"][0], geometry["coordinates"][1]
    ring = geometry["coordinates"][0][:-1]
    return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)


def expected(
    manifest: dict[str, Any], heard: set[str], fixes: list[Any]
) -> tuple[dict[str, Any], float | None]:
    """What the page should say for the last fix."""
    stop = next(s for s in manifest["stops"] if s["key"] not in heard and s["cues"])
    slon, slat = point(stop)
    _, lat, lon = fixes[-1]
    dist = haversine_m(lat, lon, slat, slon)
    bear = bearing(lat, lon, slat, slon)
    c = course(fixes)
    rel = None if c is None else ((bear - c) % 360 + 360) % 360
    if rel is not None and rel > 180:
        rel -= 360
    return {"stop": stop["key"], "distance_m": dist, "shown_m": shown(dist), "bearing": bear}, rel


def offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    """A position some metres north and east of another (small distances)."""
    dlat = north_m / 111_195
    dlon = east_m / (111_195 * math.cos(math.radians(lat)))
    return round(lat + dlat, 7), round(lon + dlon, 7)


def feed(page: Any, context: Any, lat: float, lon: float) -> None:
    context.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 6})
    page.wait_for_function(
        "([lat, lon]) => { const s = JSON.parse(document.querySelector('#player-state')"
        ".textContent); return s.fix && s.fix.lat === lat && s.fix.lon === lon"
        " && s.guidance && (s.guidance.done || s.guidance.distance_m !== undefined); }",
        arg=[lat, lon],
        timeout=5_000,
    )


def test_guidance_follows_the_walk_and_the_beacon_pans(site: Site, chromium: Any) -> None:
    manifest = site.manifest()
    context = phone_context(chromium, site.url)
    page, errors = start_walk(context)
    page.wait_for_selector("#guide")
    assert state(page)["beacon"]["on"] is False  # off by default

    # Walk north 60 m east of the first stop: it lies on the left.
    first = manifest["stops"][0]
    slon, slat = first["zone"]["geometry"]["coordinates"]
    fixes: list[tuple[float, float, float]] = []
    t = T0 + 200
    for north in (-30, -10):
        lat, lon = offset(slat, slon, north, 60)
        page.clock.pause_at(t) if not fixes else page.clock.fast_forward(STEP_S * 1000)
        fixes.append((t, lat, lon))
        feed(page, context, lat, lon)
        t += STEP_S
    got = state(page)["guidance"]
    want, rel = expected(manifest, set(), fixes)
    assert got["stop"] == first["key"] and rel is not None and rel < -60
    assert abs(got["relative"] - rel) < 0.01
    assert got["text"] == f"Arrêt 1 : {want['shown_m']} m, {words(rel, want['bearing'])}"
    page.get_by_label("Balise sonore vers le prochain arrêt").check()
    page.clock.fast_forward(3100)
    page.wait_for_function(
        "() => JSON.parse(document.querySelector('#player-state').textContent).beacon.beeps >= 1"
    )
    beacon = state(page)["beacon"]
    assert beacon["on"] is True
    assert beacon["pan"] < -0.8  # the stop is on the left: the tone is heard on the left
    page.evaluate("() => document.querySelector('#walk').scrollIntoView()")
    page.screenshot(path=str(artefact("player", "guidance-beacon-left.png")))

    # Then along the route: each fix updates the distance and the words.
    t += 60  # long enough for the course to start again from the route's first fixes
    checked = 0
    silent_steps = beeping_steps = 0
    for i, (lat, lon) in enumerate(along(manifest["trail"]["route"]["coordinates"], 18)):
        before = state(page)
        page.clock.fast_forward((STEP_S if i else 60 + STEP_S) * 1000)
        fixes.append((t, lat, lon))
        feed(page, context, lat, lon)
        now = state(page)
        beeps = now["beacon"]["beeps"] - before["beacon"]["beeps"]
        if before["playing"] and now["playing"] == before["playing"]:
            assert beeps == 0  # the beacon keeps quiet while a narration plays
            silent_steps += 1
        elif not before["playing"] and not now["playing"]:
            assert beeps >= 1  # a tone every 3 s otherwise
            beeping_steps += 1
        heard = {e["stop"] for e in now["events"] if e["type"] == "play"}
        if all(s["key"] in heard for s in manifest["stops"]):
            assert now["guidance"]["done"] is True
            break
        got = now["guidance"]
        want, rel = expected(manifest, heard, fixes)
        assert got["stop"] == want["stop"]
        assert got["shown_m"] == want["shown_m"]
        assert abs(got["distance_m"] - want["distance_m"]) < 0.01
        assert abs(got["bearing"] - want["bearing"]) < 0.01
        assert (got["relative"] is None) == (rel is None)
        number = [s["key"] for s in manifest["stops"]].index(want["stop"]) + 1
        assert got["text"] == f"Arrêt {number} : {want['shown_m']} m, {words(rel, want['bearing'])}"
        assert page.locator("#guide-text").text_content() == got["text"]
        checked += 1
        if i == 6:
            page.evaluate("() => document.querySelector('#walk').scrollIntoView()")
            page.screenshot(path=str(artefact("player", "guidance-walk.png")))
        t += STEP_S
    assert checked > 20
    assert silent_steps > 0 and beeping_steps > 0
    assert errors == []
    context.close()


def english_words(rel: float | None, bear: float) -> str:
    """The page's English words for a relative direction, or a compass point without one."""
    if rel is None:
        points = ["north", "north-east", "east", "south-east"]
        points += ["south", "south-west", "west", "north-west"]
        return points[js_round(bear / 45) % 8]
    a = abs(rel)
    side = "left" if rel < 0 else "right"
    if a <= 20:
        return "ahead"
    if a <= 70:
        return f"ahead on your {side}"
    if a <= 110:
        return f"on your {side}"
    if a <= 160:
        return f"behind on your {side}"
    return "behind you"


def test_guidance_speaks_english_on_an_english_phone(site: Site, chromium: Any) -> None:
    manifest = site.manifest()
    context = phone_context(chromium, site.url, locale="en-GB")
    page, _ = start_walk(context)
    assert page.get_by_role("region", name="Next stop").is_visible()

    first = manifest["stops"][0]
    slon, slat = first["zone"]["geometry"]["coordinates"]
    fixes: list[tuple[float, float, float]] = []
    t = T0 + 200
    for north in (-30, -10):
        lat, lon = offset(slat, slon, north, 60)
        page.clock.pause_at(t) if not fixes else page.clock.fast_forward(STEP_S * 1000)
        fixes.append((t, lat, lon))
        feed(page, context, lat, lon)
        want, rel = expected(manifest, set(), fixes)
        # The first fix gives no course: a compass point; the second, a side.
        assert (rel is None) == (len(fixes) == 1)
        text = f"Stop 1: {want['shown_m']} m, {english_words(rel, want['bearing'])}"
        assert page.locator("#guide-text").text_content() == text
        assert state(page)["guidance"]["text"] == text
        t += STEP_S
    assert page.locator("#gps").aria_snapshot() == '- status: "GPS: good"'
    page.get_by_label("Sound beacon towards the next stop").check()
    assert state(page)["beacon"]["on"] is True
    page.evaluate("() => document.querySelector('#walk').scrollIntoView()")
    page.screenshot(path=str(artefact("player", "guidance-en.png")))
    context.close()
