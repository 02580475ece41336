"""Where a served file's bytes come from, over real HTTP: the kernel sends local blobs, with
the same bytes, ranges and validators as a streamed body; streaming still works where that is
not offered; an object store serves its own objects from a presigned URL."""

from __future__ import annotations

import hashlib
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest

import server.zerocopy
from media.blobs.s3 import S3BlobStore
from server.app import create_app
from server.db.session import Database
from server.jobs import Jobs, make_huey
from server.settings import Settings
from tests.support.factories import add_trail, trail_source
from tests.support.live import live_server, walk_app
from tests.support.s3 import s3_server
from trails.bundle.signing import Keyring

Serve = Callable[..., AbstractContextManager[str]]


@pytest.fixture
def sendfile_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Byte counts of the spans handed to the kernel, recorded as they are sent."""
    calls: list[int] = []
    real = server.zerocopy._send_span

    async def spy(loop: Any, cycle: Any, span: Any, stall: float) -> None:
        calls.append(span.count)
        await real(loop, cycle, span, stall)

    monkeypatch.setattr(server.zerocopy, "_send_span", spy)
    return calls


@pytest.fixture
def serve(db: Database, tmp_path: Path) -> Serve:
    """A published trail on a local blob store; ``serve(**uvicorn_options)`` runs a server."""
    app = walk_app(db, tmp_path)

    def running(**options: Any) -> AbstractContextManager[str]:
        return live_server(app, **options)

    return running


def _ranges(http: httpx.Client) -> Iterator[tuple[str, httpx.Response, bytes]]:
    """Every kind of request a download makes, with the bytes each must carry."""
    whole = http.get("/v1/trails/walk/bundle")
    url, body, etag = str(whole.url), whole.content, whole.headers["etag"]
    assert etag == f'"{hashlib.sha256(body).hexdigest()}"'
    size = len(body)
    yield "whole", whole, body
    yield "range", http.get(url, headers={"Range": "bytes=10-19"}), body[10:20]
    yield "resume", http.get(url, headers={"Range": "bytes=100-", "If-Range": etag}), body[100:]
    yield "suffix", http.get(url, headers={"Range": "bytes=-50"}), body[-50:]
    yield "last byte", http.get(url, headers={"Range": f"bytes={size - 1}-"}), body[-1:]
    stale = http.get(url, headers={"Range": "bytes=100-", "If-Range": '"0000"'})
    yield "stale validator", stale, body
    yield "head", http.head(url), b""
    yield "not modified", http.get(url, headers={"If-None-Match": etag}), b""


def _check(name: str, response: httpx.Response, expected: bytes) -> None:
    assert response.content == expected, name
    if name not in ("head", "not modified"):
        assert response.headers["content-length"] == str(len(expected)), name
    if name in ("range", "resume", "suffix", "last byte"):
        assert response.status_code == 206, name


def test_local_blobs_go_out_by_sendfile_with_every_range(
    serve: Serve, sendfile_calls: list[int]
) -> None:
    with serve() as base, httpx.Client(base_url=base, follow_redirects=True) as http:
        size = 0
        for name, response, expected in _ranges(http):
            _check(name, response, expected)
            size = size or len(expected)
        # The connection was kept alive through all of them: a JSON answer still follows.
        assert http.get("/v1/trails/walk").status_code == 200
    # Whole, range, resume, suffix, last byte, and the stale validator's whole file.
    assert sendfile_calls == [size, 10, size - 100, 50, 1, size]


def test_a_server_without_the_extension_streams_the_same_bytes(
    serve: Serve, sendfile_calls: list[int]
) -> None:
    with serve(http="h11") as base, httpx.Client(base_url=base, follow_redirects=True) as http:
        for name, response, expected in _ranges(http):
            _check(name, response, expected)
    assert sendfile_calls == []


def test_the_extension_is_offered_only_by_the_sendfile_protocol() -> None:
    seen: dict[str, Any] = {}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            seen[scope["path"]] = dict(scope.get("extensions") or {})
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    offered = {"http": server.zerocopy.SendfileProtocol, "lifespan": "off"}
    with live_server(app, **offered) as base:  # type: ignore[arg-type]
        assert httpx.get(f"{base}/offered").status_code == 204
    with live_server(app, http="h11", lifespan="off") as base:  # type: ignore[arg-type]
        assert httpx.get(f"{base}/plain").status_code == 204
    assert server.zerocopy.ZEROCOPY in seen["/offered"]
    assert server.zerocopy.ZEROCOPY not in seen["/plain"]


def test_an_object_store_serves_the_bytes_itself(db: Database, tmp_path: Path) -> None:
    with s3_server() as s3:
        # moto keeps its state per process: a bucket of this test's own.
        bucket = f"delivery-{uuid.uuid4().hex[:12]}"
        s3.create_bucket(bucket)
        blobs = S3BlobStore(
            bucket, endpoint_url=s3.url, region=s3.region,
            access_key_id=s3.access_key_id, secret_access_key=s3.secret_access_key,
        )  # fmt: skip
        keys = Keyring(tmp_path / "keys")
        add_trail(db, trail_source("walk", 50.405, 4.395), blobs=blobs, keys=keys)
        settings = Settings(data_dir=tmp_path, inprocess_worker=False)
        jobs = Jobs(settings, huey=make_huey(settings, immediate=True), database=db, blobs=blobs)
        app = create_app(settings, database=db, blobs=blobs, jobs=jobs, keys=keys)
        with live_server(app) as base, httpx.Client(base_url=base) as http:
            bundle = http.get("/v1/trails/walk/bundle").headers["location"]
            sha = bundle.split("/")[-1].split("?")[0].split(".")[0]
            by_hash = http.get(f"/v1/bundles/{sha}.zip")
            assert by_hash.status_code == 307
            direct = by_hash.headers["location"]
            assert direct.startswith(s3.url) and by_hash.headers["cache-control"] == "no-store"
            body = httpx.get(direct).content
            assert hashlib.sha256(body).hexdigest() == sha
            # Resuming works against the store, as it did against the server.
            tail = httpx.get(direct, headers={"Range": "bytes=100-"})
            assert tail.status_code == 206 and tail.content == body[100:]
            # A client that already holds these bytes is still told so without a redirect.
            same = http.get(f"/v1/bundles/{sha}.zip", headers={"If-None-Match": f'"{sha}"'})
            assert same.status_code == 304


def test_a_client_gone_before_the_response_starts_is_no_error(tmp_path: Path) -> None:
    # A download's request can wait (for a thread, for the database) while its client gives
    # up: the zero-copy body then has nobody to go to, and must not raise.
    payload = tmp_path / "payload"
    payload.write_bytes(b"x" * 1000)
    outcome: list[str] = []
    finished = threading.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        while (await receive())["type"] != "http.disconnect":
            pass
        try:
            await send({"type": "http.response.start", "status": 200, "headers": []})
            with payload.open("rb") as file:
                await send({"type": server.zerocopy.ZEROCOPY, "file": file, "count": 1000})
            outcome.append("quiet")
        except Exception as exc:
            outcome.append(repr(exc))
        finally:
            finished.set()

    offered = {"http": server.zerocopy.SendfileProtocol, "lifespan": "off"}
    with live_server(app, **offered) as base:  # type: ignore[arg-type]
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))) as client:
            client.sendall(b"GET /bundle HTTP/1.1\r\nHost: test\r\n\r\n")
        assert finished.wait(10)
    assert outcome == ["quiet"]
