"""The media a trail source names: one walk, seen whole or by kind, and its fingerprint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from trails.source import LoadedSource, parse_source, source_fingerprint

ZONE = {"type": "circle", "center": [4.39, 50.40], "radius_m": 30}


def _source(**overrides: Any) -> dict[str, Any]:
    story = {
        "versions": {
            "fr": {"audio": "media/a.fr.opus", "transcript": "media/a.fr.vtt"},
            "en": {"audio": "media/shared.opus"},
        }
    }
    data: dict[str, Any] = {
        "slug": "chemin",
        "languages": ["fr", "en"],
        "title": {"fr": "Chemin"},
        "cover": "media/cover.jpg",
        "stops": [
            {"key": "un", "title": {"fr": "Un"}, "zone": ZONE, "story": story},
            {"key": "deux", "title": {"fr": "Deux"}, "zone": ZONE},
        ],
        "ambience": [{"key": "eau", "audio": "media/shared.opus", "zone": ZONE}],
    }
    return data | overrides


def test_media_paths_whole_and_by_kind() -> None:
    trail = parse_source(_source())
    assert trail.media_paths() == [
        "media/cover.jpg",
        "media/a.fr.opus",
        "media/a.fr.vtt",
        "media/shared.opus",
    ]
    assert trail.audio_paths() == ["media/a.fr.opus", "media/shared.opus"]
    assert trail.transcript_paths() == ["media/a.fr.vtt"]
    bare = parse_source(_source(cover=None, ambience=[]))
    assert bare.media_paths() == ["media/a.fr.opus", "media/a.fr.vtt", "media/shared.opus"]


def test_fingerprint_follows_the_source_and_its_media(tmp_path: Path) -> None:
    (tmp_path / "media").mkdir()
    for name in ("cover.jpg", "a.fr.opus", "a.fr.vtt", "shared.opus"):
        (tmp_path / "media" / name).write_bytes(name.encode())
    loaded = LoadedSource(parse_source(_source()), tmp_path)
    first = source_fingerprint(loaded)
    assert first == source_fingerprint(LoadedSource(parse_source(_source()), tmp_path))
    (tmp_path / "media" / "shared.opus").write_bytes(b"other sound")
    assert source_fingerprint(loaded) != first
    retitled = LoadedSource(parse_source(_source(title={"fr": "Autre"})), tmp_path)
    assert source_fingerprint(retitled) != source_fingerprint(loaded)
