"""Finding places for the studio: the search by name proxied to a Nominatim-compatible
geocoder (a real one on loopback), and stops imported from GPX, GeoJSON and KML files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server.settings import Settings
from tests.support.geocoder import Geocoder, closed_port_url, geocoder_server
from tests.support.people import People

MILL = "/v1/orgs/mill"
MOULIN = "Moulin de Marchienne, Rue du Moulin, Marchienne-au-Pont, Charleroi, Belgique"
GPX_HEAD = (
    '<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'
)


@pytest.fixture(scope="module")
def geocoder() -> Iterator[Geocoder]:
    with geocoder_server() as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path, geocoder: Geocoder) -> Settings:
    geocoder.mode, geocoder.requests[:] = "ok", []
    return Settings(
        data_dir=tmp_path, inprocess_worker=False, geocoder_url=geocoder.url, geocoder_timeout_s=0.5
    )


def _search(client: TestClient, people: People, q: str, who: str = "editor") -> object:
    return client.get(f"{MILL}/places", params={"q": q, "lang": "fr"}, headers=people[who])


def test_a_search_answers_a_short_list_of_places(
    client: TestClient, people: People, geocoder: Geocoder
) -> None:
    answer = _search(client, people, "moulin marchienne")
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    assert answer.json() == {
        "places": [
            {
                "name": MOULIN,
                "lat": 50.40482,
                "lon": 4.39961,
                # GeoJSON's order, from Nominatim's south, north, west, east.
                "bbox": [4.39811, 50.40382, 4.40111, 50.40582],
            }
        ]
    }
    # Two places answer to "moulin"; nothing answers to a made-up name.
    assert len(_search(client, people, "moulin").json()["places"]) == 2
    assert _search(client, people, "xyzzy").json() == {"places": []}
    # The geocoder was asked as its API says, by an application that names itself, and was
    # sent nothing of the person (no credential, no cookie).
    sent = geocoder.requests[0]
    assert sent["query"] == {
        "format": "jsonv2",
        "q": "moulin marchienne",
        "limit": "8",
        "accept-language": "fr",
    }
    headers = {k.lower(): v for k, v in sent["headers"].items()}  # type: ignore[union-attr]
    assert headers["user-agent"].startswith("Baladeur/")
    assert "authorization" not in headers and "cookie" not in headers


def test_only_members_search_and_a_blank_search_is_refused(
    client: TestClient, people: People, geocoder: Geocoder
) -> None:
    assert client.get(f"{MILL}/places", params={"q": "moulin"}).status_code == 401
    assert _search(client, people, "moulin", who="contributor").status_code == 200
    # Someone of another organisation does not see this one's search.
    assert _search(client, people, "moulin", who="stranger").status_code == 404
    blank = _search(client, people, "   ")
    assert blank.status_code == 422
    assert "name or an address" in blank.json()["detail"]
    # The blank search (and the stranger's) never reached the geocoder.
    assert len(geocoder.requests) == 1


@pytest.mark.parametrize(
    ("mode", "status", "words"),
    [
        ("down", 502, "cannot be reached"),
        ("slow", 504, "did not answer in time"),
        ("garbage", 502, "something other than a list of places"),
        ("html", 502, "something other than a list of places"),
        ("error", 502, "answered with an error (503)"),
    ],
)
def test_a_failing_geocoder_gives_a_clear_message_and_the_next_search_works(
    client: TestClient,
    people: People,
    geocoder: Geocoder,
    settings: Settings,
    mode: str,
    status: int,
    words: str,
) -> None:
    app = client.app
    if mode == "down":
        app.state.settings = settings.model_copy(update={"geocoder_url": closed_port_url()})  # type: ignore[attr-defined]
    geocoder.mode, geocoder.delay_s = mode, 2.0
    answer = _search(client, people, "moulin")
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert words in answer.json()["detail"]
    assert "coordinates" in answer.json()["detail"]
    app.state.settings = settings  # type: ignore[attr-defined]
    geocoder.mode = "ok"
    assert len(_search(client, people, "moulin").json()["places"]) == 2


def test_without_a_geocoder_there_is_no_search_and_the_studio_is_told(
    client: TestClient, people: People, settings: Settings
) -> None:
    assert client.get("/studio/config.json").json()["place_search"] is True
    client.app.state.settings = settings.model_copy(update={"geocoder_url": None})  # type: ignore[attr-defined]
    assert client.get("/studio/config.json").json()["place_search"] is False
    answer = _search(client, people, "moulin")
    assert answer.status_code == 404
    assert "no place search is configured" in answer.json()["detail"]


def test_a_geocoder_url_is_a_plain_http_base() -> None:
    assert Settings(geocoder_url="https://nominatim.example.org/").geocoder_url == (
        "https://nominatim.example.org"
    )
    for bad in ("ftp://x.org", "nominatim.org", "https://x.org/search?q=a"):
        with pytest.raises(ValueError, match="geocoder URL"):
            Settings(geocoder_url=bad)


# --- Stops from a file ---


def _trail(client: TestClient, people: People) -> int:
    trail = client.post(
        f"{MILL}/trails",
        json={"slug": "imported", "title": {"fr": "Import"}, "languages": ["fr", "en"]},
        headers=people["editor"],
    ).json()
    client.post(
        f"{MILL}/trails/{trail['id']}/stops",
        json={
            "key": "la-roue",
            "title": {"fr": "La roue"},
            "zone": {"type": "circle", "center": [4.3958, 50.4043], "radius_m": 40},
        },
        headers=people["editor"],
    ).raise_for_status()
    return int(trail["id"])


def _import(
    client: TestClient, people: People, trail_id: int, name: str, content: str, **kw: object
) -> object:
    return client.post(
        f"{MILL}/trails/{trail_id}/stops/import",
        json={"file_name": name, "content": content, **kw},
        headers=people[str(kw.pop("who", "editor"))] if "who" in kw else people["editor"],
    )


def _stops(client: TestClient, people: People, trail_id: int) -> list[dict[str, object]]:
    return client.get(f"{MILL}/trails/{trail_id}/stops", headers=people["editor"]).json()["items"]


WAYPOINTS = (
    GPX_HEAD
    + '<wpt lat="50.4050" lon="4.3990"><name>La roue</name><ele>112</ele></wpt>'
    + '<wpt lat="50.4060" lon="4.4010"><name>Le bief</name></wpt></gpx>'
)


def test_a_gpx_file_previews_then_creates_its_waypoints_as_stops(
    client: TestClient, people: People
) -> None:
    trail_id = _trail(client, people)
    preview = _import(client, people, trail_id, "moulin.gpx", WAYPOINTS, preview=True)
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["created"] is False
    assert [(s["key"], s["title"], s["zone"]) for s in body["stops"]] == [
        # The trail already has "la-roue": the new key is made free; titles in its first language.
        (
            "la-roue-2",
            {"fr": "La roue"},
            {"type": "circle", "center": [4.399, 50.405], "radius_m": 25.0},
        ),
        (
            "le-bief",
            {"fr": "Le bief"},
            {"type": "circle", "center": [4.401, 50.406], "radius_m": 25.0},
        ),
    ]
    assert body["dropped"] == ["elevations not kept: positions are two-dimensional"]
    assert len(_stops(client, people, trail_id)) == 1  # a preview creates nothing

    created = _import(client, people, trail_id, "moulin.gpx", WAYPOINTS)
    assert created.status_code == 201, created.text
    assert [s["key"] for s in created.json()["stops"]] == ["la-roue-2", "le-bief"]
    assert all("etag" in s for s in created.json()["stops"])
    assert [s["key"] for s in _stops(client, people, trail_id)] == [
        "la-roue",
        "la-roue-2",
        "le-bief",
    ]


def test_geojson_and_kml_points_become_stops(client: TestClient, people: People) -> None:
    trail_id = _trail(client, people)
    geojson = (
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        '{"name": "Écluse"}, "geometry": {"type": "Point", "coordinates": [4.402, 50.407]}}]}'
    )
    kml = (
        '<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        "<Placemark><name>Passerelle</name><Point><coordinates>4.403,50.408</coordinates></Point>"
        "</Placemark></Document></kml>"
    )
    assert _import(client, people, trail_id, "points.geojson", geojson).status_code == 201
    assert _import(client, people, trail_id, "Mes lieux.kml", kml).status_code == 201
    stops = _stops(client, people, trail_id)
    assert [(s["title"]["fr"], s["zone"]["center"]) for s in stops[1:]] == [
        ("Écluse", [4.402, 50.407]),
        ("Passerelle", [4.403, 50.408]),
    ]


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("vide.gpx", GPX_HEAD + "</gpx>", "no places to turn into stops were found"),
        (
            "trace.gpx",
            GPX_HEAD + '<trk><trkseg><trkpt lat="50.4" lon="4.3"/></trkseg></trk></gpx>',
            "no places to turn into stops were found",
        ),
        (
            "notes.txt",
            "50.41, 4.39",
            "the studio imports stops from .gpx, .geojson, .json, .kml files",
        ),
        ("photo.gpx", "\x89PNG not a document", "not"),
        ("carte.kml", GPX_HEAD + "</gpx>", "not"),
        (
            "loin.gpx",
            GPX_HEAD
            + '<wpt lat="50.4" lon="4.3"><name>Ici</name></wpt>'
            + '<wpt lat="91" lon="4.3"><name>Nulle part</name></wpt></gpx>',
            "",
        ),
    ],
)
def test_a_file_without_usable_places_creates_nothing(
    client: TestClient, people: People, name: str, content: str, words: str
) -> None:
    trail_id = _trail(client, people)
    answer = _import(client, people, trail_id, name, content)
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert words in problem["detail"] + " ".join(e["message"] for e in problem.get("errors", []))
    assert len(_stops(client, people, trail_id)) == 1


def test_a_contributor_cannot_import_stops(client: TestClient, people: People) -> None:
    trail_id = _trail(client, people)
    answer = client.post(
        f"{MILL}/trails/{trail_id}/stops/import",
        json={"file_name": "a.gpx", "content": WAYPOINTS},
        headers=people["contributor"],
    )
    assert answer.status_code == 403
    assert len(_stops(client, people, trail_id)) == 1
