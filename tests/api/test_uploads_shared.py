"""Resumable uploads behind a round-robin balancer: two replicas share one database and one
blob store (a local directory, or S3 over HTTP), and any of them takes the next chunk."""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from media.blobs.base import BlobStore
from media.blobs.local import LocalBlobStore
from media.blobs.s3 import S3BlobStore
from server import scheduler
from server.accounts import get_or_create_organisation
from server.app import create_app
from server.db.models import Upload, UploadPiece
from server.db.session import Database
from server.jobs import Jobs, make_huey
from server.settings import Settings
from server.uploads import receive_chunk
from tests.support.audio import ffmpeg_make, tone
from tests.support.people import People, make_people
from tests.support.problems import problem
from tests.support.s3 import S3Endpoint, s3_server
from tests.support.tus import patch
from trails.errors import Conflict
from trails.storage_names import upload_folder, upload_piece_key

MIB = 1024 * 1024
_buckets = iter(range(10_000))


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Endpoint]:
    with s3_server() as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def big_wav(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """About 12 MiB (12.6 MB) of mono 16-bit WAV: 131 s at 48 kHz."""
    out = tmp_path_factory.mktemp("audio") / "long.wav"
    return ffmpeg_make(out, *tone(131, rate=48000), "-ac", "1").read_bytes()


@pytest.fixture(params=["local", "s3"])
def shared_blobs(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    if request.param == "local":
        return LocalBlobStore(tmp_path / "shared-blobs")
    endpoint: S3Endpoint = request.getfixturevalue("s3")
    store = S3BlobStore(
        f"uploads-{next(_buckets)}",
        endpoint_url=endpoint.url,
        region=endpoint.region,
        access_key_id=endpoint.access_key_id,
        secret_access_key=endpoint.secret_access_key,
    )
    store.ensure_bucket()
    return store


def _replica(db: Database, blobs: BlobStore, data_dir: Path) -> Iterator[TestClient]:
    # Each replica has its own scratch directory; nothing else of its own.
    settings = Settings(
        data_dir=data_dir,
        inprocess_worker=False,
        scheduler_interval_s=0,
        secret_key="one secret for every replica",
    )
    # Ingest jobs are queued, not run: these tests are about the bytes.
    jobs = Jobs(settings, huey=make_huey(settings), database=db, blobs=blobs)
    with TestClient(create_app(settings, database=db, blobs=blobs, jobs=jobs)) as client:
        yield client


@pytest.fixture
def replicas(
    db: Database, shared_blobs: BlobStore, tmp_path: Path
) -> Iterator[tuple[TestClient, TestClient]]:
    a = _replica(db, shared_blobs, tmp_path / "replica-a")
    b = _replica(db, shared_blobs, tmp_path / "replica-b")
    yield next(a), next(b)
    for gen in (a, b):
        next(gen, None)


@pytest.fixture
def who(replicas: tuple[TestClient, TestClient], db: Database) -> dict[str, str]:
    people: People = make_people(replicas[0], db)
    return people["editor"]


def _create(client: TestClient, who: dict[str, str], length: int) -> str:
    r = client.post(
        "/v1/orgs/mill/uploads",
        headers={**who, "Tus-Resumable": "1.0.0", "Upload-Length": str(length)},
    )
    assert r.status_code == 201, r.text
    return str(r.headers["location"])


def _offset(client: TestClient, url: str, who: dict[str, str]) -> int:
    return int(client.head(url, headers=who).headers["upload-offset"])


def _pieces(blobs: BlobStore, url: str) -> list[str]:
    """Every piece stored for the upload at ``url``, recorded or not."""
    return sorted(info.key for info in blobs.scan(upload_folder(url.rsplit("/", 1)[-1])))


def _asset_sha(client: TestClient, who: dict[str, str], asset_id: str) -> str:
    return str(client.get(f"/v1/orgs/mill/assets/{asset_id}", headers=who).json()["sha256"])


def _open_multipart(blobs: BlobStore) -> list[Any]:
    if not isinstance(blobs, S3BlobStore):
        return []
    return list(blobs.client.list_multipart_uploads(Bucket=blobs.bucket).get("Uploads", []))


def test_chunks_alternating_between_replicas_make_the_right_asset(
    replicas: tuple[TestClient, TestClient],
    who: dict[str, str],
    big_wav: bytes,
    shared_blobs: BlobStore,
) -> None:
    assert len(big_wav) > 11 * MIB
    url = _create(replicas[0], who, len(big_wav))
    sizes = [5 * MIB, 1 * MIB, 3 * MIB, 2 * MIB, 1]
    offset, turn, last = 0, 1, None
    for size in [*sizes, len(big_wav)]:
        chunk = big_wav[offset : offset + size]
        if not chunk:
            break
        # Each chunk goes to the other replica than the one that took the last.
        replica, other = replicas[turn % 2], replicas[(turn + 1) % 2]
        last = patch(replica, url, who, offset, chunk)
        assert last.status_code == 204, last.text
        offset += len(chunk)
        assert int(last.headers["upload-offset"]) == offset
        assert _offset(other, url, who) == offset
        turn += 1
    assert offset == len(big_wav) and last is not None
    asset_id = last.headers["baladeur-asset-id"]
    assert _asset_sha(replicas[0], who, asset_id) == hashlib.sha256(big_wav).hexdigest()
    assert _pieces(shared_blobs, url) == [] and _open_multipart(shared_blobs) == []


def test_the_same_chunk_sent_to_both_replicas_at_once_is_kept_once(
    replicas: tuple[TestClient, TestClient],
    who: dict[str, str],
    big_wav: bytes,
    shared_blobs: BlobStore,
) -> None:
    url = _create(replicas[0], who, len(big_wav))
    head = big_wav[: 4 * MIB]
    start = threading.Barrier(2)
    statuses: list[int] = []

    def send(client: TestClient) -> None:
        start.wait()
        statuses.append(patch(client, url, who, 0, head).status_code)

    threads = [threading.Thread(target=send, args=(client,)) for client in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [204, 409]
    assert _offset(replicas[1], url, who) == len(head)
    assert len(_pieces(shared_blobs, url)) == 1  # the loser's piece is gone
    done = patch(replicas[1], url, who, len(head), big_wav[len(head) :])
    assert done.status_code == 204, done.text
    sha = _asset_sha(replicas[0], who, done.headers["baladeur-asset-id"])
    assert sha == hashlib.sha256(big_wav).hexdigest()


async def _stream(*chunks: bytes) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


def test_a_late_chunk_loses_the_compare_and_set_and_leaves_no_bytes(
    db: Database, shared_blobs: BlobStore, tmp_path: Path
) -> None:
    """Two replicas both read the upload at offset 0; the second to store its piece loses."""
    with db.transaction() as session:
        org = get_or_create_organisation(session, "mill")
        session.add(
            Upload(
                id="race",
                organisation_id=org.id,
                length=10,
                filename="x.wav",
                expires_at=datetime.now(UTC) + timedelta(hours=1),
            )
        )
    with db.transaction() as session:
        seen_by_a = session.get_one(Upload, "race")
        session.expunge(seen_by_a)
    with db.transaction() as session:
        seen_by_b = session.get_one(Upload, "race")
        session.expunge(seen_by_b)
    scratch = tmp_path / "scratch"
    won = receive_chunk(db, shared_blobs, scratch, seen_by_a, 0, _stream(b"AAAA"), None)
    assert asyncio.run(won) == 4
    lost = receive_chunk(db, shared_blobs, scratch, seen_by_b, 0, _stream(b"BBBBBB"), None)
    with pytest.raises(Conflict):
        asyncio.run(lost)
    with db.transaction() as session:
        assert session.get_one(Upload, "race").offset == 4
        pieces = session.scalars(select(UploadPiece)).all()
        assert [(p.offset, p.size) for p in pieces] == [(0, 4)]
    assert _pieces(shared_blobs, "race") == [pieces[0].key]
    assert b"".join(shared_blobs.open(pieces[0].key)) == b"AAAA"


def test_an_upload_resumes_on_another_replica_after_one_died_mid_chunk(
    replicas: tuple[TestClient, TestClient],
    who: dict[str, str],
    big_wav: bytes,
    shared_blobs: BlobStore,
    db: Database,
) -> None:
    a, b = replicas
    url = _create(a, who, len(big_wav))
    first = 3 * MIB
    assert patch(a, url, who, 0, big_wav[:first]).status_code == 204
    # Replica a dies while storing the next chunk: its piece is written, never committed.
    upload_id = url.rsplit("/", 1)[1]
    shared_blobs.put(upload_piece_key(upload_id, first, "dead"), [big_wav[first : 6 * MIB]])
    assert _offset(b, url, who) == first
    done = patch(b, url, who, first, big_wav[first:])
    assert done.status_code == 204, done.text
    sha = _asset_sha(b, who, done.headers["baladeur-asset-id"])
    assert sha == hashlib.sha256(big_wav).hexdigest()
    assert _pieces(shared_blobs, url) == []  # the dead replica's stray piece went too
    problem(patch(a, url, who, len(big_wav), b""), 410)


def test_expiry_removes_every_piece(
    replicas: tuple[TestClient, TestClient],
    who: dict[str, str],
    big_wav: bytes,
    shared_blobs: BlobStore,
    db: Database,
) -> None:
    url = _create(replicas[0], who, len(big_wav))
    assert patch(replicas[0], url, who, 0, big_wav[: 6 * MIB]).status_code == 204
    assert patch(replicas[1], url, who, 6 * MIB, big_wav[6 * MIB : 7 * MIB]).status_code == 204
    assert len(_pieces(shared_blobs, url)) == 2
    with db.transaction() as session:
        session.execute(update(Upload).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert scheduler.tick(db, shared_blobs).uploads_removed == 1
    assert _pieces(shared_blobs, url) == [] and _open_multipart(shared_blobs) == []
    with db.transaction() as session:
        assert session.scalars(select(UploadPiece)).all() == []
    assert replicas[1].head(url, headers=who).status_code == 404


def test_a_finish_cut_short_is_done_by_an_empty_patch_on_another_replica(
    replicas: tuple[TestClient, TestClient],
    who: dict[str, str],
    big_wav: bytes,
    shared_blobs: BlobStore,
    db: Database,
    tmp_path: Path,
) -> None:
    a, b = replicas
    url = _create(a, who, len(big_wav))
    with db.transaction() as session:
        upload = session.get_one(Upload, url.rsplit("/", 1)[-1])
        session.expunge(upload)
    # Replica a commits the last byte and dies before finishing.
    stored = receive_chunk(db, shared_blobs, tmp_path, upload, 0, _stream(big_wav), None)
    assert asyncio.run(stored) == len(big_wav)
    assert _offset(b, url, who) == len(big_wav)
    done = patch(b, url, who, len(big_wav), b"")
    assert done.status_code == 204, done.text
    sha = _asset_sha(b, who, done.headers["baladeur-asset-id"])
    assert sha == hashlib.sha256(big_wav).hexdigest()
    assert _pieces(shared_blobs, url) == []
    body = problem(patch(a, url, who, len(big_wav), b""), 410)
    assert "complete" in body["detail"]
