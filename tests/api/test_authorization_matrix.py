"""Every operation x anonymous / contributor / editor / owner / another organisation's owner.

The expected access comes from the table in ``docs/api.md``: the test fails when an
operation of the application is missing from the table (or the table names one that does
not exist), and when any caller gets a status other than the table implies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.people import People
from tests.support.world import one_of_everything

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
ROW = re.compile(r"^\| (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \| (\S+) \| ([a-z ]+) \|$")
CALLERS = ["anonymous", "stranger", "contributor", "editor", "owner"]
RANK = {"contributor": 1, "editor": 2, "owner": 3}
DENIED = {401, 403}
# A sub-resource the fixture does not have (no photo): 404 there says nothing about access.
MAY_BE_ABSENT = {
    "/v1/orgs/{org}/stories/{story_id}/photo",
    "/v1/orgs/{org}/trails/{trail_id}/cover",
}
# Contributors may act on their own contributions' consents: anyone else's is not found.
OWN_FOR_CONTRIBUTORS = {"/v1/orgs/{org}/consents/{consent_id}/withdraw"}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    who: str


def documented() -> list[Operation]:
    rows = [ROW.match(line) for line in DOC.read_text(encoding="utf-8").splitlines()]
    return [Operation(*m.groups()) for m in rows if m]


def test_the_table_names_every_operation_of_the_application(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    actual = {(m.upper(), path) for path, ops in spec["paths"].items() for m in ops}
    table = {(op.method, op.path) for op in documented()}
    assert actual - table == set(), "operations missing from docs/api.md"
    assert table - actual == set(), "docs/api.md names operations that do not exist"


@pytest.fixture
def objects(client: TestClient, people: People, tmp_path: Path) -> dict[str, Any]:
    """One of everything in organisation 'mill'; the unfinished upload is the contributor's."""
    return one_of_everything(client, people, tmp_path)


def _url(op: Operation, objects: dict[str, Any]) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "name" and op.path.startswith("/v1/bundles/"):
            return str(objects["bundle"])
        return str(objects[name])

    return re.sub(r"\{(\w+)\}", fill, op.path)


def _allowed(op: Operation, caller: str) -> bool:
    if op.who == "public":
        return True
    if caller == "anonymous":
        return False
    if op.who == "signed in":
        return True
    if caller == "stranger":
        return False
    if op.who == "own":
        return caller == "contributor"  # the fixture's upload is the contributor's
    return RANK[caller] >= RANK[op.who]


def _expected_denial(op: Operation, caller: str) -> int:
    if caller == "anonymous":
        return 401
    if caller == "stranger" or op.who == "own":
        return 404
    if caller == "contributor" and op.path in OWN_FOR_CONTRIBUTORS:
        return 404  # another organisation's (or member's) objects do not exist for them
    return 403


# Calls that change state for good run last, and signing out very last.
def _order(op: Operation) -> tuple[int, str]:
    if op.path == "/v1/auth/tokens/current":
        return (4, op.path)
    if op.path.endswith("/withdraw"):
        return (3, op.path)  # republishes, and deletes the releases that held the story
    if op.method in {"GET", "HEAD", "OPTIONS"}:
        return (0, op.path)
    if op.method == "DELETE" or op.path.endswith(("/withdraw", "/revoke", "/reject", "/rollback")):
        return (2, op.path)
    return (1, op.path)


def test_every_operation_for_every_caller(
    client: TestClient, people: People, objects: dict[str, Any]
) -> None:
    failures = []
    for op in sorted(documented(), key=_order):
        url = _url(op, objects)
        # The lowest roles first: a denied call must never have had an effect.
        for caller in CALLERS:
            kwargs: dict[str, Any] = {"headers": dict(people[caller])}
            if op.path.endswith("/uploads/{upload_id}") and op.method == "PATCH":
                kwargs["headers"].update(
                    {"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}
                )
                kwargs["content"] = b"x"
            elif op.method in {"POST", "PUT", "PATCH"}:
                kwargs["json"] = {}
            status = client.request(op.method, url, **kwargs).status_code
            if _allowed(op, caller):
                absent_ok = op.who in {"public", "signed in"} or op.path in MAY_BE_ABSENT
                if status in DENIED or (status == 404 and not absent_ok):
                    failures.append(f"{caller} {op.method} {op.path}: {status}, should be let in")
            elif status != _expected_denial(op, caller):
                wanted = _expected_denial(op, caller)
                failures.append(f"{caller} {op.method} {op.path}: {status}, expected {wanted}")
    assert failures == [], "\n".join(failures)
