"""Choosing where and how a command writes a trail, and what it reports while writing."""

from __future__ import annotations

from pathlib import Path

import pytest

from trails.errors import InvalidInput
from trails.interchange.transfer import (
    TrailData,
    choose_destination,
    media_files_written,
    write_trail,
)
from trails.source import load_source


def test_destination_from_the_format_or_the_path() -> None:
    assert choose_destination("chemin", None, None) == ("folder", Path("chemin"))
    assert choose_destination("chemin", None, "zip") == ("zip", Path("chemin.zip"))
    assert choose_destination("chemin", None, "soundscape") == (
        "soundscape",
        Path("chemin.soundscape.gpx"),
    )
    assert choose_destination("chemin", Path("out/x.gpx"), None) == ("gpx", Path("out/x.gpx"))
    with pytest.raises(InvalidInput):
        choose_destination("chemin", None, "pdf")


def test_media_files_are_counted_and_reported_for_a_folder_or_zip(
    demo_folder: Path, tmp_path: Path
) -> None:
    loaded = load_source(demo_folder)
    media = {rel: loaded.media_file(rel) for rel in loaded.trail.media_paths()}
    data = TrailData(loaded.trail, media)
    assert media_files_written(data, "geojson") == 0
    assert media_files_written(data, "zip") == len(media) > 0
    written: list[str] = []
    assert write_trail(data, tmp_path / "demo.zip", "zip", on_file=written.append) == []
    assert sorted(written) == sorted(media)
