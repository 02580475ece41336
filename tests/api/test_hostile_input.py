"""Hostile input answered cleanly (issue 16, finding 10 a and c): deep JSON, object reprs.

Deeply nested JSON once raised ``RecursionError`` (a 500) in a resident's submission, before
its invitation code was even checked; a cover that Pillow could not read answered with
``<_io.BytesIO object at 0x…>`` in its detail.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from server.problems import problem_response
from tests.api.test_cover import cover_url
from tests.api.test_releases import draft
from tests.support.people import People
from tests.support.problems import problem
from trails.errors import DomainError, FieldError, invalid

DEEP = "[" * 100_000
ALMOST = "[" * 900 + "]" * 900  # under Python's recursion limit: parses, then must be refused
# The same inside an object: a top-level list is refused as "not an object" before anything
# walks it, so only a deep value in a field reaches validation and the error answer.
DEEP_FIELD = '{"title": ' + DEEP + "}"
ALMOST_FIELD = '{"title": ' + ALMOST + "}"
REPR = re.compile(r"object at 0x|<_io\.|0x[0-9a-f]{6,}")


def _invitation(client: TestClient, people: People) -> str:
    r = client.post("/v1/orgs/mill/invitations", json={"label": "x"}, headers=people["editor"])
    assert r.status_code == 201, r.text
    code: str = r.json()["code"]
    return code


def _submit(client: TestClient, code: str, data: str) -> Any:
    return client.post(
        f"/v1/invitations/{code}/contributions",
        files={"audio": ("a.wav", b"RIFF", "audio/wav")},
        data={"data": data},
    )


def test_a_stranger_is_refused_before_the_body_is_read(client: TestClient, people: People) -> None:
    body = problem(_submit(client, "inv_bogus", DEEP), 404)
    assert "invitation" in body["detail"]


@pytest.mark.parametrize("data", [DEEP, ALMOST], ids=["100000-deep", "900-deep"])
def test_deep_json_in_a_submission_is_a_clean_422(
    client: TestClient, people: People, data: str
) -> None:
    code = _invitation(client, people)
    body = problem(_submit(client, code, data), 422)
    assert body["errors"][0]["field"] == "data" and "nested" in body["errors"][0]["message"]


def _fill(path: str) -> str:
    values = {"org": "mill", "slug": "walk", "code": "inv_bogus", "name": "x", "sha256": "0" * 64}
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "1"), path)


@pytest.mark.parametrize(
    "body",
    [DEEP, ALMOST, DEEP_FIELD, ALMOST_FIELD],
    ids=["100000-deep", "900-deep", "100000-deep-field", "900-deep-field"],
)
def test_every_json_body_refuses_deep_nesting_cleanly(
    client: TestClient, people: People, db: Any, body: str
) -> None:
    draft(db, "walk")
    spec = client.get("/openapi.json").json()
    tried = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            tried += 1
            answer = client.request(
                method.upper(),
                _fill(path),
                content=body.encode(),
                headers={**people["owner"], "Content-Type": "application/json", "If-Match": "*"},
            )
            assert answer.status_code in (400, 404, 409, 412, 422, 428), (method, path, answer.text)
            problem(answer, answer.status_code)
    assert tried > 20


def test_a_broken_cover_says_so_without_an_object_repr(
    client: TestClient, people: People, db: Any
) -> None:
    trail_id = draft(db, "walk")
    broken = b"\x89PNG\r\n\x1a\n" + b"\0" * 200
    answer = client.put(
        cover_url(trail_id),
        files={"file": ("c.png", broken, "image/png")},
        headers={**people["editor"], "If-Match": "*"},
    )
    body = problem(answer, 415)
    assert not REPR.search(answer.text), body["detail"]


def test_no_problem_detail_carries_an_object_repr() -> None:
    # The class: any error whose words quote a library object, through the one error map.
    from server import problems

    app = FastAPI()
    problems.install(app)

    @app.get("/detail")
    def detail() -> None:
        raise DomainError(f"cannot identify image file {io.BytesIO()!r}")

    @app.get("/field")
    def field() -> None:
        raise invalid("file", io.BytesIO(), f"unreadable: {object()!r}")

    with TestClient(app) as client:
        for path in ("/detail", "/field"):
            answer = client.get(path)
            assert answer.status_code in (400, 422)
            assert not REPR.search(answer.text), answer.text
            assert answer.headers["content-type"] == "application/problem+json"


def test_a_field_value_that_is_an_object_is_not_echoed() -> None:
    request: Any = type("R", (), {"url": type("U", (), {"path": "/x"})(), "headers": {}})()
    answer = problem_response(request, 422, "bad", errors=[FieldError("f", io.BytesIO(), "m")])
    assert b"BytesIO" not in answer.body
