"""Every blob store against one contract, then what is particular to each."""

from __future__ import annotations

import errno
import io
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from media.blobs.base import BlobNotFound, BlobStore, BlobStoreUnavailable
from media.blobs.contract import StreamBroke, broken_stream, check_round_trip
from media.blobs.local import LocalBlobStore
from media.blobs.memory import MemoryBlobStore
from media.blobs.s3 import S3BlobStore
from trails.errors import InvalidInput

_buckets = iter(range(10_000))


def make_s3(endpoint: str, **kwargs: object) -> S3BlobStore:
    store = S3BlobStore(f"bucket-{next(_buckets)}", endpoint_url=endpoint, **kwargs)  # type: ignore[arg-type]
    store.ensure_bucket()
    return store


@pytest.fixture(params=["memory", "local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BlobStore]:
    if request.param == "memory":
        yield MemoryBlobStore()
    elif request.param == "local":
        yield LocalBlobStore(tmp_path / "blobs")
    else:
        yield make_s3(request.getfixturevalue("s3_endpoint"))


def test_contract(store: BlobStore) -> None:
    assert isinstance(store, BlobStore)
    check_round_trip(store)


def test_file_object_and_empty_blob(store: BlobStore) -> None:
    store.put("renditions/x.opus", io.BytesIO(b"abc"))
    assert b"".join(store.open("renditions/x.opus")) == b"abc"
    store.put("renditions/empty.bin", iter([]))
    assert store.stat("renditions/empty.bin").size == 0
    assert b"".join(store.open("renditions/empty.bin")) == b""


def test_overwrite_replaces_whole(store: BlobStore) -> None:
    store.put("bundles/b.zip", iter([b"first version, longer"]))
    store.put("bundles/b.zip", iter([b"second"]))
    assert b"".join(store.open("bundles/b.zip")) == b"second"


def test_bad_keys_refused(store: BlobStore) -> None:
    for key in ("../etc/passwd", "/abs", "a/../b", ".hidden"):
        with pytest.raises(InvalidInput):
            store.put(key, iter([b"x"]))


def test_broken_stream_leaves_nothing(store: BlobStore, tmp_path: Path) -> None:
    key = "originals/" + "b" * 64
    with pytest.raises(StreamBroke):
        store.put(key, broken_stream())
    assert not store.exists(key)
    if isinstance(store, LocalBlobStore):
        assert [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()] == []


# -- local ----------------------------------------------------------------------------------


def test_local_paths_are_sharded(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    sha = "ab" + "c" * 62
    store.put(f"originals/{sha}", iter([b"x"]))
    assert (tmp_path / "originals" / "ab" / "cc" / sha).read_bytes() == b"x"
    other = store.path_for("renditions/clip.opus")
    assert other.parent.parent.parent == tmp_path / "renditions" and other.name == "clip.opus"
    assert store.url(f"originals/{sha}") is None


def test_local_disk_full_is_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = LocalBlobStore(tmp_path)

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    # Fault injection at the system-call boundary: a full disk is hard to get on demand.
    monkeypatch.setattr("media.blobs.local.os.fsync", full)
    with pytest.raises(BlobStoreUnavailable) as info:
        store.put("renditions/big.opus", iter([b"x" * 1000]))
    assert info.value.full
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_local_bad_range(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    store.put("a/b", iter([b"0123456789"]))
    with pytest.raises(InvalidInput):
        store.open("a/b", 5, 2)
    with pytest.raises(BlobNotFound):
        store.open("a/missing")


# -- S3 -------------------------------------------------------------------------------------


def test_s3_multipart_upload(s3_endpoint: str) -> None:
    mib = 1024 * 1024
    store = make_s3(s3_endpoint, multipart_threshold=5 * mib, multipart_chunksize=5 * mib)
    body = os.urandom(11 * mib + 3)
    chunks = (body[i : i + mib] for i in range(0, len(body), mib))
    info = store.put("originals/" + "c" * 64, chunks)
    assert info.size == len(body)
    head = store.client.head_object(Bucket=store.bucket, Key=info.key)
    assert head["ETag"].strip('"').endswith("-3")  # three parts: it went multipart
    assert b"".join(store.open(info.key, 6 * mib, 6 * mib + 9)) == body[6 * mib : 6 * mib + 10]


def test_s3_presigned_url_downloads(s3_endpoint: str) -> None:
    store = make_s3(s3_endpoint)
    store.put("bundles/trail.zip", iter([b"PK zip bytes"]), content_type="application/zip")
    assert store.stat("bundles/trail.zip").content_type == "application/zip"
    url = store.url("bundles/trail.zip", expires_s=60)
    assert url is not None and "Signature" in url
    with urllib.request.urlopen(str(url), timeout=10) as response:
        assert response.read() == b"PK zip bytes"


def test_s3_client_passed_in(s3_endpoint: str) -> None:
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket="injected")
    store = S3BlobStore("injected", client=client)
    store.put("a/b", iter([b"hello"]))
    assert b"".join(store.open("a/b")) == b"hello"


def test_s3_unreachable_is_unavailable() -> None:
    with socket_closed_port() as port:
        store = S3BlobStore(
            "nowhere", endpoint_url=f"http://127.0.0.1:{port}", connect_timeout_s=1, max_attempts=1
        )
        for action in (
            lambda: store.put("a/b", iter([b"x"])),
            lambda: store.exists("a/b"),
            lambda: list(store.open("a/b")),
        ):
            with pytest.raises(BlobStoreUnavailable):
                action()


def test_s3_missing_bucket_is_unavailable(s3_endpoint: str) -> None:
    store = S3BlobStore("no-such-bucket", endpoint_url=s3_endpoint, max_attempts=1)
    with pytest.raises(BlobStoreUnavailable):
        store.put("a/b", iter([b"x"]))


class socket_closed_port:
    """A loopback port with nothing listening."""

    def __enter__(self) -> int:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return int(s.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        return None
