"""Problems and checks in the language of Accept-Language; machine-read parts unchanged."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.people import People
from tests.support.problems import problem

TRAILS = "/v1/orgs/mill/trails"
# A zone too small for GPS, and a stop without its key: one domain rule, one pydantic rule.
BAD_STOP = {
    "title": {"fr": "Roue"},
    "zone": {"type": "circle", "center": [4.39, 50.4], "radius_m": 1},
}


def _trail(client: TestClient, people: People) -> dict[str, Any]:
    created = client.post(
        TRAILS,
        json={"slug": "moulin", "title": {"fr": "Moulin"}, "languages": ["fr"]},
        headers=people["editor"],
    )
    assert created.status_code == 201, created.text
    return created.json()


def _bad_stop(client: TestClient, people: People, trail_id: int, language: str) -> Any:
    headers = {**people["editor"], "Accept-Language": language}
    return client.post(f"{TRAILS}/{trail_id}/stops", json=BAD_STOP, headers=headers)


def test_an_invalid_request_is_explained_in_dutch_with_the_same_fields(
    client: TestClient, people: People
) -> None:
    trail = _trail(client, people)
    english = problem(_bad_stop(client, people, trail["id"], "en"), 422)
    response = _bad_stop(client, people, trail["id"], "nl-BE,nl;q=0.9,en;q=0.5")
    dutch = problem(response, 422)
    assert response.headers["content-language"] == "nl"
    assert "accept-language" in response.headers["vary"].lower()
    # What programs read is the same in every language.
    for key in ("type", "title", "status", "instance"):
        assert dutch.get(key) == english.get(key)
    assert [e["field"] for e in dutch["errors"]] == [e["field"] for e in english["errors"]]
    assert [e["value"] for e in dutch["errors"]] == [e["value"] for e in english["errors"]]
    messages = {e["field"]: e["message"] for e in dutch["errors"]}
    assert messages["body.key"] == "Verplicht veld"
    assert messages["body.zone.circle.radius_m"].startswith("de straal moet tussen 5 m en 5.000 m")
    assert {e["message"] for e in english["errors"]} >= {"Field required"}
    assert "Verplicht veld" in dutch["detail"] and "de straal" in dutch["detail"]
    assert dutch["detail"] != english["detail"]
    assert (
        client.get(f"{TRAILS}/{trail['id']}/stops", headers=people["editor"]).json()["total"] == 0
    )


def test_a_domain_error_is_explained_in_german(client: TestClient, people: People) -> None:
    headers = {**people["editor"], "Accept-Language": "de"}
    german = problem(client.get(f"{TRAILS}/987654", headers=headers), 404)
    english = problem(client.get(f"{TRAILS}/987654", headers=people["editor"]), 404)
    assert german["detail"] == "kein Rundgang 987654 in dieser Organisation"
    assert english["detail"] == "no trail 987654 in this organisation"
    assert german["title"] == english["title"] == "Not found"


def test_a_conflict_is_explained_in_french(client: TestClient, people: People) -> None:
    _trail(client, people)
    again = client.post(
        TRAILS,
        json={"slug": "moulin", "title": {"fr": "Moulin"}, "languages": ["fr"]},
        headers={**people["editor"], "Accept-Language": "fr"},
    )
    body = problem(again, 409)
    assert body["detail"].startswith("l'adresse 'moulin' est déjà utilisée")


@pytest.mark.parametrize(
    "header",
    ["", "*", "es, ja;q=0.5", ";;;q=,=", "nl;q=zero", "x" * 10_000, "nl_BE, --;q=1"],
)
def test_odd_accept_language_headers_answer_in_english_as_usual(
    client: TestClient, people: People, header: str
) -> None:
    headers = {**people["editor"], "Accept-Language": header}
    body = problem(client.get(f"{TRAILS}/987654", headers=headers), 404)
    assert body["detail"] == "no trail 987654 in this organisation"
    listed = client.get(TRAILS, headers=headers)
    assert listed.status_code == 200, listed.text


def test_authoring_checks_speak_the_asked_language(client: TestClient, people: People) -> None:
    trail = _trail(client, people)
    url = f"{TRAILS}/{trail['id']}/checks"
    dutch = client.get(url, headers={**people["editor"], "Accept-Language": "nl"})
    assert dutch.status_code == 200, dutch.text
    assert dutch.headers["content-language"] == "nl"
    assert dutch.json() == [
        {
            "severity": "info",
            "stop": None,
            "code": "no-stops",
            "message": "Nog geen haltes: voeg er een toe op de kaart.",
        }
    ]
    english = client.get(url, headers=people["editor"]).json()
    assert (
        english[0]["message"] == "No stops yet: add one on the map."
        and english[0]["code"] == "no-stops"
    )


def test_the_routers_own_refusals_are_said_in_words_in_each_language(
    client: TestClient,
) -> None:
    english = problem(client.get("/v1/no-such-thing"), 404)
    assert english["detail"] == "nothing is at this address"
    dutch = problem(client.get("/v1/no-such-thing", headers={"Accept-Language": "nl"}), 404)
    assert (dutch["type"], dutch["title"]) == (english["type"], english["title"])
    assert dutch["detail"] == "er staat niets op dit adres"
    wrong = client.delete("/v1/trails", headers={"Accept-Language": "de"})
    assert problem(wrong, 405)["detail"] == "diese Adresse nimmt keine DELETE-Anfragen an"
