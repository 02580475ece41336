"""The server side of the studio: the checks and listening routes, and the /studio mount."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from server.webapps import STUDIO
from tests.api.conftest import blobs, client, jobs, people, settings
from tests.support.audio import ffmpeg_make, tone
from tests.support.people import People
from tests.support.problems import problem

__all__ = ["blobs", "client", "jobs", "people", "settings"]
MILL = [4.395, 50.4036]


def new_trail(client: TestClient, people: People, slug: str = "moulin") -> int:
    """A draft trail of the mill team; returns its id."""
    body = {"slug": slug, "title": {"fr": "Le moulin"}, "languages": ["fr"]}
    r = client.post("/v1/orgs/mill/trails", json=body, headers=people["editor"])
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def add_stop(client: TestClient, people: People, trail: int, key: str, **zone: Any) -> None:
    """A circle stop at the mill, shifted ``dx`` degrees east."""
    dx = zone.pop("dx", 0.0)
    body = {
        "key": key,
        "title": {"fr": key},
        "zone": {"type": "circle", "center": [MILL[0] + dx, MILL[1]], "radius_m": 25, **zone},
    }
    r = client.post(f"/v1/orgs/mill/trails/{trail}/stops", json=body, headers=people["editor"])
    assert r.status_code == 201, r.text


def test_checks_of_a_trail_without_stops_is_one_note(client: TestClient, people: People) -> None:
    trail = new_trail(client, people)
    r = client.get(f"/v1/orgs/mill/trails/{trail}/checks", headers=people["contributor"])
    assert r.status_code == 200, r.text
    assert r.json() == [
        {
            "severity": "info",
            "stop": None,
            "code": "no-stops",
            "message": "No stops yet: add one on the map.",
        }
    ]


def test_checks_name_the_stops_they_are_about(client: TestClient, people: People) -> None:
    trail = new_trail(client, people)
    add_stop(client, people, trail, "petit", radius_m=8)
    add_stop(client, people, trail, "vaste", radius_m=120, dx=0.01)
    r = client.get(f"/v1/orgs/mill/trails/{trail}/checks", headers=people["editor"])
    assert r.status_code == 200, r.text
    found = {(item["code"], item["stop"]) for item in r.json()}
    assert ("zone-too-small", "petit") in found
    assert ("zone-too-large", "vaste") in found
    assert all(item["severity"] in ("error", "warning", "info") for item in r.json())
    assert all(item["message"] for item in r.json())
    # Most serious first, as `baladeur validate` prints them.
    order = {"error": 0, "warning": 1, "info": 2}
    ranks = [order[item["severity"]] for item in r.json()]
    assert ranks == sorted(ranks)


def test_checks_of_another_organisations_trail_are_404(client: TestClient, people: People) -> None:
    trail = new_trail(client, people)
    r = client.get(f"/v1/orgs/festival/trails/{trail}/checks", headers=people["stranger"])
    assert problem(r, 404)
    r = client.get(f"/v1/orgs/mill/trails/{trail}/checks", headers=people["stranger"])
    assert r.status_code in (403, 404)
    r = client.get(f"/v1/orgs/mill/trails/{trail}/checks")
    assert r.status_code == 401


def _upload(client: TestClient, people: People, folder: Path) -> int:
    path = ffmpeg_make(folder / "voice.wav", *tone(1, rate=22050))
    with path.open("rb") as fh:
        r = client.post(
            "/v1/orgs/mill/assets",
            files={"file": (path.name, fh, "audio/wav")},
            headers=people["editor"],
        )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_listen_streams_the_phone_rendition(
    client: TestClient, people: People, tmp_path: Path
) -> None:
    asset = _upload(client, people, tmp_path)
    r = client.get(f"/v1/orgs/mill/assets/{asset}/listen", headers=people["editor"])
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "audio/ogg"
    assert r.content[:4] == b"OggS"
    assert int(r.headers["content-length"]) == len(r.content)


def test_listen_is_private_to_the_organisation(
    client: TestClient, people: People, tmp_path: Path
) -> None:
    asset = _upload(client, people, tmp_path)
    r = client.get(f"/v1/orgs/festival/assets/{asset}/listen", headers=people["stranger"])
    assert problem(r, 404)
    r = client.get("/v1/orgs/mill/assets/999999/listen", headers=people["editor"])
    assert problem(r, 404)


def test_config_gives_the_map_settings(client: TestClient) -> None:
    r = client.get("/studio/config.json")
    assert r.status_code == 200
    assert r.json() == {
        "tile_url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "tile_attribution": "© OpenStreetMap contributors",
        "place_search": False,
    }


def test_every_studio_page_is_the_shell(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>shell</title>")
    (tmp_path / "assets" / "app.js").write_text("export {};")
    monkeypatch.setattr(STUDIO, "dist", tmp_path)
    for path in ("/studio", "/studio/trails/3", "/studio/trails/3/publish", "/studio/review"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert r.headers["content-type"].startswith("text/html")
        assert "shell" in r.text
    r = client.get("/studio/assets/app.js")
    assert r.headers["content-type"].startswith("text/javascript")
    assert problem(client.get("/studio/assets/app.exe"), 404)
    assert problem(client.get("/studio/assets/missing.js"), 404)


def test_unbuilt_studio_says_how_to_build_it(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(STUDIO, "dist", tmp_path / "nothing")
    body = problem(client.get("/studio"), 404)
    assert body["title"] == "Studio not built"
    assert "npm run build" in body["detail"]


def test_unbuilt_studio_says_so_in_the_language_asked_for(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(STUDIO, "dist", tmp_path / "nothing")
    body = problem(client.get("/studio", headers={"Accept-Language": "fr"}), 404)
    assert body["title"] == "Studio not built"
    assert body["detail"] == (
        "impossible de servir le studio : index.html manque ; lancez `npm run build`"
    )
