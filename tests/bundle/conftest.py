"""Bundles built from the demo trail, with its own files standing in for renditions."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from trails.bundle.canonical import canonical_json
from trails.bundle.model import MANIFEST_NAME, SIGNATURE_NAME, BundleMedia
from trails.bundle.package import BuiltBundle, package_bundle, sign_manifest
from trails.bundle.reader import stored_chunks
from trails.bundle.signing import SigningKey, generate_key
from trails.bundle.writer import file_chunks, zip_info
from trails.source import LoadedSource, load_source

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "moulin-de-marchienne"
BUILT_AT = datetime(2025, 6, 21, 8, 0, tzinfo=UTC)
_KINDS = {
    "opus": ("audio", "audio/ogg"),
    "vtt": ("transcript", "text/vtt"),
    "jpg": ("image", "image/jpeg"),
}


def file_media(path: Path, duration_s: float | None = None) -> BundleMedia:
    """Describe a file as a bundle media entry (duration invented from its size for audio)."""
    data = path.read_bytes()
    ext = path.suffix.lstrip(".")
    kind, mime = _KINDS[ext]
    if kind == "audio" and duration_s is None:
        duration_s = round(len(data) / 4000, 3)
    return BundleMedia(
        sha256=hashlib.sha256(data).hexdigest(),
        bytes=len(data),
        mime_type=mime,
        extension=ext,
        kind=kind,  # type: ignore[arg-type]
        duration_s=duration_s,
        loudness_lufs=-16.0 if kind == "audio" else None,
    )


@dataclass
class Demo:
    """A built demo bundle and what made it."""

    loaded: LoadedSource
    key: SigningKey
    built: BuiltBundle
    path: Path
    files: dict[str, Path]  # media path in the bundle -> file on disk

    @property
    def keys(self) -> dict[str, Any]:
        return {self.key.id: self.key.public}


def build_demo(
    out: Path,
    key: SigningKey,
    loaded: LoadedSource | None = None,
    release: int = 1,
    media: Callable[[str], BundleMedia] | None = None,
) -> Demo:
    from trails.bundle.manifest import build_manifest

    loaded = loaded or load_source(DEMO)
    files: dict[str, Path] = {}

    def lookup(relative: str) -> BundleMedia:
        item = media(relative) if media else file_media(loaded.media_file(relative))
        files[item.path] = loaded.media_file(relative)
        return item

    manifest = build_manifest(
        loaded.trail,
        trail_id="trail-1",
        release=release,
        profile="opus",
        media=lookup,
        publisher="Collectif du moulin",
        key_id=key.id,
        built_at=BUILT_AT,
    )
    built = package_bundle(out, manifest, key, lambda m: file_chunks(files[m.path]))
    return Demo(loaded, key, built, out, files)


@pytest.fixture(scope="session")
def demo_key() -> SigningKey:
    return SigningKey(generate_key())


@pytest.fixture
def demo(tmp_path: Path, demo_key: SigningKey) -> Demo:
    return build_demo(tmp_path / "demo.zip", demo_key)


def rezip(
    src: Path,
    dst: Path,
    *,
    drop: set[str] = frozenset(),  # type: ignore[assignment]
    add: list[tuple[zipfile.ZipInfo | str, bytes]] = (),  # type: ignore[assignment]
    change: Callable[[zipfile.ZipInfo, bytes], tuple[zipfile.ZipInfo, bytes]] | None = None,
) -> Path:
    """Copy a bundle entry by entry, dropping, changing or adding entries along the way."""
    import warnings

    with zipfile.ZipFile(src) as zin, src.open("rb") as raw, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            # Raw bytes, so that damage made on purpose is copied, not refused.
            data = b"".join(stored_chunks(raw, info))
            new = zip_info(info.filename, len(data))
            if change:
                new, data = change(new, data)
            zout.writestr(new, data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # duplicate names are what some tests want
            for item, data in add:
                info = item if isinstance(item, zipfile.ZipInfo) else zip_info(item, len(data))
                zout.writestr(info, data)
    return dst


def rezip_entry(
    src: Path,
    dst: Path,
    name: str,
    *,
    data: Callable[[bytes], bytes] | None = None,
    **attributes: Any,
) -> Path:
    """Copy a bundle with one entry changed: its bytes (``data`` maps old to new) and the
    given :class:`zipfile.ZipInfo` attributes (``compress_type``, ``external_attr``...)."""

    def change(info: zipfile.ZipInfo, content: bytes) -> tuple[zipfile.ZipInfo, bytes]:
        if info.filename == name:
            if data is not None:
                content = data(content)
                info = zip_info(info.filename, len(content))
            for attribute, value in attributes.items():
                setattr(info, attribute, value)
        return info, content

    return rezip(src, dst, change=change)


def data_offset(path: Path, name: str) -> int:
    """Where an entry's bytes start in the zip file."""
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name)
    with path.open("rb") as fh:
        fh.seek(info.header_offset + 26)
        head = fh.read(4)
    name_len = int.from_bytes(head[:2], "little")
    extra_len = int.from_bytes(head[2:], "little")
    return info.header_offset + 30 + name_len + extra_len


def flip_byte(path: Path, offset: int) -> None:
    """Invert one byte of a file in place."""
    with path.open("r+b") as fh:
        fh.seek(offset)
        byte = fh.read(1)
        fh.seek(offset)
        fh.write(bytes([byte[0] ^ 0xFF]))


def resigned(demo: Demo, dst: Path, edit: Callable[[dict[str, Any]], dict[str, Any]]) -> Path:
    """A copy of the demo bundle whose manifest ``edit`` changed, canonical and signed again
    (what a conforming builder of another format version would write)."""
    import copy

    data, signature = sign_manifest(edit(copy.deepcopy(demo.built.manifest)), demo.key)

    def change(info: zipfile.ZipInfo, content: bytes) -> tuple[zipfile.ZipInfo, bytes]:
        new = {MANIFEST_NAME: data, SIGNATURE_NAME: canonical_json(signature)}.get(info.filename)
        return (info, content) if new is None else (zip_info(info.filename, len(new)), new)

    return rezip(demo.path, dst, change=change)


def newer_minor(manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest as a future minor version might write it: new members at several levels."""
    manifest["format_minor"] = 7
    manifest["accessibility"] = {"step_free": True}
    manifest["trail"]["season"] = "summer"
    manifest["stops"][0]["rules"]["haptics"] = "soft"
    manifest["media"][0]["bitrate_kbps"] = 24
    return manifest


def newer_major(manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest marked with a major format version newer than this code reads."""
    manifest["format"] = 2
    return manifest
