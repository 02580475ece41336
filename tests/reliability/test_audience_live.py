"""Download counting over real HTTP, on every way a bundle's bytes leave: sent by the
kernel (zero-copy), streamed, or from an object store's presigned URL. A request counts only
when it sent (or, to a store, asked for) the last byte; a client that leaves early does not."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

import server.zerocopy
from media.blobs.s3 import S3BlobStore
from server.app import create_app
from server.db.models import DownloadCount
from server.db.session import Database
from server.jobs import Jobs, make_huey
from server.settings import Settings
from tests.support.factories import add_trail, trail_source
from tests.support.live import live_server, walk_app
from tests.support.s3 import s3_server
from trails.bundle.signing import Keyring

Serve = Callable[..., AbstractContextManager[str]]


@pytest.fixture
def serve(db: Database, tmp_path: Path) -> Serve:
    """A published trail on a local blob store; ``serve(**uvicorn_options)`` runs a server."""
    app = walk_app(db, tmp_path)
    return lambda **options: live_server(app, **options)


def _total(db: Database) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.coalesce(func.sum(DownloadCount.count), 0))) or 0)


def _counted(db: Database, expected: int) -> int:
    """The downloads counted, once they reach ``expected`` or 10 s passed, then a moment more.

    The server counts just after the last byte left, which may be after the client has read
    it; a count that should not happen is caught by the next figure or the final moment.
    """
    deadline = time.monotonic() + 10
    while _total(db) != expected and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    return _total(db)


@pytest.mark.parametrize("options", [{}, {"http": "h11"}], ids=["zero-copy", "streamed"])
def test_only_responses_that_send_the_last_byte_count(
    serve: Serve, db: Database, options: dict[str, Any]
) -> None:
    with serve(**options) as base, httpx.Client(base_url=base, follow_redirects=True) as http:
        whole = http.get("/v1/trails/walk/bundle")
        url, size, etag = str(whole.url), len(whole.content), whole.headers["etag"]
        assert _counted(db, 1) == 1
        http.get(url, headers={"Range": "bytes=0-99"})  # interrupted: stops short of the end
        http.head(url)
        http.get(url, headers={"If-None-Match": etag})
        assert _counted(db, 1) == 1
        http.get(url, headers={"Range": "bytes=100-", "If-Range": etag})  # its resumption
        assert _counted(db, 2) == 2
        http.get(url, headers={"Range": f"bytes=-{size // 2}"})  # a tail reaches the end too
        assert _counted(db, 3) == 3


def test_a_client_that_leaves_before_the_end_is_not_counted(
    serve: Serve, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = server.zerocopy._send_span

    async def cut(loop: Any, cycle: Any, span: Any, stall: float) -> None:
        # The client hangs up as the kernel starts sending: what the protocol records then.
        cycle.disconnected = True
        cycle.transport.abort()

    with serve() as base, httpx.Client(base_url=base, follow_redirects=True) as http:
        url = str(http.get("/v1/trails/walk/bundle").url)
        assert _counted(db, 1) == 1
        monkeypatch.setattr(server.zerocopy, "_send_span", cut)
        with pytest.raises(httpx.HTTPError):
            http.get(url)
        monkeypatch.setattr(server.zerocopy, "_send_span", real)
    assert _counted(db, 1) == 1


def test_with_an_object_store_the_request_for_the_last_byte_counts(
    db: Database, tmp_path: Path
) -> None:
    # The store sends the bytes from a presigned URL: the server only sees the requests it
    # redirects there, so it counts the one that will fetch the last byte.
    with s3_server() as s3:
        bucket = f"audience-{uuid.uuid4().hex[:12]}"
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
            # The trail's address sends a whole download straight to the store: counted.
            direct = http.get("/v1/trails/walk/bundle")
            assert direct.status_code == 307 and direct.headers["location"].startswith(s3.url)
            assert _counted(db, 1) == 1
            sha = direct.headers["location"].split("/")[-1].split("?")[0].split(".")[0]
            by_hash = f"/v1/bundles/{sha}.zip"
            assert http.get(by_hash, headers={"Range": "bytes=0-99"}).status_code == 307
            http.head(by_hash)
            assert _counted(db, 1) == 1
            assert http.get(by_hash, headers={"Range": "bytes=100-"}).status_code == 307
            assert http.get(by_hash).status_code == 307
            assert _counted(db, 3) == 3
