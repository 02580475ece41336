"""Writing trail folders: trail.yaml reads back to the same trail; all or nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from trails.errors import Conflict
from trails.interchange.folder import source_yaml, write_folder
from trails.source import load_source


def test_written_folder_reads_back_identical(tmp_path: Path, demo_folder: Path) -> None:
    loaded = load_source(demo_folder)
    media = {rel: loaded.media_file(rel) for rel in loaded.trail.media_paths()}
    out = write_folder(loaded.trail, media, tmp_path / "copy")
    again = load_source(out)
    assert again.trail == loaded.trail
    assert source_yaml(again.trail) == (out / "trail.yaml").read_text()
    assert "languages: [fr, en]" in (out / "trail.yaml").read_text()
    assert "  center: [4.395, 50.403651]" in (out / "trail.yaml").read_text()
    assert oct(out.stat().st_mode & 0o777) == "0o755"


def test_a_failure_half_way_leaves_nothing(tmp_path: Path, demo_folder: Path) -> None:
    loaded = load_source(demo_folder)

    def broken() -> Iterator[bytes]:
        yield b"partial"
        raise OSError("storage went away")

    media = {rel: loaded.media_file(rel) for rel in loaded.trail.media_paths()}
    media["media/riviere.opus"] = broken  # type: ignore[assignment]
    with pytest.raises(OSError, match="storage went away"):
        write_folder(loaded.trail, media, tmp_path / "copy")
    assert list(tmp_path.iterdir()) == []


def test_never_writes_into_a_folder_with_files(tmp_path: Path, demo_folder: Path) -> None:
    loaded = load_source(demo_folder)
    (tmp_path / "copy").mkdir()
    (tmp_path / "copy" / "notes.txt").write_text("mine")
    with pytest.raises(Conflict, match="already exists"):
        write_folder(loaded.trail, {}, tmp_path / "copy")
