"""An in-memory blob store for unit tests."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import BinaryIO

from media.blobs.base import CHUNK_SIZE, BlobInfo, BlobNotFound
from media.blobs.keys import check_key


def iter_chunks(data: BinaryIO | Iterable[bytes]) -> Iterator[bytes]:
    """Chunks of a file object or of an iterable of byte strings."""
    if hasattr(data, "read"):
        reader: BinaryIO = data  # type: ignore[assignment]
        while chunk := reader.read(CHUNK_SIZE):
            yield chunk
    else:
        yield from data


class MemoryBlobStore:
    """Keeps blobs in a dict; a failed write leaves nothing behind, as on disk."""

    def __init__(self) -> None:
        self._blobs: dict[str, tuple[bytes, str | None]] = {}
        self._modified: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def put(
        self, key: str, data: BinaryIO | Iterable[bytes], *, content_type: str | None = None
    ) -> BlobInfo:
        """Store the stream under ``key`` once it has been read whole."""
        check_key(key)
        body = b"".join(iter_chunks(data))
        with self._lock:
            self._blobs[key] = (body, content_type)
            self._modified[key] = datetime.now(UTC)
        return BlobInfo(key, len(body), hashlib.sha256(body).hexdigest(), content_type)

    def open(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Yield the requested byte range."""
        body = self._get(key)[0]
        stop = len(body) if end is None else end + 1
        for offset in range(start, stop, CHUNK_SIZE):
            yield body[offset : min(offset + CHUNK_SIZE, stop)]

    def open_file(self, key: str) -> None:
        """Memory blobs are not files."""
        return None

    def stat(self, key: str) -> BlobInfo:
        """Size, hash and content type of a stored blob."""
        body, content_type = self._get(key)
        return BlobInfo(key, len(body), hashlib.sha256(body).hexdigest(), content_type)

    def exists(self, key: str) -> bool:
        """Whether the key is stored."""
        return key in self._blobs

    def delete(self, key: str) -> None:
        """Forget the blob."""
        with self._lock:
            self._blobs.pop(key, None)
            self._modified.pop(key, None)

    def url(self, key: str, *, expires_s: int = 3600) -> str | None:
        """Memory blobs have no URL of their own."""
        return None

    def scan(self, prefix: str) -> Iterator[BlobInfo]:
        """Stored blobs under ``prefix``."""
        with self._lock:
            items = [(k, len(v[0]), self._modified[k]) for k, v in self._blobs.items()]
        for key, size, modified in items:
            if key.startswith(prefix):
                yield BlobInfo(key, size, modified_at=modified)

    def keys(self) -> list[str]:
        """Every stored key, sorted (for tests)."""
        return sorted(self._blobs)

    def _get(self, key: str) -> tuple[bytes, str | None]:
        check_key(key)
        try:
            return self._blobs[key]
        except KeyError:
            raise BlobNotFound(f"no blob '{key}'") from None
