"""Write a bundle: a deterministic zip, every entry stored, media streamed and checked."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from trails.bundle.canonical import canonical_json
from trails.bundle.model import MANIFEST_NAME, SIGNATURE_NAME, BundleMedia
from trails.errors import invalid
from trails.files import atomic_file
from trails.messages import msg

# Every entry carries the same timestamp, the earliest a zip can hold, so that the bytes
# depend on the content only.
FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)
# A regular file, rw-r--r--, made on Unix (system 3).
_EXTERNAL_ATTR = 0o100644 << 16
_UNIX = 3
_COPY_CHUNK = 1 << 20

ChunkSource = Callable[[], Iterator[bytes]]
Entry = tuple[BundleMedia, ChunkSource]


@dataclass(frozen=True)
class WrittenBundle:
    """What was written: total size and sha256 of the zip (its strong ETag and blob key)."""

    bytes: int
    sha256: str


def file_chunks(path: Path, chunk_size: int = _COPY_CHUNK) -> ChunkSource:
    """A chunk source reading a file lazily, one chunk at a time."""

    def chunks() -> Iterator[bytes]:
        with path.open("rb") as fh:
            while chunk := fh.read(chunk_size):
                yield chunk

    return chunks


def bytes_chunks(data: bytes) -> ChunkSource:
    """A chunk source over bytes already in memory (small files, tests)."""
    return lambda: iter((data,))


def zip_info(name: str, size: int) -> zipfile.ZipInfo:
    """The fixed header of an entry: stored, 1980-01-01, mode 0644, Unix."""
    info = zipfile.ZipInfo(name, date_time=FIXED_DATE_TIME)
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = _EXTERNAL_ATTR
    info.create_system = _UNIX
    info.file_size = size
    return info


def write_bundle(
    out: IO[bytes] | Path,
    manifest_bytes: bytes,
    signature: dict[str, Any],
    entries: Iterable[Entry],
    *,
    verify_hashes: bool = True,
) -> WrittenBundle:
    """Write the bundle zip: manifest, signature, then media sorted by name.

    The entries must match the manifest's media table exactly: same names and sizes, and
    (with ``verify_hashes``) the same sha256, computed while streaming. Otherwise nothing is
    left behind and :class:`~trails.errors.InvalidInput` is raised. Turn ``verify_hashes``
    off only for media read from content-addressed storage that checked them on the way in.

    A path is written through a temporary file and renamed, so no reader ever sees half a
    bundle. Output to a stream that cannot seek goes through a temporary file, so that the
    bytes are the same either way.
    """
    items = _checked_entries(manifest_bytes, list(entries))
    job = _Job(manifest_bytes, canonical_json(signature), items, verify_hashes)
    if isinstance(out, Path):
        return _write_path(out, job)
    if out.seekable():
        return _write_zip(out, job)
    with tempfile.TemporaryFile() as tmp:
        written = _write_zip(tmp, job)
        tmp.seek(0)
        shutil.copyfileobj(tmp, out, _COPY_CHUNK)
    return written


def _checked_entries(manifest_bytes: bytes, entries: list[Entry]) -> list[Entry]:
    try:
        manifest = json.loads(manifest_bytes)
        table = {row["path"]: row for row in manifest["media"]}
    except (ValueError, KeyError, TypeError):
        raise invalid("manifest", None, msg("the manifest has no readable media table")) from None
    by_name: dict[str, Entry] = {}
    for media, chunks in entries:
        if media.path in by_name:
            raise invalid("entries", media.path, msg("the same media entry is given twice"))
        by_name[media.path] = (media, chunks)
    missing = sorted(set(table) - set(by_name))
    extra = sorted(set(by_name) - set(table))
    if missing or extra:
        raise invalid(
            "entries",
            {"missing": missing, "unlisted": extra},
            "the media entries must be exactly those of the manifest's media table",
        )
    for name, (media, _) in by_name.items():
        row = table[name]
        if row.get("bytes") != media.bytes or row.get("sha256") != media.sha256:
            raise invalid("entries", name, msg("size or sha256 differs from the manifest"))
    return [by_name[name] for name in sorted(by_name)]


@dataclass(frozen=True)
class _Job:
    manifest_bytes: bytes
    signature_bytes: bytes
    items: list[Entry]
    verify_hashes: bool


def _write_path(out: Path, job: _Job) -> WrittenBundle:
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(out, suffix=".part") as fh:
        return _write_zip(fh, job)


def _write_zip(fh: IO[bytes], job: _Job) -> WrittenBundle:
    start = fh.tell()
    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        zf.writestr(zip_info(MANIFEST_NAME, len(job.manifest_bytes)), job.manifest_bytes)
        zf.writestr(zip_info(SIGNATURE_NAME, len(job.signature_bytes)), job.signature_bytes)
        for media, chunks in job.items:
            _stream_entry(zf, media, chunks, job.verify_hashes)
    end = fh.tell()
    # The zip writer seeks back to patch headers, so the hash is taken once it is complete.
    fh.seek(start)
    digest = hashlib.sha256()
    remaining = end - start
    while remaining > 0:
        chunk = fh.read(min(_COPY_CHUNK, remaining))
        if not chunk:
            break
        digest.update(chunk)
        remaining -= len(chunk)
    fh.seek(end)
    return WrittenBundle(bytes=end - start, sha256=digest.hexdigest())


def _stream_entry(
    zf: zipfile.ZipFile, media: BundleMedia, chunks: ChunkSource, verify_hash: bool
) -> None:
    digest = hashlib.sha256() if verify_hash else None
    size = 0
    info = zip_info(media.path, media.bytes)
    # zip64 headers only when the size needs them: the choice depends on the size alone.
    with zf.open(info, "w", force_zip64=media.bytes >= zipfile.ZIP64_LIMIT) as dst:
        for chunk in chunks():
            if digest is not None:
                digest.update(chunk)
            size += len(chunk)
            if size > media.bytes:
                break
            dst.write(chunk)
    if size != media.bytes or (digest is not None and digest.hexdigest() != media.sha256):
        raise invalid(
            "media",
            media.path,
            msg(
                "the file read ({size} bytes) is not the one described"
                " ({described} bytes, sha256 {sha256}...)",
                size=size,
                described=media.bytes,
                sha256=media.sha256[:12],
            ),
        )
