"""Ambience layers of a draft through the editors' API: the source format's limits, each bad
input leaving nothing changed, the whole trail as an area, and the same bundle entry as an
imported layer."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.audio import ffmpeg_make, tone
from tests.support.people import People
from tests.support.problems import problem
from trails.geo import haversine_m

TRAILS = "/v1/orgs/mill/trails"
ZONE = {"type": "circle", "center": [4.3958, 50.4043], "radius_m": 25}
FAR = {"type": "circle", "center": [4.3988, 50.4043], "radius_m": 20}


@pytest.fixture
def loop_wav(tmp_path: Path) -> bytes:
    """A short stereo loop."""
    return ffmpeg_make(tmp_path / "riviere.wav", *tone(0.5, rate=16000), "-ac", "2").read_bytes()


@pytest.fixture
def draft(client: TestClient, people: People, loop_wav: bytes) -> dict[str, Any]:
    """A draft trail with two stops silent on purpose, and an audio asset of the organisation."""
    asset = client.post(
        "/v1/orgs/mill/assets",
        files={"file": ("riviere.wav", loop_wav, "audio/wav")},
        headers=people["editor"],
    )
    assert asset.status_code == 201, asset.text
    trail = client.post(
        TRAILS,
        json={"slug": "moulin", "title": {"fr": "Moulin"}, "languages": ["fr"]},
        headers=people["editor"],
    ).json()
    stops = f"{TRAILS}/{trail['id']}/stops"
    for key, zone in (("bief", ZONE), ("pont", FAR)):
        made = client.post(
            stops,
            json={"key": key, "title": {"fr": key}, "zone": zone, "silent": True},
            headers=people["editor"],
        )
        assert made.status_code == 201, made.text
    return {
        "trail": trail,
        "ambience": f"{TRAILS}/{trail['id']}/ambience",
        "asset_id": asset.json()["id"],
    }


def _river(audio: int, **changes: Any) -> dict[str, Any]:
    return {
        "key": "riviere",
        "title": {"fr": "La Sambre"},
        "asset_id": audio,
        "zone": {"type": "circle", "center": [4.3961, 50.4041], "radius_m": 30},
        "max_distance_m": 60,
        "min_gain_db": -30,
        "max_gain_db": -6,
        **changes,
    }


def test_create_list_change_and_delete_a_layer(
    client: TestClient, people: People, draft: dict[str, Any]
) -> None:
    editor = people["editor"]
    created = client.post(draft["ambience"], json=_river(draft["asset_id"]), headers=editor)
    assert created.status_code == 201, created.text
    river = created.json()
    assert created.headers["ETag"] == river["etag"]
    assert river["zone"] == {"type": "circle", "center": [4.3961, 50.4041], "radius_m": 30.0}
    assert (river["min_distance_m"], river["max_distance_m"]) == (0.0, 60.0)
    assert (river["min_gain_db"], river["max_gain_db"]) == (-30.0, -6.0)
    listed = client.get(draft["ambience"], headers=people["contributor"]).json()
    assert [a["key"] for a in listed["items"]] == ["riviere"] and listed["total"] == 1

    url = f"{draft['ambience']}/{river['id']}"
    assert client.get(url, headers=editor).json() == river
    problem(client.patch(url, json={"max_gain_db": -9}, headers=editor), 428)
    changed = client.patch(
        url, json={"max_gain_db": -9}, headers={**editor, "If-Match": river["etag"]}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["max_gain_db"] == -9 and changed.json()["etag"] != river["etag"]
    stale = client.patch(
        url, json={"min_gain_db": -40}, headers={**editor, "If-Match": river["etag"]}
    )
    assert stale.status_code == 412
    assert client.get(url, headers=editor).json()["min_gain_db"] == -30.0

    polygon = [[[4.395, 50.404], [4.397, 50.404], [4.397, 50.405], [4.395, 50.404]]]
    drawn = client.patch(
        url,
        json={"zone": {"type": "polygon", "coordinates": polygon}},
        headers={**editor, "If-Match": changed.json()["etag"]},
    )
    assert drawn.status_code == 200, drawn.text
    assert drawn.json()["zone"]["type"] == "polygon"

    gone = client.delete(url, headers={**editor, "If-Match": drawn.json()["etag"]})
    assert gone.status_code == 204
    assert client.get(url, headers=editor).status_code == 404


def test_a_temporary_route_copies_the_layers_as_its_own(
    client: TestClient, people: People, draft: dict[str, Any]
) -> None:
    editor = people["editor"]
    river = client.post(draft["ambience"], json=_river(draft["asset_id"]), headers=editor).json()
    copied = client.post(
        f"{TRAILS}/{draft['trail']['id']}/duplicate",
        json={"slug": "moulin-festival", "event": "Festival 2027"},
        headers=editor,
    )
    assert copied.status_code == 201, copied.text
    layers = f"{TRAILS}/{copied.json()['id']}/ambience"
    [twin] = client.get(layers, headers=editor).json()["items"]
    assert twin["id"] != river["id"]
    assert {k: v for k, v in twin.items() if k not in ("id", "etag")} == {
        k: v for k, v in river.items() if k not in ("id", "etag")
    }
    changed = client.patch(
        f"{layers}/{twin['id']}",
        json={"max_gain_db": -12},
        headers={**editor, "If-Match": twin["etag"]},
    )
    assert changed.status_code == 200, changed.text
    original = client.get(f"{draft['ambience']}/{river['id']}", headers=editor).json()
    assert original["max_gain_db"] == -6.0


def test_the_whole_trail_is_a_circle_around_every_stop(
    client: TestClient, people: People, draft: dict[str, Any]
) -> None:
    body = _river(draft["asset_id"], zone={"type": "trail"})
    created = client.post(draft["ambience"], json=body, headers=people["editor"])
    assert created.status_code == 201, created.text
    zone = created.json()["zone"]
    assert zone["type"] == "circle"
    lon, lat = zone["center"]
    for stop in (ZONE, FAR):
        x, y = stop["center"]
        # Each stop's far edge inside, with the margin to spare, and not absurdly wider.
        reach = haversine_m(lat, lon, y, x) + stop["radius_m"]
        assert reach + 29 <= zone["radius_m"] <= reach + 40


def test_the_whole_trail_needs_stops(client: TestClient, people: People, loop_wav: bytes) -> None:
    editor = people["editor"]
    asset = client.post(
        "/v1/orgs/mill/assets", files={"file": ("r.wav", loop_wav, "audio/wav")}, headers=editor
    ).json()
    trail = client.post(
        TRAILS, json={"slug": "vide", "title": {"fr": "Vide"}, "languages": ["fr"]}, headers=editor
    ).json()
    url = f"{TRAILS}/{trail['id']}/ambience"
    body = problem(
        client.post(url, json=_river(asset["id"], zone={"type": "trail"}), headers=editor), 422
    )
    assert body["errors"][0]["field"] == "zone" and "stops first" in body["errors"][0]["message"]
    assert client.get(url, headers=editor).json()["total"] == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"asset_id": None}, "body.asset_id", "required"),
        ({"asset_id": 999999}, "asset_id", "no such audio"),
        (
            {"zone": {"type": "circle", "center": [4.39, 50.4], "radius_m": 0}},
            "body.zone",
            "radius",
        ),
        (
            {"zone": {"type": "circle", "center": [4.39, 50.4], "radius_m": 5001}},
            "body.zone",
            "5000",
        ),
        (
            {"zone": {"type": "circle", "center": [4.39, 95], "radius_m": 20}},
            "body.zone",
            "latitude",
        ),
        ({"zone": {"type": "square"}}, "body.zone", "'circle', 'polygon', 'trail'"),
        ({"gain_law": "cubic"}, "body.gain_law", "Extra inputs"),
        ({"max_gain_db": 3}, "body.max_gain_db", "less than or equal to 0"),
        ({"min_gain_db": -3, "max_gain_db": -9}, "body", "min_gain_db must not be above"),
        ({"min_distance_m": 80}, "body", "min_distance_m must be smaller"),
        ({"max_distance_m": 0}, "body.max_distance_m", "greater than 0"),
        ({"key": "Not A Slug"}, "body.key", ""),
    ],
)
def test_a_bad_layer_is_refused_naming_its_field_and_adds_nothing(
    client: TestClient,
    people: People,
    draft: dict[str, Any],
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    sent = {k: v for k, v in _river(draft["asset_id"], **changes).items() if v is not None}
    body = problem(client.post(draft["ambience"], json=sent, headers=people["editor"]), 422)
    assert any(e["field"].startswith(field) and message in e["message"] for e in body["errors"]), (
        body["errors"]
    )
    assert client.get(draft["ambience"], headers=people["editor"]).json()["total"] == 0


def test_a_change_is_checked_on_the_layer_as_changed(
    client: TestClient, people: People, draft: dict[str, Any]
) -> None:
    editor = people["editor"]
    river = client.post(draft["ambience"], json=_river(draft["asset_id"]), headers=editor).json()
    url = f"{draft['ambience']}/{river['id']}"
    # min_gain_db -3 alone is fine; with max_gain_db -6 as stored it is not.
    body = problem(
        client.patch(url, json={"min_gain_db": -3}, headers={**editor, "If-Match": river["etag"]}),
        422,
    )
    assert "min_gain_db must not be above max_gain_db" in body["errors"][0]["message"]
    assert client.get(url, headers=editor).json() == river


def test_a_key_is_shared_with_stops_and_objects(
    client: TestClient, people: People, draft: dict[str, Any]
) -> None:
    taken = client.post(
        draft["ambience"], json=_river(draft["asset_id"], key="bief"), headers=people["editor"]
    )
    assert problem(taken, 409)["detail"].endswith("'bief'")
    client.post(draft["ambience"], json=_river(draft["asset_id"]), headers=people["editor"])
    objects = draft["ambience"].removesuffix("/ambience") + "/objects"
    clash = client.post(
        objects,
        json={
            "key": "riviere",
            "asset_id": draft["asset_id"],
            "position": [4.39, 50.4],
            "radius_m": 9,
        },
        headers=people["editor"],
    )
    assert problem(clash, 409)["detail"].endswith("'riviere'")
    stops = draft["ambience"].removesuffix("/ambience") + "/stops"
    stop = client.post(
        stops,
        json={"key": "riviere", "title": {"fr": "R"}, "zone": ZONE},
        headers=people["editor"],
    )
    assert problem(stop, 409)["detail"].endswith("'riviere'")


def test_a_contributor_reads_but_does_not_write(
    client: TestClient, people: People, draft: dict[str, Any]
) -> None:
    refused = client.post(
        draft["ambience"], json=_river(draft["asset_id"]), headers=people["contributor"]
    )
    assert refused.status_code == 403
    assert client.get(draft["ambience"], headers=people["contributor"]).json()["total"] == 0
    assert client.get(draft["ambience"], headers=people["stranger"]).status_code == 404


def _publish(
    client: TestClient, editor: dict[str, str], trail_id: int, slug: str
) -> dict[str, Any]:
    released = client.post(f"{TRAILS}/{trail_id}/releases", json={}, headers=editor)
    assert released.status_code == 201, released.text
    manifest: dict[str, Any] = client.get(f"/v1/trails/{slug}/manifest").json()
    return manifest


def test_an_authored_layer_is_bundled_as_an_imported_one(
    client: TestClient, people: People, draft: dict[str, Any], loop_wav: bytes
) -> None:
    editor = people["editor"]
    layer = _river(draft["asset_id"], min_distance_m=5)
    assert client.post(draft["ambience"], json=layer, headers=editor).status_code == 201
    authored = _publish(client, editor, draft["trail"]["id"], "moulin")

    # The same trail, written as a source folder names it, pushed under another address.
    source = {
        "slug": "moulin-source",
        "languages": ["fr"],
        "title": {"fr": "Moulin"},
        "stops": [
            {"key": "bief", "title": {"fr": "bief"}, "zone": ZONE},
            {"key": "pont", "title": {"fr": "pont"}, "zone": FAR},
        ],
        "ambience": [
            {**{k: v for k, v in layer.items() if k != "asset_id"}, "audio": "media/riviere.wav"}
        ],
    }
    sha = hashlib.sha256(loop_wav).hexdigest()
    pushed = client.put(
        f"{TRAILS}/by-slug/moulin-source/source",
        json={"trail": source, "media": {"media/riviere.wav": {"sha256": sha}}},
        headers=editor,
    )
    assert pushed.status_code == 201, pushed.text
    imported = _publish(client, editor, pushed.json()["trail_id"], "moulin-source")

    assert authored["ambience"] == imported["ambience"]
    (entry,) = authored["ambience"]
    assert entry["key"] == "riviere" and entry["max_gain_db"] == -6
    assert entry["zone"]["geometry"]["coordinates"] == [4.3961, 50.4041]
