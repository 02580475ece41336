"""Writing files so that readers see them whole or not at all."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


def file_sha256(path: Path) -> str:
    """The sha256 of a file's content (hex), read in chunks rather than whole."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def fsync_dir(directory: Path) -> None:
    """Flush a directory entry (a rename) to disk."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_file(path: Path, *, mode: int = 0o644, suffix: str = ".tmp") -> Iterator[IO[bytes]]:
    """A temporary file beside ``path`` that replaces it only if the block succeeds.

    The file is written, flushed and fsynced, given ``mode`` and renamed; on any error it
    is removed, so no reader ever sees a partial file under the final name.
    """
    # mkstemp creates the file with mode 0600 before any byte is written.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    try:
        with os.fdopen(fd, "w+b") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
