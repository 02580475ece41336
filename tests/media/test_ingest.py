"""Content-addressed ingest: one asset per distinct bytes; rejections leave nothing behind."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from media.blobs.local import LocalBlobStore
from media.blobs.memory import MemoryBlobStore
from media.errors import RejectedMedia
from media.ingest import ingest
from media.limits import MediaLimits
from trails.storage_names import original_key


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_same_bytes_are_one_asset(voice_wav: Path, tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    staging = tmp_path / "staging"
    staging.mkdir()
    first = ingest(store, voice_wav.open("rb"), tmp_dir=staging)
    second = ingest(store, io.BytesIO(voice_wav.read_bytes()), tmp_dir=staging)
    assert first.created and not second.created
    assert first.key == second.key == original_key(first.sha256)
    assert first.probe.format == "wav"
    assert len(files_under(tmp_path / "blobs")) == 1 and files_under(staging) == []


@pytest.mark.parametrize(
    ("content", "limits", "reason"),
    [
        (b"%PDF-1.5\n...", None, "not_audio"),
        (b"", None, "empty"),
        (os.urandom(5000), None, "not_audio"),
        (b"RIFF" + os.urandom(20000), MediaLimits(max_bytes=1000), "too_large"),
        (b"#EXTM3U\n#EXTINF:1,\n/etc/passwd\n", None, "not_audio"),
    ],
)
def test_rejected_upload_leaves_nothing(
    tmp_path: Path, content: bytes, limits: MediaLimits | None, reason: str
) -> None:
    store = MemoryBlobStore()
    staging = tmp_path / "staging"
    staging.mkdir()
    with pytest.raises(RejectedMedia) as info:
        ingest(store, iter([content[:100], content[100:]]), limits=limits, tmp_dir=staging)
    assert info.value.reason == reason
    assert store.keys() == [] and files_under(staging) == []
