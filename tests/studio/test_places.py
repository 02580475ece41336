"""Finding places in the studio, as a mediator would: coordinates typed or pasted in every
common form, a search by name through a geocoder (a real one on loopback), stops imported
from a GPX file, and a map without tiles that says so."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from media.blobs.memory import MemoryBlobStore
from server.app import create_app
from server.db import migrate
from server.db.engine import make_engine
from server.db.session import Database
from server.jobs import Jobs, make_huey
from server.settings import Settings
from tests.studio.conftest import Studio
from tests.support.browser import artefact, map_still
from tests.support.geocoder import Geocoder, closed_port_url, geocoder_server
from tests.support.live import live_server
from tests.support.people import make_people
from tests.support.studio_pages import desktop, sign_in
from trails.bundle.signing import Keyring

GATE = (50.4036, 4.395)  # (lat, lon) of the trail's first stop
GPX_HEAD = (
    '<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'
)


@dataclass
class Site:
    """A studio whose server has a geocoder, and the handles to change its settings."""

    studio: Studio
    app: FastAPI
    settings: Settings
    geocoder: Geocoder


@pytest.fixture(scope="module")
def site(
    studio_built: Path, spatialite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """Like the shared studio, with BALADEUR_GEOCODER_URL on the loopback geocoder, and a tile
    server that cannot be reached (a studio used offline)."""
    folder = tmp_path_factory.mktemp("places-site")
    shutil.copyfile(spatialite_template, folder / "test.db")
    engine = make_engine(f"sqlite:///{folder / 'test.db'}")
    migrate.upgrade(engine)
    db = Database(engine)
    blobs = MemoryBlobStore()
    keys = Keyring(folder / "keys")
    with geocoder_server() as geocoder:
        settings = Settings(
            data_dir=folder,
            inprocess_worker=False,
            scheduler_interval_s=0,
            tile_url=closed_port_url() + "/{z}/{x}/{y}.png",
            geocoder_url=geocoder.url,
            geocoder_timeout_s=1,
        )
        jobs = Jobs(settings, huey=make_huey(settings, immediate=True), database=db, blobs=blobs)
        app = create_app(settings, database=db, blobs=blobs, jobs=jobs, keys=keys)
        with TestClient(app) as client:
            people = make_people(client, db)
        with live_server(app) as url:
            yield Site(Studio(url, db, blobs, keys, people, folder), app, settings, geocoder)
    engine.dispose()


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(artefact("studio", "places", f"{name}.png")))


def _trail(site: Site | Studio, slug: str) -> dict[str, Any]:
    studio = site.studio if isinstance(site, Site) else site
    headers = studio.api("editor")
    base = f"{studio.url}/v1/orgs/mill/trails"
    trail = httpx.post(
        base,
        json={"slug": slug, "title": {"en": "Mill walk"}, "languages": ["en"]},
        headers=headers,
    ).json()
    httpx.post(
        f"{base}/{trail['id']}/stops",
        json={
            "key": "gate",
            "title": {"en": "Gate"},
            "zone": {"type": "circle", "center": [GATE[1], GATE[0]], "radius_m": 25},
        },
        headers=headers,
    ).raise_for_status()
    return dict(trail)


def _stops(site: Site, trail_id: int) -> list[dict[str, Any]]:
    answer = httpx.get(
        f"{site.studio.url}/v1/orgs/mill/trails/{trail_id}/stops",
        headers=site.studio.api("editor"),
    )
    return list(answer.json()["items"])


def _open(chromium: Any, site: Site | Studio, trail_id: int, lang: str = "en") -> tuple[Any, Any]:
    studio = site.studio if isinstance(site, Site) else site
    context = desktop(chromium, studio.url, lang=lang)
    page = context.new_page()
    sign_in(page, "editor")
    page.goto(f"/studio/trails/{trail_id}")
    page.wait_for_selector("#stop-list li[data-key=gate]")
    return context, page


def _pin_at_map_centre(page: Any) -> None:
    """The blue pin of the place found comes to rest in the middle of the map (it moved there)."""
    page.wait_for_function(
        """() => {
          const m = document.querySelector('#map').getBoundingClientRect();
          const p = document.querySelector('#map .place-pin')?.getBoundingClientRect();
          return p && p.width > 8
            && Math.abs(p.x + p.width / 2 - (m.x + m.width / 2)) < 3
            && Math.abs(p.y + p.height / 2 - (m.y + m.height / 2)) < 3;
        }""",
        timeout=5000,
    )


def _go(page: Any, text: str) -> None:
    page.get_by_label("Go to coordinates or a map link").fill(text)
    page.get_by_role("button", name="Go", exact=True).click()


FORMS = [
    ("50.4115, 4.3912", "50.411500, 4.391200"),
    ("50.4115 4.3912", "50.411500, 4.391200"),
    ("50,4115; 4,3912", "50.411500, 4.391200"),
    ("50°24'41.4\"N 4°23'28.3\"E", "50.411500, 4.391194"),
    ("N 50° 24.690' E 004° 23.472'", "50.411500, 4.391200"),
    ("https://www.openstreetmap.org/#map=17/50.41150/4.39120", "50.411500, 4.391200"),
    ("https://www.openstreetmap.org/?mlat=50.4115&mlon=4.3912", "50.411500, 4.391200"),
    ("https://www.google.com/maps/@50.4115,4.3912,17z", "50.411500, 4.391200"),
    ("https://www.google.com/maps?q=50.4115,4.3912", "50.411500, 4.391200"),
    ("https://maps.apple.com/?ll=50.4115,4.3912", "50.411500, 4.391200"),
    ("https://www.bing.com/maps?cp=50.4115~4.3912&lvl=17", "50.411500, 4.391200"),
    ("geo:50.4115,4.3912;u=10", "50.411500, 4.391200"),
]


def test_each_form_of_coordinates_moves_the_map_and_then_the_stop(
    site: Site, chromium: Any
) -> None:
    trail = _trail(site, "typed-places")
    context, page = _open(chromium, site, trail["id"])
    shown = page.locator("#place-shown")
    for text, place in FORMS:
        # Somewhere else first, so that each form is seen to move the map.
        _go(page, "50.3, 4.2")
        _go(page, text)
        assert shown.text_content() == f"Map centred on {place}.", text
        _pin_at_map_centre(page)
    shot(page, "coordinates-found")

    # No stop is selected: the place offers a new stop there, which goes to the server at once.
    page.get_by_role("button", name="Add a stop here").click()
    page.wait_for_selector("#stop-list li[data-key=stop-2]")
    assert _stops(site, trail["id"])[1]["zone"]["center"] == [4.3912, 50.4115]

    # A selected stop is moved to the place found, and kept there once saved.
    page.click("#stop-list li[data-key=gate] .stop-name")
    _go(page, "50°24'10\"N 4°23'50\"E")
    page.get_by_role("button", name="Move “Gate” here").click()
    position = page.get_by_label("Position (latitude, longitude)")
    assert position.input_value() == "50.402778, 4.397222"
    page.click("#save-stop")
    page.wait_for_selector(".unsaved:text-is('')", state="attached")
    page.wait_for_function("() => !document.querySelector('.unsaved').textContent")
    assert _stops(site, trail["id"])[0]["zone"]["center"] == [4.3972222, 50.4027778]

    # The stop's own position field takes any form too; Enter moves the zone and the map.
    position.fill("geo:50.4040,4.3960")
    position.press("Enter")
    assert position.input_value() == "50.404000, 4.396000"
    map_still(page)
    shot(page, "stop-position-typed")
    page.click("#save-stop")
    page.wait_for_function("() => !document.querySelector('.unsaved').textContent")
    assert _stops(site, trail["id"])[0]["zone"]["center"] == [4.396, 50.404]
    context.close()


BAD = [
    ("-91, 4.39", "A latitude is between -90 and 90 degrees: check the first number."),
    ("50.41, 181", "A longitude is between -180 and 180 degrees: check the second number."),
    ("le vieux moulin", "The studio cannot read these coordinates."),
    ("https://www.openstreetmap.org/", "This link holds no coordinates."),
]


def _label_offset(page: Any) -> tuple[float, float]:
    """Where the first stop's label is from the map's centre, in pixels."""
    box = page.locator("#map").bounding_box()
    label = page.locator("#map .stop-label").first.bounding_box()
    return (
        label["x"] + label["width"] / 2 - box["x"] - box["width"] / 2,
        label["y"] + label["height"] / 2 - box["y"] - box["height"] / 2,
    )


def test_coordinates_that_cannot_be_read_are_said_by_the_field_and_move_nothing(
    site: Site, chromium: Any
) -> None:
    trail = _trail(site, "bad-places")
    context, page = _open(chromium, site, trail["id"])
    map_still(page)
    before = _label_offset(page)
    problem = page.locator("#goto-place-problem")
    scale = page.locator("#map .leaflet-control-scale-line").text_content()
    for text, words in BAD:
        # Typed key by key: the keys stay in the field, the map does not zoom ("-") or pan.
        field = page.get_by_label("Go to coordinates or a map link")
        field.fill("")
        field.press_sequentially(text)
        field.press("Enter")
        assert (problem.text_content() or "").startswith(words), text
        assert page.get_by_label("Go to coordinates or a map link").input_value() == text
        assert page.locator("#place-shown").count() == 0
    assert (
        page.get_by_label("Go to coordinates or a map link").get_attribute("aria-invalid") == "true"
    )
    assert page.locator("#map .leaflet-control-scale-line").text_content() == scale
    # The view did not move: the stop's label is where it was in the map.
    map_still(page)
    after = _label_offset(page)
    assert abs(after[0] - before[0]) < 2 and abs(after[1] - before[1]) < 2
    shot(page, "coordinates-refused")

    # Enter in the field is the field's own, even while the map waits for a new stop's place
    # (where Enter on the map adds the stop at its centre).
    page.click("#add-stop")
    field.fill("50.41, 181")
    field.press("Enter")
    assert problem.text_content() == BAD[1][1]
    page.click("#add-stop")
    assert page.locator("#stop-list li").count() == 1
    assert len(_stops(site, trail["id"])) == 1

    # In the stop's form: the message under the field, the zone where it was.
    page.click("#stop-list li[data-key=gate] .stop-name")
    position = page.get_by_label("Position (latitude, longitude)")
    position.fill("50.41, 181")
    position.press("Enter")
    assert page.locator("#stop-position-problem").text_content() == BAD[1][1]
    page.click("#save-stop")
    page.wait_for_timeout(300)
    assert _stops(site, trail["id"])[0]["zone"]["center"] == [GATE[1], GATE[0]]
    context.close()


def test_a_place_searched_by_name_is_found_and_a_stop_added_there(
    site: Site, chromium: Any
) -> None:
    trail = _trail(site, "searched-places")
    context, page = _open(chromium, site, trail["id"], lang="fr")
    page.get_by_label("Chercher un lieu").fill("moulin")
    page.get_by_role("button", name="Chercher", exact=True).click()
    results = page.locator("#place-results button")
    results.first.wait_for()
    assert results.all_text_contents() == [
        "Moulin de Marchienne, Rue du Moulin, Marchienne-au-Pont, Charleroi, Belgique",
        "Rue du Moulin, Mons, Hainaut, Belgique",
    ]
    assert site.geocoder.requests[-1]["query"]["accept-language"] == "fr"  # type: ignore[index]
    results.first.click()
    assert page.locator("#place-shown").text_content() == "Carte centrée sur 50.404820, 4.399610."
    assert results.first.get_attribute("aria-current") == "true"
    _pin_at_map_centre(page)
    shot(page, "search-found")
    page.get_by_role("button", name="Ajouter un arrêt ici").click()
    page.wait_for_selector("#stop-list li[data-key=stop-2]")
    assert _stops(site, trail["id"])[1]["zone"]["center"] == [4.39961, 50.40482]

    # A geocoder that is down, or too slow: a message under the field; coordinates still work.
    site.app.state.settings = site.settings.model_copy(update={"geocoder_url": closed_port_url()})
    try:
        page.get_by_label("Chercher un lieu").fill("charleroi")
        page.get_by_role("button", name="Chercher", exact=True).click()
        problem = page.locator("#place-search-problem")
        problem.wait_for()
        # In the interface's language, from the server's catalogue.
        assert problem.text_content() == (
            "la recherche de lieux ne peut pas être jointe ; réessayez plus tard, "
            "ou tapez des coordonnées"
        )
        shot(page, "search-down")
    finally:
        site.app.state.settings = site.settings
    site.geocoder.mode, site.geocoder.delay_s = "slow", 3
    try:
        page.get_by_role("button", name="Chercher", exact=True).click()
        page.wait_for_function(
            "() => document.querySelector('#place-search-problem').textContent"
            ".includes('pas répondu à temps')"
        )
    finally:
        site.geocoder.mode = "ok"
    page.get_by_label("Aller à des coordonnées ou un lien de carte").fill("50.41, 4.39")
    page.get_by_role("button", name="Aller", exact=True).click()
    assert page.locator("#place-shown").text_content() == "Carte centrée sur 50.410000, 4.390000."
    context.close()


def test_without_a_geocoder_no_search_is_offered(site: Site, chromium: Any) -> None:
    trail = _trail(site, "no-geocoder")
    site.app.state.settings = site.settings.model_copy(update={"geocoder_url": None})
    try:
        context, page = _open(chromium, site, trail["id"])
        assert page.get_by_label("Go to coordinates or a map link").is_visible()
        assert page.locator("#place-search").count() == 0
        context.close()
    finally:
        site.app.state.settings = site.settings


def _gpx(path: Path, body: str) -> str:
    path.write_text(GPX_HEAD + body + "</gpx>", encoding="utf-8")
    return str(path)


def test_stops_imported_from_a_gpx_file_after_a_preview(
    site: Site, chromium: Any, tmp_path: Path
) -> None:
    trail = _trail(site, "imported-stops")
    context, page = _open(chromium, site, trail["id"])
    picker = page.get_by_label("Import stops from a file")
    problem = page.locator("#import-file-problem")

    # Nothing usable: said by the field, nothing created.
    picker.set_input_files(_gpx(tmp_path / "empty.gpx", ""))
    problem.wait_for()
    assert problem.text_content() == "no places to turn into stops were found"
    picker.set_input_files(str(_write(tmp_path / "notes.txt", "50.41, 4.39")))
    page.wait_for_function(
        "() => document.querySelector('#import-file-problem').textContent.includes('.gpx')"
    )
    far = '<wpt lat="50.40" lon="4.39"><name>Here</name></wpt><wpt lat="91" lon="4.39"/>'
    picker.set_input_files(_gpx(tmp_path / "far.gpx", far))
    page.wait_for_function(
        "() => document.querySelector('#import-file-problem').textContent.includes('latitude')"
    )
    assert (problem.text_content() or "").startswith("Place 2: latitude must be between -90 and 90")
    shot(page, "import-refused")
    assert len(_stops(site, trail["id"])) == 1

    # Waypoints: listed first, created on confirmation, then in the stop list and on the map.
    points = (
        '<wpt lat="50.4045" lon="4.3962"><name>Mill wheel</name><ele>112</ele></wpt>'
        '<wpt lat="50.4052" lon="4.3975"><name>Sluice</name></wpt>'
        '<wpt lat="50.4060" lon="4.3990"><name>Footbridge</name></wpt>'
    )
    picker.set_input_files(_gpx(tmp_path / "walk.gpx", points))
    page.locator("#import-list li").first.wait_for()
    assert page.locator("#import-list li").all_text_contents() == [
        "Mill wheel 50.404500, 4.396200",
        "Sluice 50.405200, 4.397500",
        "Footbridge 50.406000, 4.399000",
    ]
    # What the file held that a stop does not keep is said too.
    assert page.locator("#import-preview").text_content() == (
        "3 stops will be added to the trail:"
        "Mill wheel 50.404500, 4.396200Sluice 50.405200, 4.397500Footbridge 50.406000, 4.399000"
        "elevations not kept: positions are two-dimensional"
        "CancelCreate 3 stops"
    )
    shot(page, "import-preview")
    assert len(_stops(site, trail["id"])) == 1
    page.get_by_role("button", name="Create 3 stops").click()
    page.wait_for_selector("#stop-list li[data-key=footbridge]")
    assert page.locator("#stop-list .stop-name").all_text_contents() == [
        "1Gate",
        "2Mill wheel",
        "3Sluice",
        "4Footbridge",
    ]
    stops = _stops(site, trail["id"])
    assert [(s["key"], s["zone"]["radius_m"]) for s in stops[1:]] == [
        ("mill-wheel", 25.0),
        ("sluice", 25.0),
        ("footbridge", 25.0),
    ]
    # The map fits the whole trail: every stop's label is inside it.
    map_still(page)
    box = page.locator("#map").bounding_box()
    for label in page.locator("#map .stop-label").all():
        b = label.bounding_box()
        assert box["x"] <= b["x"] and b["x"] + b["width"] <= box["x"] + box["width"]
        assert box["y"] <= b["y"] and b["y"] + b["height"] <= box["y"] + box["height"]
    shot(page, "import-created")
    context.close()


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_map_without_tiles_says_so_and_keeps_a_scale(
    studio: Studio, site: Site, chromium: Any
) -> None:
    # The shared studio has no tile server configured: the notice names the setting.
    trail = _trail(studio, "no-tiles")
    context, page = _open(chromium, studio, trail["id"])
    notice = page.locator("#map-notice")
    assert notice.is_visible()
    assert notice.text_content() == (
        "No map background: no tile server is configured (the server's administrator sets one "
        "with BALADEUR_TILE_URL). Find places by their coordinates; your stops show on the "
        "plain background."
    )
    assert page.locator("#map .leaflet-control-scale-line").is_visible()
    # The stop is drawn on the plain background, its label readable.
    assert page.locator("#map .stop-label").all_text_contents() == ["1. Gate"]
    shot(page, "no-tiles")
    context.close()

    # A tile server configured but out of reach (no internet on the day): said differently.
    trail = _trail(site, "tiles-unreachable")
    context, page = _open(chromium, site, trail["id"])
    page.wait_for_selector("#map-notice:visible")
    assert (page.locator("#map-notice").text_content() or "").startswith(
        "The map background cannot be loaded (no internet connection?)."
    )
    assert page.locator("#map .leaflet-control-scale-line").is_visible()
    shot(page, "tiles-unreachable")
    context.close()
