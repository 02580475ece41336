"""What a bundle is made of: entry names and the description of one media file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from trails.storage_names import MEDIA_NAME_RE, media_name

MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.sig.json"
MediaKind = Literal["audio", "transcript", "image"]
# The types a format-1 media table may hold, by kind: the two audio profiles, WebVTT and
# the images apps show; any other pairing is a schema problem (bundle-format.md 2.6).
MEDIA_TYPES: dict[MediaKind, tuple[str, ...]] = {
    "audio": ("audio/ogg", "audio/mp4"),
    "transcript": ("text/vtt",),
    "image": ("image/jpeg", "image/png"),
}


@dataclass(frozen=True)
class BundleMedia:
    """One file that goes into a bundle, as the manifest's media table describes it."""

    sha256: str
    bytes: int
    mime_type: str
    extension: str
    kind: MediaKind
    duration_s: float | None = None
    loudness_lufs: float | None = None

    @property
    def path(self) -> str:
        """The entry name: content-addressed, so the same content has the same name."""
        return media_name(self.sha256, f".{self.extension}")

    def as_dict(self) -> dict[str, Any]:
        """The media-table row (durations to the millisecond, loudness to 0.1 LU)."""
        return {
            "path": self.path,
            "sha256": self.sha256,
            "bytes": self.bytes,
            "mime_type": self.mime_type,
            "kind": self.kind,
            "duration_s": None if self.duration_s is None else round(self.duration_s, 3),
            "loudness_lufs": None if self.loudness_lufs is None else round(self.loudness_lufs, 1),
        }

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> BundleMedia:
        """Read a media-table row back."""
        match = MEDIA_NAME_RE.match(row["path"])
        extension = match.group(2) if match else row["path"].rsplit(".", 1)[-1]
        return cls(
            sha256=row["sha256"],
            bytes=row["bytes"],
            mime_type=row["mime_type"],
            extension=extension,
            kind=row["kind"],
            duration_s=row.get("duration_s"),
            loudness_lufs=row.get("loudness_lufs"),
        )
