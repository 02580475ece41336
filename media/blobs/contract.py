"""Behaviour every ``BlobStore`` must show; the test suite runs it against each store."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator

from media.blobs.base import BlobNotFound, BlobStore
from trails.storage_names import (
    BUNDLE_PREFIX,
    ORIGINAL_PREFIX,
    WAVEFORM_PREFIX,
    bundle_key,
    original_key,
    rendition_key,
)


class StreamBroke(Exception):
    """Raised by :func:`broken_stream` halfway, like a client that disconnects."""


def broken_stream(before: int = 3 * 1024 * 1024) -> Iterator[bytes]:
    """Chunks of random bytes that fail after ``before`` bytes."""
    sent = 0
    while sent < before:
        yield os.urandom(1024 * 1024)
        sent += 1024 * 1024
    raise StreamBroke("client went away")


def check_round_trip(store: BlobStore, key: str = original_key("a" * 64)) -> None:
    """put, stat, open (whole and ranges), exists, delete, and a missing key."""
    body = os.urandom(3 * 1024 * 1024 + 17)
    info = store.put(key, iter([body[:1000], body[1000:]]), content_type="audio/wav")
    assert info.key == key and info.size == len(body)
    assert info.sha256 == hashlib.sha256(body).hexdigest()
    assert store.exists(key)
    assert store.stat(key).size == len(body)
    assert b"".join(store.open(key)) == body
    assert b"".join(store.open(key, 10, 19)) == body[10:20]
    assert b"".join(store.open(key, len(body) - 5)) == body[-5:]
    assert b"".join(store.open(key, 5, len(body) + 100)) == body[5:]
    other = bundle_key("b" * 64)
    store.put(other, [b"zip"])
    listed = {i.key: i for i in store.scan(ORIGINAL_PREFIX)}
    assert set(listed) == {key} and listed[key].size == len(body)
    assert listed[key].modified_at is not None
    assert [i.key for i in store.scan(BUNDLE_PREFIX)] == [other]
    assert list(store.scan(WAVEFORM_PREFIX)) == []
    store.delete(other)
    store.delete(key)
    assert not store.exists(key)
    store.delete(key)  # a second delete is fine
    missing = rendition_key("c" * 64, ".opus")
    assert not store.exists(missing)
    for action in (lambda: list(store.open(missing)), lambda: store.stat(missing)):
        try:
            action()
        except BlobNotFound:
            continue
        raise AssertionError("a missing blob must raise BlobNotFound")
