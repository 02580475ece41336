"""Draft trails and stops: the bad inputs the API issue names, each leaving nothing changed."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.people import People
from tests.support.problems import problem

TRAILS = "/v1/orgs/mill/trails"
ZONE = {"type": "circle", "center": [4.3958, 50.4043], "radius_m": 25}


def _trail(client: TestClient, people: People) -> dict[str, Any]:
    created = client.post(
        TRAILS,
        json={"slug": "moulin", "title": {"fr": "Moulin"}, "languages": ["fr"]},
        headers=people["editor"],
    )
    assert created.status_code == 201, created.text
    return created.json()


@pytest.mark.parametrize("field", [{"published": True}, {"organisation_id": 2}])
def test_patch_cannot_set_publication_or_owner(
    client: TestClient, people: People, field: dict[str, Any]
) -> None:
    trail = _trail(client, people)
    headers = {**people["editor"], "If-Match": trail["etag"]}
    body = problem(client.patch(f"{TRAILS}/{trail['id']}", json=field, headers=headers), 422)
    assert body["errors"][0]["field"] == f"body.{next(iter(field))}"
    after = client.get(f"{TRAILS}/{trail['id']}", headers=people["editor"]).json()
    assert after == trail


def test_unknown_language_is_refused(client: TestClient, people: People) -> None:
    body = problem(
        client.post(
            TRAILS,
            json={"slug": "x", "title": {"fr": "X"}, "languages": ["fr", "xx-notalanguage"]},
            headers=people["editor"],
        ),
        422,
    )
    assert body["errors"][0]["field"].startswith("body.languages")
    assert client.get(TRAILS, headers=people["editor"]).json()["total"] == 0


def test_invalid_zone_names_its_field_and_adds_nothing(client: TestClient, people: People) -> None:
    trail = _trail(client, people)
    stops = f"{TRAILS}/{trail['id']}/stops"
    tiny = {**ZONE, "radius_m": 1}
    body = problem(
        client.post(
            stops,
            json={"key": "roue", "title": {"fr": "Roue"}, "zone": tiny},
            headers=people["editor"],
        ),
        422,
    )
    assert [e["field"] for e in body["errors"]] == ["body.zone.circle.radius_m"]
    assert client.get(stops, headers=people["editor"]).json()["total"] == 0


def test_stops_reorder_and_refuse_a_stale_write(client: TestClient, people: People) -> None:
    trail = _trail(client, people)
    stops = f"{TRAILS}/{trail['id']}/stops"
    first, second = (
        client.post(
            stops, json={"key": key, "title": {"fr": key}, "zone": ZONE}, headers=people["editor"]
        ).json()
        for key in ("roue", "bief")
    )
    moved = client.patch(
        f"{stops}/{second['id']}",
        json={"position": 0},
        headers={**people["editor"], "If-Match": second["etag"]},
    )
    assert moved.status_code == 200, moved.text
    order = [s["key"] for s in client.get(stops, headers=people["editor"]).json()["items"]]
    assert order == ["bief", "roue"]
    problem(
        client.patch(
            f"{stops}/{second['id']}",
            json={"title": {"fr": "Ancien"}},
            headers={**people["editor"], "If-Match": second["etag"]},
        ),
        412,
    )
    assert first["key"] == "roue"
