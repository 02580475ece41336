"""Open a bundle zip safely: vet every entry's header, and stream entries by offset, not name.

Nothing is ever extracted to disk: entries are read from their offsets in the archive, so a
hostile name (``../x``, ``/etc/passwd``, a symbolic link) is only ever a string to report.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from trails.bundle.model import MANIFEST_NAME, SIGNATURE_NAME
from trails.messages import msg

DEFAULT_MAX_TOTAL_BYTES = 2 * 1024**3
MAX_MANIFEST_BYTES = 16 * 1024**2
MAX_ENTRIES = 100_000
_CHUNK = 1 << 20
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_LOCAL_SIGNATURE = b"PK\x03\x04"
_S_IFMT = 0o170000
_S_IFLNK = 0o120000
_S_IFREG = 0o100000
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a bundle: a stable code, words for people, the entry concerned."""

    code: str
    message: str
    entry: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        """JSON form."""
        return {"code": self.code, "message": self.message, "entry": self.entry}


class EntryError(Exception):
    """An entry could not be read as its header describes it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def entry_problems(infos: list[zipfile.ZipInfo], max_total_bytes: int) -> list[Problem]:
    """Problems visible from the central directory alone, before any entry is read."""
    problems: list[Problem] = []
    if len(infos) > MAX_ENTRIES:
        many = msg("{count} entries; at most {limit}", count=len(infos), limit=MAX_ENTRIES)
        return [Problem("too-many-entries", many)]
    counts = Counter(info.filename for info in infos)
    for name in sorted(n for n, c in counts.items() if c > 1):
        shared = msg("{count} entries share this name", count=counts[name])
        problems.append(Problem("duplicate-name", shared, name))
    total = 0
    for info in infos:
        name = info.filename
        total += info.file_size
        reason = unsafe_name_reason(name)
        if reason:
            problems.append(Problem("unsafe-name", reason, name))
        mode = info.external_attr >> 16
        if mode & _S_IFMT == _S_IFLNK:
            problems.append(Problem("symlink", msg("entry is a symbolic link"), name))
        elif mode & _S_IFMT not in (0, _S_IFREG):
            problems.append(
                Problem(
                    "not-a-file",
                    msg("entry has file type {type}", type=oct(mode & _S_IFMT)),
                    name,
                )
            )
        if info.flag_bits & 0x1:
            problems.append(Problem("encrypted", msg("entry is encrypted"), name))
        if info.compress_type != zipfile.ZIP_STORED:
            # Every entry, the manifest included: apps read entries as slices of the
            # download, and the JavaScript verifier has no inflater (bundle-format.md 1).
            problems.append(Problem("compressed", msg("entries must be stored uncompressed"), name))
        elif info.compress_size != info.file_size:
            problems.append(
                Problem(
                    "size-mismatch",
                    msg(
                        "stored entry declares {declared} bytes but holds {held}",
                        declared=info.file_size,
                        held=info.compress_size,
                    ),
                    name,
                )
            )
    if total > max_total_bytes:
        problems.append(
            Problem(
                "too-large",
                msg(
                    "entries declare {total} bytes in all, over the limit of {limit}",
                    total=total,
                    limit=max_total_bytes,
                ),
            )
        )
    return problems


def unsafe_name_reason(name: str) -> str | None:
    """Why an entry name is unsafe to honour, or None when it is a plain relative name."""
    if not name:
        return msg("empty name")
    if "\\" in name:
        return msg("backslash in name")
    if "\x00" in name:
        return msg("NUL character in name")
    if name.startswith("/") or _DRIVE.match(name):
        return msg("absolute path")
    if name.endswith("/"):
        return msg("directory entry")
    parts = PurePosixPath(name).parts
    if ".." in parts or "." in name.split("/") or "" in name.split("/"):
        return msg("'..', '.' or empty path segment")
    return None


def stored_chunks(fh: IO[bytes], info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The bytes of a stored entry, read from its local header's data offset, in chunks."""
    fh.seek(info.header_offset)
    header = fh.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size:
        raise EntryError(msg("local header truncated"))
    fields = _LOCAL_HEADER.unpack(header)
    if fields[0] != _LOCAL_SIGNATURE:
        raise EntryError(msg("no local header at the offset the directory gives"))
    name_length, extra_length = fields[9], fields[10]
    local_name = fh.read(name_length)
    if local_name != info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437"):
        raise EntryError(msg("local header names another file than the directory"))
    fh.seek(extra_length, 1)
    remaining = info.compress_size
    while remaining > 0:
        chunk = fh.read(min(_CHUNK, remaining))
        if not chunk:
            raise EntryError(msg("entry truncated"))
        remaining -= len(chunk)
        yield chunk


def read_small(fh: IO[bytes], zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """The whole of a small entry (manifest, signature), stored or deflated, CRC checked."""
    if info.file_size > limit:
        raise EntryError(
            msg("{size} bytes, over the limit of {limit}", size=info.file_size, limit=limit)
        )
    if info.compress_type == zipfile.ZIP_STORED:
        data = b"".join(stored_chunks(fh, info))
    else:
        try:
            with zf.open(info) as src:
                data = src.read(limit + 1)
        except (zipfile.BadZipFile, zlib.error, OSError, NotImplementedError) as exc:
            raise EntryError(str(exc)) from None
        if len(data) != info.file_size:
            raise EntryError(msg("entry does not hold the size it declares"))
    if zlib.crc32(data) != info.CRC:
        raise EntryError(msg("CRC-32 does not match"))
    return data


def open_zip(path: Path) -> zipfile.ZipFile:
    """Open a zip for reading its directory; raises ``zipfile.BadZipFile`` if it is not one."""
    return zipfile.ZipFile(path)


__all__ = [
    "DEFAULT_MAX_TOTAL_BYTES",
    "MANIFEST_NAME",
    "MAX_MANIFEST_BYTES",
    "SIGNATURE_NAME",
    "EntryError",
    "Problem",
    "entry_problems",
    "open_zip",
    "read_small",
    "stored_chunks",
    "unsafe_name_reason",
]
