"""Blobs in a local directory: temporary file, fsync, rename; paths sharded by sha256."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from media.blobs.base import CHUNK_SIZE, BlobInfo, BlobNotFound, BlobStoreUnavailable
from media.blobs.keys import check_key
from media.blobs.memory import iter_chunks
from trails.errors import invalid
from trails.files import fsync_dir

_HEX64 = re.compile(r"^[0-9a-f]{64}")
_FULL = {errno.ENOSPC, errno.EDQUOT}
# Temporary files live here; keys cannot start with a dot, so no key ever lands in it.
_TMP_DIR = ".tmp"


def _unavailable(exc: OSError, what: str) -> BlobStoreUnavailable:
    if exc.errno in _FULL:
        return BlobStoreUnavailable(f"the blob directory is full while {what}", full=True)
    return BlobStoreUnavailable(f"the blob directory failed while {what}: {exc.strerror}")


def check_range(start: int, end: int | None) -> None:
    """Refuse a negative start or an end before the start."""
    if start < 0 or (end is not None and end < start):
        raise invalid("range", [start, end], "a byte range needs 0 <= start <= end")


class LocalBlobStore:
    """A :class:`~media.blobs.base.BlobStore` on local disk, for the embedded mode."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, key: str) -> Path:
        """Where ``key`` lives: ``<dirs>/<ab>/<cd>/<name>``, sharded by sha256.

        A name starting with a sha256 (``originals/<sha256>``) shards by it; any other name
        by the sha256 of the name, so no directory collects millions of entries.
        """
        check_key(key)
        *dirs, name = key.split("/")
        digest = name if _HEX64.match(name) else hashlib.sha256(name.encode()).hexdigest()
        return self.root.joinpath(*dirs, digest[:2], digest[2:4], name)

    def put(
        self, key: str, data: BinaryIO | Iterable[bytes], *, content_type: str | None = None
    ) -> BlobInfo:
        """Stream into a temporary file, fsync, then rename onto the key's path."""
        final = self.path_for(key)
        tmp_dir = self.root / _TMP_DIR
        try:
            tmp_dir.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix="put-", dir=tmp_dir)
        except OSError as exc:
            raise _unavailable(exc, "creating a temporary file") from exc
        tmp = Path(tmp_name)
        digest, size = hashlib.sha256(), 0
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in iter_chunks(data):
                    try:
                        out.write(chunk)
                    except OSError as exc:
                        raise _unavailable(exc, "writing") from exc
                    digest.update(chunk)
                    size += len(chunk)
                try:
                    out.flush()
                    os.fsync(out.fileno())
                except OSError as exc:
                    raise _unavailable(exc, "writing") from exc
            try:
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, final)
                fsync_dir(final.parent)
            except OSError as exc:
                raise _unavailable(exc, "storing") from exc
        except BaseException:
            # Whatever failed, including the caller's stream, leaves no partial file.
            tmp.unlink(missing_ok=True)
            raise
        return BlobInfo(key, size, digest.hexdigest(), content_type)

    def open(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Yield bytes ``start`` to ``end`` inclusive; a missing blob raises at once."""
        check_range(start, end)
        return self._read(self.open_file(key), start, end)

    def open_file(self, key: str) -> BinaryIO:
        """The blob's file, open for reading; a missing blob raises :class:`BlobNotFound`."""
        try:
            return self.path_for(key).open("rb")
        except FileNotFoundError:
            raise BlobNotFound(f"no blob '{key}'") from None
        except OSError as exc:
            raise _unavailable(exc, "reading") from exc

    @staticmethod
    def _read(f: BinaryIO, start: int, end: int | None) -> Iterator[bytes]:
        with f:
            f.seek(start)
            remaining = None if end is None else end - start + 1
            while remaining is None or remaining > 0:
                chunk = f.read(CHUNK_SIZE if remaining is None else min(CHUNK_SIZE, remaining))
                if not chunk:
                    return
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk

    def stat(self, key: str) -> BlobInfo:
        """Size of a stored blob (sha256 is not recomputed: it is in its key or its row)."""
        try:
            size = self.path_for(key).stat().st_size
        except FileNotFoundError:
            raise BlobNotFound(f"no blob '{key}'") from None
        return BlobInfo(key, size)

    def exists(self, key: str) -> bool:
        """Whether a blob is stored under ``key``."""
        return self.path_for(key).is_file()

    def delete(self, key: str) -> None:
        """Remove a blob; a missing one is fine."""
        try:
            self.path_for(key).unlink(missing_ok=True)
        except OSError as exc:
            raise _unavailable(exc, "deleting") from exc

    def scan(self, prefix: str) -> Iterator[BlobInfo]:
        """Blobs under a folder prefix such as ``bundles/`` (names are below two shard levels)."""
        folder = prefix.rstrip("/")
        base = self.root / folder if folder else self.root
        if not base.is_dir():
            return
        for path in base.glob("*/*/*"):
            if not path.is_file() or _TMP_DIR in path.relative_to(self.root).parts:
                continue
            key = f"{folder}/{path.name}" if folder else path.name
            if not key.startswith(prefix) or self.path_for(key) != path:
                continue
            info = path.stat()
            yield BlobInfo(
                key, info.st_size, modified_at=datetime.fromtimestamp(info.st_mtime, UTC)
            )

    def url(self, key: str, *, expires_s: int = 3600) -> str | None:
        """Local blobs are served by the application: no URL."""
        return None
