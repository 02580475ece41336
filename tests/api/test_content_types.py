"""Every operation with a body answers 415 to a body of another media type (or of none).

The operations come from the OpenAPI document itself, so a new route is covered the day it
is added. Each is called by the owner of 'mill' on real objects, so that no other check
(a role, a missing object, an unusable invitation link) can answer first.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.people import People
from tests.support.problems import problem
from tests.support.world import one_of_everything

JSON = "application/json"
MULTIPART = "multipart/form-data"
# (Content-Type sent or None for none, body): never the type the operation declares.
WRONG = {
    JSON: [
        ("text/plain", b'{"title": "x"}'),
        ("application/x-www-form-urlencoded", b"title=x"),
        (None, b'{"title": "x"}'),
        (f"{MULTIPART}; boundary=b", b"--b\r\n\r\nx\r\n--b--\r\n"),
        ("not a media type", b"{}"),
    ],
    MULTIPART: [
        ("text/plain", b"x"),
        ("application/x-www-form-urlencoded", b"title=x"),
        (None, b"x"),
        (JSON, b'{"title": "x"}'),
    ],
}


@pytest.fixture
def objects(client: TestClient, people: People, tmp_path: Path) -> dict[str, Any]:
    return one_of_everything(client, people, tmp_path, uploader="editor")


def _with_bodies(client: TestClient) -> list[tuple[str, str, str]]:
    spec = client.get("/openapi.json").json()
    found = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for media_type in operation.get("requestBody", {}).get("content", {}):
                found.append((method.upper(), path, media_type))
    return found


def _url(path: str, objects: dict[str, Any]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(objects[m.group(1)]), path)


def test_every_body_of_another_type_is_a_415(
    client: TestClient, people: People, objects: dict[str, Any]
) -> None:
    operations = _with_bodies(client)
    assert {media_type for _, _, media_type in operations} == set(WRONG)
    assert len(operations) >= 25
    failures = []
    for method, path, declared in operations:
        for content_type, body in WRONG[declared]:
            headers = dict(people["owner"])
            if content_type is not None:
                headers["Content-Type"] = content_type
            response = client.request(method, _url(path, objects), content=body, headers=headers)
            if response.status_code != 415:
                failures.append(f"{method} {path} as {content_type}: {response.status_code}")
                continue
            detail = problem(response, 415)["detail"]
            if declared not in detail:
                failures.append(f"{method} {path} as {content_type}: {detail!r}")
    assert failures == [], "\n".join(failures)


def test_the_caller_is_checked_before_the_type(client: TestClient, people: People) -> None:
    # A stranger learns nothing more from a body of the wrong type than from a right one.
    url = "/v1/orgs/mill/trails"
    response = client.post(url, content=b"slug=x", headers={"Content-Type": "text/plain"})
    problem(response, 401)
    stranger = {**people["stranger"], "Content-Type": "text/plain"}
    problem(client.post(url, content=b"slug=x", headers=stranger), 404)
    editor = {**people["editor"], "Content-Type": "text/plain"}
    detail = problem(client.post(url, content=b"slug=x", headers=editor), 415)["detail"]
    assert "takes application/json, not text/plain" in detail


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "Application/JSON",
        "application/json; charset=utf-8",
        "application/merge-patch+json",
    ],
)
def test_json_with_or_without_a_charset_is_read(
    client: TestClient, people: People, content_type: str
) -> None:
    response = client.post(
        "/v1/orgs/mill/trails",
        content='{"slug": "été", "title": {"fr": "Été"}, "languages": ["fr"]}'.encode(),
        headers={**people["editor"], "Content-Type": content_type},
    )
    # The slug's accent is refused by validation: the body was read as UTF-8 JSON.
    assert response.status_code == 422, response.text


def test_a_declared_charset_other_than_utf8_is_read_as_utf8(
    client: TestClient, people: People
) -> None:
    # RFC 8259 defines no charset for JSON: the bytes are UTF-8 whatever the label says.
    latin1 = '{"email": "é@example.org", "password": "x"}'.encode("latin-1")
    response = client.post(
        "/v1/auth/tokens",
        content=latin1,
        headers={"Content-Type": "application/json; charset=latin-1"},
    )
    problem(response, 400)
    ascii_only = b'{"email": "nobody@example.org", "password": "not-the-password"}'
    response = client.post(
        "/v1/auth/tokens",
        content=ascii_only,
        headers={"Content-Type": "application/json; charset=latin-1"},
    )
    problem(response, 401)


def test_an_optional_body_may_be_left_out(
    client: TestClient, people: People, objects: dict[str, Any]
) -> None:
    # No body and no Content-Type: nothing to label (the approval's note is optional).
    url = _url("/v1/orgs/{org}/contributions/{story_id}/approve", objects)
    response = client.post(url, headers=people["editor"])
    assert response.status_code != 415, response.text


def test_the_document_lists_415_for_every_operation_with_a_body(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for method, path, _ in _with_bodies(client):
        assert "415" in spec["paths"][path][method.lower()]["responses"], (method, path)
