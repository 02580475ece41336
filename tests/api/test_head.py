"""HEAD answers wherever GET does: the same status and headers, and no body.

Every GET operation of the OpenAPI document is called both ways on real objects, by an
editor and anonymously, and the web apps' pages and files too.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from media.blobs.memory import MemoryBlobStore
from server import webapps
from tests.support.live import live_server
from tests.support.people import People
from tests.support.world import one_of_everything

COMPARED = ("content-type", "content-length", "etag", "cache-control", "location", "allow")


@pytest.fixture
def objects(client: TestClient, people: People, tmp_path: Path) -> dict[str, Any]:
    return one_of_everything(client, people, tmp_path, uploader="editor")


def _url(path: str, objects: dict[str, Any]) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "name" and path.startswith("/v1/bundles/"):
            return str(objects["bundle"])
        return str(objects[name])

    return re.sub(r"\{(\w+)\}", fill, path)


def _differences(client: TestClient, url: str, headers: dict[str, str]) -> list[str]:
    get = client.get(url, headers=headers, follow_redirects=False)
    head = client.head(url, headers=headers, follow_redirects=False)
    found = []
    if head.status_code != get.status_code:
        found.append(f"status {head.status_code}, GET {get.status_code}")
    for name in COMPARED:
        if head.headers.get(name) != get.headers.get(name):
            found.append(f"{name} {head.headers.get(name)!r}, GET {get.headers.get(name)!r}")
    if head.content:
        found.append(f"a body of {len(head.content)} bytes")
    return found


def test_every_get_operation_answers_head_alike(
    client: TestClient, people: People, objects: dict[str, Any]
) -> None:
    spec = client.get("/openapi.json").json()
    # tus has a HEAD of its own (Upload-Offset), tested apart.
    paths = [
        p
        for p, operations in spec["paths"].items()
        if "get" in operations and "head" not in operations
    ]
    assert len(paths) >= 40
    failures = []
    for path in paths:
        for who, headers in (("editor", people["editor"]), ("anonymous", {})):
            for problem in _differences(client, _url(path, objects), dict(headers)):
                failures.append(f"{who} HEAD {path}: {problem}")
    assert failures == []


def test_head_is_not_listed_in_the_document(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    heads = [path for path, operations in spec["paths"].items() if "head" in operations]
    # Only tus's HEADs (members' and residents'), whose answer (Upload-Offset) is not a GET's.
    assert sorted(heads) == [
        "/v1/invitations/{code}/uploads/{upload_id}",
        "/v1/orgs/{org}/uploads/{upload_id}",
    ]


def test_the_web_apps_answer_head_alike(client: TestClient) -> None:
    urls = ["/play", "/play/sw.js", "/play/some-trail", "/studio", "/studio/config.json", "/docs"]
    for app in (webapps.PLAYER, webapps.STUDIO):
        asset = next((app.dist / "assets").iterdir())
        urls.append(f"{app.prefix}/assets/{asset.name}")
    failures = [f"HEAD {url}: {p}" for url in urls for p in _differences(client, url, {})]
    assert failures == []


def test_tus_head_keeps_its_own_answer(
    client: TestClient, people: People, objects: dict[str, Any]
) -> None:
    url = _url("/v1/orgs/{org}/uploads/{upload_id}", objects)
    head = client.head(url, headers=people["editor"])
    assert head.status_code == 200 and head.headers["upload-offset"] == "0"
    assert "application/json" in client.get(url, headers=people["editor"]).headers["content-type"]


class CountingStore(MemoryBlobStore):
    """A memory store that reads in small chunks, and counts them."""

    chunks = 0

    def open(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        for chunk in super().open(key, start, end):
            for offset in range(0, len(chunk), 256):
                CountingStore.chunks += 1
                yield chunk[offset : offset + 256]


@pytest.fixture
def blobs() -> MemoryBlobStore:
    return CountingStore()


def test_head_does_not_read_a_streamed_file(
    client: TestClient, people: People, objects: dict[str, Any], blobs: CountingStore
) -> None:
    url = _url("/v1/orgs/{org}/assets/{asset_id}/listen", objects)
    get = client.get(url, headers=people["editor"])
    assert get.status_code == 200
    read_by_get, CountingStore.chunks = CountingStore.chunks, 0
    head = client.head(url, headers=people["editor"])
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]
    assert read_by_get > 10
    assert CountingStore.chunks <= 2


def _pipelined(base: str, requests: list[str]) -> bytes:
    """Send ``requests`` one after the other on one connection; everything the server sent
    back until it has answered them all, or closed the connection, or went quiet."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(b"".join(f"{r} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode() for r in requests))
        received = b""
        while received.count(b"HTTP/1.1 ") < len(requests) or not received.endswith(b"}"):
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            received += chunk
    return received


def test_head_over_a_real_server_keeps_the_connection(
    client: TestClient, people: People, objects: dict[str, Any]
) -> None:
    """Through uvicorn's own framing (the tests above use a test client): a HEAD answered as
    the GET of a JSON route, of a download and of a page ends cleanly, and the next request
    on the same connection is answered."""
    heads = ["/v1/trails", f"/v1/bundles/{objects['bundle']}", "/play", "/healthz"]
    with live_server(cast(FastAPI, client.app)) as base:
        for path in heads:
            received = _pipelined(base, [f"HEAD {path}", "GET /healthz"])
            answers = received.split(b"HTTP/1.1 ")[1:]
            assert len(answers) == 2, f"HEAD {path}: the connection ended after {received!r}"
            assert answers[0].startswith(b"200 "), answers[0]
            assert answers[1].startswith(b"200 ") and answers[1].endswith(b"}"), answers[1]
