"""Faults during real requests: a full disk, object storage down and back, a lost database.

Each one answers a clear problem (507 or 503 with ``Retry-After``) and leaves the previous
state exactly as it was: no asset row, no blob, no release.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from moto.server import ThreadedMotoServer
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from media.blobs import BlobStore
from media.blobs.local import LocalBlobStore
from media.blobs.s3 import S3BlobStore
from server.app import create_app
from server.db.models import Asset, Release
from server.db.session import Database
from server.jobs import Jobs, make_huey
from server.settings import Settings
from tests.api.test_releases import draft, releases_url
from tests.support.audio import ffmpeg_make, tone
from tests.support.live import free_port
from tests.support.people import People, make_people
from tests.support.problems import problem


@pytest.fixture(scope="module")
def wav(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("audio") / "voice.wav"
    return ffmpeg_make(out, *tone(0.5, rate=16000), "-ac", "1").read_bytes()


@contextmanager
def _client(db: Database, blobs: BlobStore, tmp_path: Path) -> Iterator[tuple[TestClient, People]]:
    settings = Settings(data_dir=tmp_path, inprocess_worker=False, scheduler_interval_s=0)
    jobs = Jobs(settings, huey=make_huey(settings, immediate=True), database=db, blobs=blobs)
    app = create_app(settings, database=db, blobs=blobs, jobs=jobs)
    with TestClient(app) as client:
        yield client, make_people(client, db)


def _count(db: Database, model: type) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _upload(client: TestClient, people: People, wav: bytes):  # type: ignore[no-untyped-def]
    return client.post(
        "/v1/orgs/mill/assets",
        files={"file": ("v.wav", wav, "audio/wav")},
        headers=people["editor"],
    )


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_disk_full_during_upload_then_space_again(
    db: Database, tmp_path: Path, wav: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "blobs"
    with _client(db, LocalBlobStore(root), tmp_path) as (client, people):

        def full(fd: int) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        # At the system-call boundary: the store's own error handling runs for real.
        with monkeypatch.context() as patch:
            patch.setattr("media.blobs.local.os.fsync", full)
            refused = _upload(client, people, wav)
        body = problem(refused, 507)
        assert refused.headers["retry-after"] and "full" in body["detail"]
        assert _count(db, Asset) == 0 and _files(root) == []
        assert _upload(client, people, wav).status_code == 201


def test_disk_full_during_publish_keeps_the_previous_release(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "blobs"
    with _client(db, LocalBlobStore(root), tmp_path) as (client, people):
        trail_id = draft(db, "fete")
        assert (
            client.post(releases_url(trail_id), json={}, headers=people["editor"]).status_code
            == 201
        )
        first = client.get("/v1/trails/fete/bundle", follow_redirects=True)
        assert first.status_code == 200
        before = set(_files(root))

        def full(fd: int) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        with monkeypatch.context() as patch:
            patch.setattr("media.blobs.local.os.fsync", full)
            problem(client.post(releases_url(trail_id), json={}, headers=people["editor"]), 507)
        assert _count(db, Release) == 1
        assert set(_files(root)) == before
        again = client.get("/v1/trails/fete/bundle", follow_redirects=True)
        assert again.status_code == 200 and again.content == first.content


def test_object_storage_down_then_back(db: Database, tmp_path: Path, wav: bytes) -> None:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    store = S3BlobStore(
        "baladeur-faults",
        endpoint_url=f"http://127.0.0.1:{port}",
        region="eu-west-1",
        access_key_id="testing",
        secret_access_key="testing",
        connect_timeout_s=1,
        max_attempts=1,
    )
    store.ensure_bucket()
    with _client(db, store, tmp_path) as (client, people):
        server.stop()
        refused = _upload(client, people, wav)
        problem(refused, 503)
        assert int(refused.headers["retry-after"]) > 0
        assert _count(db, Asset) == 0
        # The same endpoint comes back (moto keeps its buckets in the process).
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        try:
            accepted = _upload(client, people, wav)
            assert accepted.status_code == 201, accepted.text
            assert store.exists(f"originals/{accepted.json()['sha256']}")
        finally:
            server.stop()


class DropsOnce(Database):
    """Loses the connection when committing the next transaction, once (then recovers)."""

    armed = False

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with super().transaction() as session:
            yield session
            if self.armed:
                self.armed = False
                session.flush()
                raise OperationalError("COMMIT", {}, Exception("server closed the connection"))


def test_database_connection_lost_mid_request(empty_engine: object, tmp_path: Path) -> None:
    from server.db.migrate import upgrade

    db = DropsOnce(empty_engine)  # type: ignore[arg-type]
    upgrade(db.engine)
    with _client(db, LocalBlobStore(tmp_path / "blobs"), tmp_path) as (client, people):
        body = {"slug": "perdu", "title": {"fr": "Perdu"}, "languages": ["fr"]}
        db.armed = True
        lost = client.post("/v1/orgs/mill/trails", json=body, headers=people["editor"])
        problem(lost, 503)
        assert lost.headers["retry-after"]
        assert client.get("/v1/orgs/mill/trails", headers=people["editor"]).json()["total"] == 0
        again = client.post("/v1/orgs/mill/trails", json=body, headers=people["editor"])
        assert again.status_code == 201, again.text


# Terminating server-side connections is a PostgreSQL fault; SQLite has no server.
@pytest.mark.parametrize("backend", ["postgis"], indirect=True)
def test_postgres_connections_killed_between_requests(db: Database, tmp_path: Path) -> None:
    with _client(db, LocalBlobStore(tmp_path / "blobs"), tmp_path) as (client, people):
        assert client.get("/v1/orgs/mill", headers=people["editor"]).status_code == 200
        # The database server drops every pooled connection (a restart, a failover).
        outside = create_engine(db.engine.url, poolclass=NullPool)
        with outside.connect() as admin:
            killed = admin.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar()
        outside.dispose()
        assert killed and killed >= 1
        assert client.get("/v1/orgs/mill", headers=people["editor"]).status_code == 200
