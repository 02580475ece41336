"""Content-addressed ingest: stage an upload, probe it, store it once under its sha256."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from media.blobs.base import BlobInfo, BlobStore
from media.blobs.memory import iter_chunks
from media.errors import RejectedMedia
from media.limits import DEFAULT_LIMITS, MediaLimits, human_bytes
from media.probe import ProbeResult, probe
from trails.messages import msg
from trails.storage_names import original_key


@dataclass(frozen=True)
class Staged:
    """An upload written to a local temporary file, with its hash and size."""

    path: Path
    sha256: str
    size: int


@dataclass(frozen=True)
class Ingested:
    """A stored original: its key, facts, and whether these bytes were new to the store."""

    key: str
    sha256: str
    size: int
    probe: ProbeResult
    created: bool


@contextmanager
def staged_upload(
    data: BinaryIO | Iterable[bytes],
    *,
    limits: MediaLimits | None = None,
    tmp_dir: Path | None = None,
) -> Iterator[Staged]:
    """Write a stream to a temporary file while hashing it; the file is gone on exit.

    The size limit is enforced while reading, so an oversized upload stops at the limit.
    """
    limits = limits or DEFAULT_LIMITS
    fd, name = tempfile.mkstemp(prefix="baladeur-upload-", dir=tmp_dir)
    path = Path(name)
    try:
        digest, size = hashlib.sha256(), 0
        with os.fdopen(fd, "wb") as out:
            for chunk in iter_chunks(data):
                size += len(chunk)
                if size > limits.max_bytes:
                    raise RejectedMedia(
                        msg(
                            "the file is over the limit of {size}",
                            size=human_bytes(limits.max_bytes),
                        ),
                        reason="too_large",
                    )
                digest.update(chunk)
                out.write(chunk)
        yield Staged(path, digest.hexdigest(), size)
    finally:
        path.unlink(missing_ok=True)


def store_original(
    store: BlobStore, staged: Staged, *, content_type: str | None = None
) -> tuple[BlobInfo, bool]:
    """Store staged bytes under their hash unless already there; ``True`` if newly stored."""
    key = original_key(staged.sha256)
    if store.exists(key):
        return store.stat(key), False
    with staged.path.open("rb") as f:
        return store.put(key, f, content_type=content_type), True


def ingest(
    store: BlobStore,
    data: BinaryIO | Iterable[bytes],
    *,
    limits: MediaLimits | None = None,
    tmp_dir: Path | None = None,
) -> Ingested:
    """Stage, probe and store an upload; a rejected file leaves no blob and no temporary file."""
    with staged_upload(data, limits=limits, tmp_dir=tmp_dir) as staged:
        found = probe(staged.path, limits)
        info, created = store_original(store, staged, content_type=found.mime_type)
    return Ingested(info.key, staged.sha256, staged.size, found, created)
