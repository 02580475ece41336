"""Trail folders as zip archives: written reproducibly, read without trusting the archive.

Reading refuses, before anything is written, entries named with ``..`` or an absolute
path, symbolic links, encrypted entries, too many entries, and archives whose declared
sizes or compression ratios look like a decompression bomb. While extracting, the bytes
actually produced are counted too, since a header can lie. Everything is extracted into
a temporary folder beside the destination and moved into place only once the trail in
it has been validated.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from trails.errors import invalid
from trails.files import atomic_file
from trails.interchange.folder import MediaSource, check_destination, source_yaml
from trails.source import SOURCE_FILE, LoadedSource, TrailSource, load_source

_CHUNK = 1 << 20
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_COMPRESSIBLE = {".yaml", ".yml", ".vtt", ".txt", ".json", ".md"}


@dataclass(frozen=True)
class ArchiveLimits:
    """How much an archive may hold once extracted."""

    max_entries: int = 10_000
    max_total_bytes: int = 4 * 1024**3
    # Audio and images barely compress; text does, but not a thousandfold.
    max_ratio: float = 200.0
    # Small entries may compress well without harm.
    ratio_floor_bytes: int = 1024 * 1024


def _refuse(name: str, reason: str) -> None:
    raise invalid("archive", name, f"{name}: {reason}; nothing was extracted")


def check_entries(archive: zipfile.ZipFile, limits: ArchiveLimits) -> list[zipfile.ZipInfo]:
    """Every entry of an archive, once each has been found safe to extract."""
    entries = archive.infolist()
    if len(entries) > limits.max_entries:
        raise invalid("archive", len(entries), f"too many entries (more than {limits.max_entries})")
    total = 0
    for info in entries:
        name = info.filename
        if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
            _refuse(name, "an absolute path is refused")
        if "\\" in name or ".." in PurePosixPath(name).parts:
            _refuse(name, "a path leaving the folder ('..') is refused")
        if stat.S_ISLNK(info.external_attr >> 16):
            _refuse(name, "a symbolic link is refused")
        if info.flag_bits & 0x1:
            _refuse(name, "an encrypted entry is refused")
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_floor_bytes and ratio > limits.max_ratio:
            _refuse(name, f"compressed {ratio:.0f} to 1, which looks like a decompression bomb")
    if total > limits.max_total_bytes:
        raise invalid(
            "archive",
            total,
            f"the archive would extract to {total} bytes, more than the "
            f"{limits.max_total_bytes} allowed; nothing was extracted",
        )
    return entries


def _entry_chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    # A damaged entry (bad offset, unknown method or version, broken stream) fails in ways
    # zipfile does not name BadZipFile. Only reading is translated: a failure to write the
    # extracted file is not the archive's fault.
    try:
        with archive.open(info) as source:
            while chunk := source.read(_CHUNK):
                yield chunk
    except (NotImplementedError, OSError, zlib.error) as exc:
        raise zipfile.BadZipFile(f"{info.filename}: {exc}") from exc


def _extract(
    archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], into: Path, limits: ArchiveLimits
) -> None:
    written = 0
    for info in entries:
        target = into / info.filename
        if info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        produced = 0
        with target.open("wb") as out:
            for chunk in _entry_chunks(archive, info):
                produced += len(chunk)
                written += len(chunk)
                if produced > info.file_size or written > limits.max_total_bytes:
                    _refuse(info.filename, "it holds more bytes than its header declares")
                out.write(chunk)


def _trail_root(staging: Path) -> Path:
    if (staging / SOURCE_FILE).is_file():
        return staging
    tops = [p for p in staging.iterdir() if p.is_dir()]
    if len(tops) == 1 and (tops[0] / SOURCE_FILE).is_file():
        return tops[0]
    raise invalid("archive", None, f"no {SOURCE_FILE} at the top of the archive")


def extract_trail(
    zip_path: Path, dest: Path, limits: ArchiveLimits = ArchiveLimits()
) -> LoadedSource:
    """Extract a trail folder archive to ``dest`` (which must not exist yet) and load it."""
    check_destination(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, NotImplementedError, OSError) as exc:
        raise invalid("archive", str(zip_path), f"not a readable zip archive: {exc}") from None
    with archive:
        entries = check_entries(archive, limits)
        staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
        try:
            try:
                _extract(archive, entries, staging, limits)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
                raise invalid("archive", str(zip_path), f"a damaged archive: {exc}") from None
            root = _trail_root(staging)
            load_source(root)
            root.chmod(0o755)
            if dest.exists():
                dest.rmdir()
            os.replace(root, dest)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return load_source(dest)


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    compressible = PurePosixPath(name).suffix.lower() in _COMPRESSIBLE
    info.compress_type = zipfile.ZIP_DEFLATED if compressible else zipfile.ZIP_STORED
    return info


def write_trail_zip(
    trail: TrailSource,
    media: Mapping[str, MediaSource],
    dest: Path,
    on_file: Callable[[str], None] | None = None,
) -> Path:
    """Write a trail folder as a zip: the same trail gives the same bytes."""
    with atomic_file(dest) as fh, zipfile.ZipFile(fh, "w") as archive:
        archive.writestr(_entry(SOURCE_FILE), source_yaml(trail).encode())
        for relative in trail.media_paths():
            with archive.open(_entry(relative), "w", force_zip64=True) as out:
                source = media[relative]
                if isinstance(source, Path):
                    with source.open("rb") as fh_in:
                        shutil.copyfileobj(fh_in, out, _CHUNK)
                else:
                    for chunk in source():
                        out.write(chunk)
            if on_file:
                on_file(relative)
    return dest


def zip_folder(loaded: LoadedSource, dest: Path) -> Path:
    """Write a loaded trail folder (its trail.yaml rewritten, its media) as a zip."""
    media = {relative: loaded.media_file(relative) for relative in loaded.trail.media_paths()}
    return write_trail_zip(loaded.trail, media, dest)
