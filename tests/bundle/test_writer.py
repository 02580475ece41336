"""The writer: stored entries, fixed order and headers, byte-identical output, checked media."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from tests.bundle.conftest import Demo, build_demo
from trails.bundle.model import BundleMedia
from trails.bundle.signing import SigningKey
from trails.bundle.writer import bytes_chunks, write_bundle
from trails.errors import InvalidInput


def test_layout(demo: Demo) -> None:
    with zipfile.ZipFile(demo.path) as zf:
        infos = zf.infolist()
    names = [i.filename for i in infos]
    media = [r["path"] for r in demo.built.manifest["media"]]
    assert names == ["manifest.json", "manifest.sig.json", *sorted(media)]
    for info in infos:
        assert info.compress_type == zipfile.ZIP_STORED
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.external_attr >> 16 == 0o100644
    assert demo.built.written.bytes == demo.path.stat().st_size


def test_byte_identical_for_identical_input(tmp_path: Path, demo_key: SigningKey) -> None:
    a = build_demo(tmp_path / "a.zip", demo_key)
    b = build_demo(tmp_path / "b.zip", demo_key)
    assert a.path.read_bytes() == b.path.read_bytes()
    assert a.built.written.sha256 == b.built.written.sha256


def test_a_stream_that_cannot_seek_gets_the_same_bytes(demo: Demo) -> None:
    class Pipe(io.RawIOBase):
        def __init__(self) -> None:
            self.data = bytearray()

        def writable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def write(self, b: bytes) -> int:  # type: ignore[override]
            self.data += b
            return len(b)

    pipe = Pipe()
    entries = [
        (BundleMedia.from_dict(r), bytes_chunks(demo.files[r["path"]].read_bytes()))
        for r in demo.built.manifest["media"]
    ]
    write_bundle(pipe, demo.built.manifest_bytes, demo.built.signature, entries)  # type: ignore[arg-type]
    assert bytes(pipe.data) == demo.path.read_bytes()


def _entries(demo: Demo) -> list[tuple[BundleMedia, object]]:
    return [
        (BundleMedia.from_dict(r), bytes_chunks(demo.files[r["path"]].read_bytes()))
        for r in demo.built.manifest["media"]
    ]


def test_media_that_is_not_what_the_manifest_says_leaves_nothing(
    demo: Demo, tmp_path: Path
) -> None:
    entries = _entries(demo)
    media, _ = entries[0]
    entries[0] = (media, bytes_chunks(b"something else entirely"))
    out = tmp_path / "out" / "bundle.zip"
    with pytest.raises(InvalidInput, match="not the one described"):
        write_bundle(out, demo.built.manifest_bytes, demo.built.signature, entries)  # type: ignore[arg-type]
    assert list(out.parent.iterdir()) == []


def test_entries_must_match_the_media_table(demo: Demo, tmp_path: Path) -> None:
    entries = _entries(demo)
    with pytest.raises(InvalidInput, match="exactly those"):
        write_bundle(
            tmp_path / "x.zip", demo.built.manifest_bytes, demo.built.signature, entries[1:]
        )  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="twice"):
        write_bundle(
            tmp_path / "x.zip",
            demo.built.manifest_bytes,
            demo.built.signature,
            [*entries, entries[0]],
        )  # type: ignore[arg-type]


def test_large_media_is_streamed_not_loaded(tmp_path: Path, demo_key: SigningKey) -> None:
    # A chunk source that yields 64 x 1 MiB: the writer must not join them.
    import hashlib

    chunk = b"\x5a" * (1 << 20)
    digest = hashlib.sha256()
    for _ in range(64):
        digest.update(chunk)
    media = BundleMedia(digest.hexdigest(), 64 << 20, "audio/ogg", "opus", "audio", 60.0)
    seen = []

    def chunks():  # type: ignore[no-untyped-def]
        for i in range(64):
            seen.append(i)
            yield chunk

    manifest = b'{"media":[{"path":"%s","sha256":"%s","bytes":%d}]}' % (
        media.path.encode(),
        media.sha256.encode(),
        media.bytes,
    )
    out = tmp_path / "big.zip"
    written = write_bundle(out, manifest, {"algorithm": "Ed25519"}, [(media, chunks)])
    assert len(seen) == 64 and written.bytes > 64 << 20
    with zipfile.ZipFile(out) as zf:
        assert zf.getinfo(media.path).file_size == 64 << 20


def test_without_hash_verification_sizes_are_still_checked(demo: Demo, tmp_path: Path) -> None:
    entries = _entries(demo)
    media, _ = entries[0]
    same_size = bytes(media.bytes)
    entries[0] = (media, bytes_chunks(same_size))
    written = write_bundle(
        tmp_path / "trusting.zip",
        demo.built.manifest_bytes,
        demo.built.signature,
        entries,  # type: ignore[arg-type]
        verify_hashes=False,
    )
    assert written.bytes == demo.path.stat().st_size  # trusted: the store vouched for it
    entries[0] = (media, bytes_chunks(same_size + b"x"))
    with pytest.raises(InvalidInput):
        write_bundle(
            tmp_path / "short.zip",
            demo.built.manifest_bytes,
            demo.built.signature,
            entries,  # type: ignore[arg-type]
            verify_hashes=False,
        )
