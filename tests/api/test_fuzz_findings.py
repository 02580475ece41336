"""What the API fuzzing found: answers that did not match the OpenAPI document.

Each test pins one finding of ``tests/reliability/test_fuzz_api.py`` so it cannot return
even when the (slow) fuzzing does not run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.settings import Settings
from tests.support.drafts import new_trail
from tests.support.people import People
from tests.support.problems import problem


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    # The document needs no database: it is built from the routes alone.
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("spec")))
    return app.openapi()


def _responses(spec: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    responses: dict[str, Any] = spec["paths"][path][method]["responses"]
    return responses


def test_errors_are_documented_as_problem_json(spec: dict[str, Any]) -> None:
    # The handlers answer application/problem+json; the document used to say application/json
    # (and FastAPI's own 422 shape, which the API never sends).
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                content = response.get("content", {})
                if status.startswith(("4", "5")) and content:
                    assert set(content) == {"application/problem+json"}, (method, path, status)
                    ref = content["application/problem+json"]["schema"]["$ref"]
                    assert ref == "#/components/schemas/Problem", (method, path, status)


def test_files_are_documented_with_their_media_types(spec: dict[str, Any]) -> None:
    bundle = _responses(spec, "get", "/v1/bundles/{name}")
    assert set(bundle["200"]["content"]) == {"application/zip"}
    assert {"206", "304", "403", "404", "410", "416"} <= set(bundle)
    media = _responses(spec, "get", "/v1/media/{name}")
    assert set(media["200"]["content"]) == {"audio/ogg", "audio/mp4", "text/vtt"}
    photo = _responses(spec, "get", "/v1/orgs/{org}/stories/{story_id}/photo")
    assert set(photo["200"]["content"]) == {"image/png", "image/jpeg", "image/webp"}


def test_empty_answers_are_documented_without_a_body(spec: dict[str, Any]) -> None:
    redirect = _responses(spec, "get", "/v1/trails/{slug}/bundle")
    assert "content" not in redirect["307"]
    assert "403" in redirect  # a trail whose window has not begun yet
    assert "content" not in _responses(spec, "post", "/v1/orgs/{org}/uploads")["201"]
    head = _responses(spec, "head", "/v1/orgs/{org}/uploads/{upload_id}")
    assert "content" not in head["200"]
    assert {"401", "403", "404"} <= set(head)


@pytest.mark.parametrize("path", ["/v1/orgs/mill/photos", "/v1/orgs/mill/consent-forms"])
def test_a_file_of_the_wrong_type_is_a_documented_415(
    client: TestClient, people: People, spec: dict[str, Any], path: str
) -> None:
    response = client.post(
        path, files={"file": ("f.txt", b"not an image", "text/plain")}, headers=people["editor"]
    )
    problem(response, 415)
    documented = _responses(spec, "post", path.replace("/mill/", "/{org}/"))
    assert {"413", "415"} <= set(documented)


def test_update_times_keep_their_zone(client: TestClient, people: People) -> None:
    # SpatiaLite drops zones: updated_at came back naive, not the date-time the schema promises.
    made = new_trail(client, people["editor"], "moulin", title="Moulin")
    got = client.get(f"/v1/orgs/mill/trails/{made['id']}", headers=people["editor"])
    assert got.status_code == 200, got.text
    for field in ("created_at", "updated_at"):
        assert datetime.fromisoformat(got.json()[field]).tzinfo is not None, field


@pytest.mark.parametrize(
    "url",
    [
        "/v1/orgs/mill/trails/{big}",
        "/v1/orgs/mill/stories/{big}",
        "/v1/orgs/mill/trails?offset={big}",
        "/v1/trails?offset={big}",
        "/v1/trails/moulin/changes?since={big}",
    ],
)
@pytest.mark.parametrize("big", [2**31, 2**64])
def test_a_number_too_large_for_the_database_is_bad_input(
    client: TestClient, people: People, url: str, big: int
) -> None:
    # SQLite's driver raised OverflowError past 64 bits, PostgreSQL "out of range" past its
    # 32-bit ids: both were 500s. No row can match: an empty page, not found, or invalid.
    response = client.get(url.format(big=big), headers=people["editor"])
    if response.status_code == 200:
        assert response.json()["items"] == []
    else:
        assert response.status_code in (404, 422), response.text
        problem(response, response.status_code)


def test_an_unreadable_body_is_a_documented_400(
    client: TestClient, people: People, spec: dict[str, Any]
) -> None:
    # FastAPI answers 400 to a JSON body that is not UTF-8; no operation documented it.
    response = client.post(
        "/v1/orgs",
        content=b"\xff\xfe{",
        headers={**people["editor"], "Content-Type": "application/json"},
    )
    problem(response, 400)
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if "requestBody" in operation:
                assert "400" in operation["responses"], (method, path)


def test_an_invalid_infinite_number_is_reported_not_a_server_error(
    client: TestClient, people: People
) -> None:
    code = client.post(
        "/v1/orgs/mill/invitations", json={"label": "atelier"}, headers=people["editor"]
    ).json()["code"]
    answer = client.post(
        f"/v1/invitations/{code}/contributions",
        files={"audio": ("audio", b"", "application/octet-stream")},
        data={"data": "Infinity"},
    )
    body = problem(answer, 422)
    assert body["errors"][0]["value"] == "inf"
