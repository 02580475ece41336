"""Sound objects heard in space: the page turns them as the reference engine says."""

from __future__ import annotations

import math
from typing import Any

from tests.player.conftest import Site
from tests.player.field import T0, start_walk, state, until
from tests.player.walking import engine_trail, reference_events
from tests.support.browser import artefact, phone_context
from trails.triggers.model import Fix

STEP_S = 8
# The visitor allows the location and the motion sensors (Chromium asks for these three).
COMPASS_ALLOWED = ["geolocation", "accelerometer", "gyroscope", "magnetometer"]
NORTH_OF_WHEEL_M = 15  # the walked line passes this far north of the mill wheel


def offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    """A position some metres north and east of another (small distances)."""
    dlat = north_m / 111_195
    dlon = east_m / (111_195 * math.cos(math.radians(lat)))
    return round(lat + dlat, 7), round(lon + dlon, 7)


def wheel(site: Site) -> tuple[float, float]:
    """The (lat, lon) of the demo's mill wheel sound object."""
    obj = next(o for o in site.manifest()["objects"] if o["key"] == "roue")
    return obj["position"][1], obj["position"][0]


def feed(page: Any, context: Any, lat: float, lon: float) -> None:
    """Move the phone and wait until the walk has taken the position."""
    context.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 6})
    until(page, f"s.fix && s.fix.lat === {lat} && s.fix.lon === {lon}", timeout=5_000)


def orientation_words(page: Any) -> str:
    return (page.locator("#orientation").text_content() or "").strip()


def turn(page: Any, heading: float) -> None:
    """The phone's compass reads a heading (a Chromium absolute orientation event)."""
    fed = len(state(page)["fed"])
    page.evaluate(
        "(alpha) => window.dispatchEvent(new DeviceOrientationEvent('deviceorientationabsolute',"
        " {alpha, beta: 0, gamma: 0, absolute: true}))",
        (360 - heading) % 360,
    )
    # Turns go to the engine at most four times a second: let the page's clock pass that.
    page.clock.run_for(300)
    until(page, f"s.fed.length > {fed}", timeout=5_000)


def stand(page: Any, context: Any, lat: float, lon: float, accuracy: float) -> None:
    """A new GPS fix where the visitor stands (a new accuracy, so the phone reports it)."""
    fed = len(state(page)["fed"])
    context.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": accuracy})
    until(page, f"s.fed.length > {fed} && s.fix.accuracy_m === {accuracy}", timeout=5_000)


def replay(site: Site, page: Any) -> list[dict[str, Any]]:
    """The reference engine's events for exactly the fixes the page fed its engine."""
    fixes = [
        Fix(f["t"], f["lat"], f["lon"], f["accuracy_m"], f.get("heading_deg"))
        for f in state(page)["fed"]
    ]
    return reference_events(engine_trail(site.manifest(), "fr"), fixes)


def applied(page: Any, key: str) -> dict[str, Any]:
    """What the walk screen says of a placed sound: its row's data and words."""
    row = page.locator(f'#around li[data-key="{key}"]')
    azimuth = row.get_attribute("data-azimuth")
    return {
        "db": float(row.get_attribute("data-db") or "nan"),
        "azimuth": None if azimuth == "" else int(azimuth or "0"),
        "text": row.text_content() or "",
    }


def nodes_reach(page: Any, key: str) -> dict[str, Any]:
    """Wait until the Web Audio nodes of a sound hold the engine's last values; returns them.

    The nodes ramp on the audio clock (real time); the page publishes them on its ticks, which
    run on the page's paused clock: so real time passes and the page's clock moves in halves
    of a second (a walk of a few seconds standing still).
    """
    nodes: dict[str, Any] = {}
    for _ in range(16):
        page.wait_for_timeout(250)
        page.clock.run_for(500)
        now = state(page)
        placed, nodes = now["placed"][key], now["audioPlaced"].get(key, {})
        if not nodes or nodes.get("db") is None:
            continue
        want = 0 if placed["azimuth"] is None else placed["azimuth"]
        off = abs((nodes["azimuth"] - want + 540) % 360 - 180)
        if off < 0.5 and abs(nodes["db"] - placed["db"]) < 0.15:
            return nodes
    raise AssertionError(f"the nodes of {key} hold {nodes}, not {state(page)['placed'][key]}")


def last_spatial(events: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return next(e for e in reversed(events) if e["type"] == "spatial" and e["stop"] == key)


def test_objects_turn_as_the_reference_engine_says(site: Site, chromium: Any) -> None:
    manifest = site.manifest()
    assert (manifest["format"], manifest.get("format_minor")) == (1, 2)  # a 1.2 bundle
    wlat, wlon = wheel(site)
    start = offset(wlat, wlon, NORTH_OF_WHEEL_M, -40)  # inside the wheel's 45 m
    context = phone_context(
        chromium,
        site.url,
        geolocation={"latitude": start[0], "longitude": start[1], "accuracy": 6},
        permissions=COMPASS_ALLOWED,
    )
    page, errors = start_walk(context)
    until(page, f"s.fix && s.fix.lat === {start[0]}")

    # Standing still at the first fix: the wheel is heard, centred, and the page says why.
    until(page, "s.placed.roue !== undefined")
    assert orientation_words(page) == "Direction : pas encore (sons au centre)"
    first = applied(page, "roue")
    assert first["azimuth"] is None and "sans direction" in first["text"]
    nodes = nodes_reach(page, "roue")
    assert nodes["model"] == "equalpower" and nodes["azimuth"] == 0

    # East past the wheel (it lies south: on the right), then back west (on the left).
    t = T0 + 100
    sides: dict[str, list[int]] = {"east": [], "west": []}
    for way, metres in (("east", range(-32, 41, 8)), ("west", range(32, -41, -8))):
        for east in metres:
            t += STEP_S
            page.clock.pause_at(t)
            feed(page, context, *offset(wlat, wlon, NORTH_OF_WHEEL_M, east))
            got = applied(page, "roue")
            want = last_spatial(state(page)["events"], "roue")
            assert (got["db"], got["azimuth"]) == (want["db"], want["azimuth"])
            if got["azimuth"] is not None:
                sides[way].append(got["azimuth"])
            if way == "east" and east == 0:
                assert orientation_words(page) == "Direction : sens de la marche"
                assert "sur votre droite" in got["text"]
                placed = nodes_reach(page, "roue")
                assert abs(placed["azimuth"] - got["azimuth"]) < 0.5
                page.evaluate(
                    "() => document.querySelector('#space').scrollIntoView({block: 'center'})"
                )
                page.screenshot(path=str(artefact("player", "space-wheel-right.png")))
            if way == "west" and east == -8:
                assert "sur votre gauche" in got["text"]
    assert any(80 <= a <= 100 for a in sides["east"])  # abeam on the right going east
    assert any(-100 <= a <= -80 for a in sides["west"])  # abeam on the left coming back

    # Headphones: the same places, rendered binaurally.
    page.get_by_label("J'écoute avec des écouteurs (son en 3D)").check()
    until(page, "s.audioPlaced.roue && s.audioPlaced.roue.model === 'HRTF'")

    # Standing still, the compass turned on: the phone turns on the spot.
    page.get_by_role("button", name="Utiliser la boussole").click()
    until(page, "s.compass === 'waiting'")
    here = state(page)["fix"]
    turn(page, 0)
    until(page, "s.orientation.source === 'compass'")
    # The reading is magnetic; the engine gets it from true north: the World Magnetic Model
    # puts magnetic north about 2.7° east of true north by the mill in 2026.
    decl = state(page)["fed"][-1]["heading_deg"]
    assert 2.0 < decl < 3.5

    def true(magnetic: float) -> int:
        return round(magnetic + decl)

    turn(page, 90)
    assert state(page)["orientation"]["deg"] == true(45)  # the mean of two readings (13.2)
    # A reading held still is not repeated: the next GPS fixes carry it to the engine.
    stand(page, context, here["lat"], here["lon"], 5)
    stand(page, context, here["lat"], here["lon"], 6)
    assert state(page)["orientation"]["deg"] == true(90)
    assert orientation_words(page) == "Direction : boussole"
    before_jump = applied(page, "roue")
    # One reading 180° off among agreeing ones (a compass that jumps) changes nothing.
    turn(page, 270)
    assert applied(page, "roue")["azimuth"] == before_jump["azimuth"]
    assert state(page)["orientation"]["deg"] == true(90)
    page.evaluate("() => document.querySelector('#space').scrollIntoView({block: 'center'})")
    page.screenshot(path=str(artefact("player", "space-compass.png")))
    turn(page, 90)
    turn(page, 180)
    stand(page, context, here["lat"], here["lon"], 5)
    stand(page, context, here["lat"], here["lon"], 6)
    assert state(page)["orientation"]["deg"] == true(180)
    turned = applied(page, "roue")
    assert turned["azimuth"] == last_spatial(state(page)["events"], "roue")["azimuth"]
    nodes = nodes_reach(page, "roue")
    assert abs(nodes["azimuth"] - turned["azimuth"]) < 0.5

    # The compass falls silent: after three seconds the walking direction takes over again.
    page.clock.run_for(3_600)
    until(page, "s.orientation.source === 'course'")
    assert orientation_words(page) == "Direction : sens de la marche"
    assert state(page)["compass"] == "waiting"

    # Everything the page did equals the reference engine on the very same fixes.
    fed = state(page)["fed"]
    assert any("heading_deg" in f for f in fed) and not any("heading_deg" in f for f in fed[:5])
    last_t = fed[-1]["t"]
    got_events = [e for e in state(page)["events"] if e["t"] <= last_t]
    assert got_events == replay(site, page)
    spatial = [e for e in got_events if e["type"] == "spatial" and e["stop"] == "roue"]
    assert len(spatial) > 15
    assert not errors


def started_near_the_wheel(site: Site, chromium: Any, **options: Any) -> tuple[Any, Any, float]:
    """A walk started inside the mill wheel's circle; returns the context, page and clock."""
    wlat, wlon = wheel(site)
    start = offset(wlat, wlon, NORTH_OF_WHEEL_M, -40)
    context = phone_context(
        chromium,
        site.url,
        geolocation={"latitude": start[0], "longitude": start[1], "accuracy": 6},
        **options,
    )
    page, _ = start_walk(context)
    until(page, "s.placed.roue !== undefined")
    return context, page, T0 + 100


def walk_east(site: Site, page: Any, context: Any, t: float, metres: range) -> float:
    """Walk east along the line north of the wheel, a fix every STEP_S; returns the clock."""
    wlat, wlon = wheel(site)
    for east in metres:
        t += STEP_S
        page.clock.pause_at(t)
        feed(page, context, *offset(wlat, wlon, NORTH_OF_WHEEL_M, east))
    return t


NO_ORIENTATION = """
delete window.DeviceOrientationEvent;
delete window.ondeviceorientation;
delete window.ondeviceorientationabsolute;
"""


def test_a_phone_without_compass_falls_back_to_walking_direction(site: Site, chromium: Any) -> None:
    context, page, t = started_near_the_wheel(site, chromium)
    page.add_init_script(NO_ORIENTATION)
    page.reload()
    until(page, "s.resumed && s.placed.roue !== undefined")
    assert page.evaluate("() => typeof DeviceOrientationEvent") == "undefined"
    page.get_by_role("button", name="Utiliser la boussole").click()
    note = page.locator("#compass-note")
    note.wait_for()
    assert note.text_content() == (
        "Ce téléphone n'a pas de boussole : les sons suivent votre sens de marche, "
        "et restent au centre tant que vous n'avez pas marché."
    )
    assert page.get_by_role("button", name="Utiliser la boussole").is_hidden()
    assert orientation_words(page) == "Direction : pas encore (sons au centre)"
    assert applied(page, "roue")["azimuth"] is None  # heard in both ears alike
    walk_east(site, page, context, t, range(-32, -8, 8))
    assert orientation_words(page) == "Direction : sens de la marche"
    assert applied(page, "roue")["azimuth"] is not None
    fed = state(page)["fed"]
    assert fed and not any("heading_deg" in f for f in fed)
    page.evaluate("() => document.querySelector('#space').scrollIntoView({block: 'center'})")
    page.screenshot(path=str(artefact("player", "space-no-compass.png")))


def test_a_refused_compass_says_so_and_sounds_follow_the_walk(site: Site, chromium: Any) -> None:
    # Location allowed, motion sensors not: Chromium answers requestPermission() "denied".
    context, page, t = started_near_the_wheel(site, chromium)
    page.get_by_role("button", name="Utiliser la boussole").click()
    until(page, "s.compass === 'denied'")
    assert (page.locator("#compass-note").text_content() or "").startswith(
        "La boussole a été refusée"
    )
    # The phone turns all the same: the page does not listen, so nothing reaches the engine.
    page.evaluate(
        "() => window.dispatchEvent(new DeviceOrientationEvent('deviceorientationabsolute',"
        " {alpha: 90, beta: 0, gamma: 0, absolute: true}))"
    )
    walk_east(site, page, context, t, range(-32, -8, 8))
    assert state(page)["orientation"]["source"] == "course"
    assert not any("heading_deg" in f for f in state(page)["fed"])


def test_a_reload_mid_walk_brings_the_wheel_back_where_it_was(site: Site, chromium: Any) -> None:
    context, page, t = started_near_the_wheel(site, chromium, permissions=COMPASS_ALLOWED)
    t = walk_east(site, page, context, t, range(-32, 1, 8))
    before = state(page)["placed"]["roue"]
    assert before["azimuth"] is not None
    page.reload()
    until(page, "s.resumed && s.placed.roue !== undefined")
    # Heard again at once, where the engine last placed it, before any new fix.
    assert state(page)["placed"]["roue"] == before
    nodes = nodes_reach(page, "roue")
    assert abs(nodes["azimuth"] - before["azimuth"]) < 0.5
    assert applied(page, "roue")["azimuth"] == before["azimuth"]
    assert orientation_words(page) == "Direction : sens de la marche"
    # And it goes on turning as the walk goes on.
    walk_east(site, page, context, t, range(8, 33, 8))
    assert state(page)["placed"]["roue"]["azimuth"] > before["azimuth"]
