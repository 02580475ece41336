"""The ``BlobStore`` protocol that every storage back end implements."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Protocol, runtime_checkable

from trails.errors import DomainError, NotFound

CHUNK_SIZE = 1 << 20


@dataclass(frozen=True)
class BlobInfo:
    """What a store knows of a blob: its key, size in bytes, and sha256 when known."""

    key: str
    size: int
    sha256: str | None = None
    content_type: str | None = None
    modified_at: datetime | None = None


class BlobNotFound(NotFound):
    """No blob under this key."""


class BlobStoreUnavailable(DomainError):
    """The store cannot be reached or is full; the operation can be retried later."""

    title = "Storage unavailable"

    def __init__(self, detail: str, *, full: bool = False, retry_after_s: int = 5) -> None:
        super().__init__(detail)
        self.full = full
        self.retry_after_s = retry_after_s


@runtime_checkable
class BlobStore(Protocol):
    """Content storage addressed by keys such as ``originals/<sha256>``.

    Writes are atomic: a blob is visible under its key whole or not at all, whatever
    happens during the write. Keys are relative, use ``/`` and never contain ``..``.
    """

    def put(
        self, key: str, data: BinaryIO | Iterable[bytes], *, content_type: str | None = None
    ) -> BlobInfo:
        """Store a stream (a file object or an iterable of chunks) under ``key``."""
        ...

    def open(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Yield the bytes from ``start`` to ``end`` inclusive (the whole blob by default)."""
        ...

    def open_file(self, key: str) -> BinaryIO | None:
        """The blob as an open local file, for the kernel to send without copying it
        through the process, or ``None`` when the store keeps no local files."""
        ...

    def stat(self, key: str) -> BlobInfo:
        """Size (and what else is known) of a blob, or :class:`BlobNotFound`."""
        ...

    def exists(self, key: str) -> bool:
        """Whether a blob is stored under ``key``."""
        ...

    def delete(self, key: str) -> None:
        """Remove a blob; removing a missing blob is not an error."""
        ...

    def scan(self, prefix: str) -> Iterator[BlobInfo]:
        """Every blob whose key starts with ``prefix`` (a folder such as ``bundles/``),
        with its size and modification time, in no particular order."""
        ...

    def url(self, key: str, *, expires_s: int = 3600) -> str | None:
        """A URL a client may download from directly (presigned), or ``None`` if the
        application must serve the bytes itself (local disk, memory)."""
        ...
