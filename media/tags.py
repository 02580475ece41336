"""Our own tags on renditions: source metadata is stripped, these are written with mutagen."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mutagen.mp4 import MP4, MP4FreeForm
from mutagen.oggopus import OggOpus

VENDOR = "Baladeur"
_MP4_LANGUAGE = "----:org.baladeur:language"


@dataclass(frozen=True)
class Tags:
    """Tags written on a rendition: title, credits as artist, licence, BCP 47 language."""

    title: str | None = None
    artist: str | None = None
    copyright: str | None = None
    language: str | None = None

    def items(self) -> list[tuple[str, str]]:
        """The tags that are set, as (name, value) pairs."""
        pairs = [
            ("title", self.title),
            ("artist", self.artist),
            ("copyright", self.copyright),
            ("language", self.language),
        ]
        return [(name, value.strip()) for name, value in pairs if value and value.strip()]


def write_opus_tags(path: Path, tags: Tags) -> None:
    """Replace every comment of an Ogg Opus file with ours."""
    audio = OggOpus(path)
    assert audio.tags is not None
    audio.tags.clear()
    audio.tags.vendor = VENDOR  # otherwise the encoder's version string stays
    for name, value in tags.items():
        audio.tags[name.upper()] = [value]
    audio.save()


def write_mp4_tags(path: Path, tags: Tags) -> None:
    """Replace every iTunes-style tag of an M4A file with ours."""
    audio = MP4(path)
    audio.clear()
    keys = {"title": "\xa9nam", "artist": "\xa9ART", "copyright": "cprt"}
    for name, value in tags.items():
        if name == "language":
            # MP4 has no language item in ilst; a freeform atom keeps the full BCP 47 tag.
            audio[_MP4_LANGUAGE] = [MP4FreeForm(value.encode("utf-8"))]
        else:
            audio[keys[name]] = [value]
    audio.save()


def read_rendition_tags(path: Path, container: str) -> dict[str, str]:
    """Tags of a rendition as written above (for tests and checks)."""
    if container == "ogg":
        comments = OggOpus(path).tags
        if comments is None:
            return {}
        return {k.lower(): v[0] for k, v in comments.as_dict().items()}
    mp4 = MP4(path)
    names = {"\xa9nam": "title", "\xa9ART": "artist", "cprt": "copyright"}
    out: dict[str, str] = {}
    items: list[tuple[str, Any]] = list(mp4.tags.items()) if mp4.tags is not None else []
    for key, value in items:
        if key == _MP4_LANGUAGE:
            out["language"] = bytes(value[0]).decode("utf-8")
        else:
            out[names.get(key, key)] = str(value[0])
    return out
