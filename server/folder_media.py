"""The media of a source folder, for an import: probed first, then stored as assets."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from sqlalchemy.orm import Session

from media.blobs import BlobStore
from media.ingest import staged_upload
from media.limits import MediaLimits
from media.probe import ProbeResult, probe_all
from server.db.models import Asset, Organisation
from server.ingest import accept_upload
from trails.source import LoadedSource, TrailSource
from trails.vocabulary import AudioRole


@dataclass(frozen=True)
class MediaContext:
    """Where imported media go and what they may be."""

    blobs: BlobStore
    limits: MediaLimits


def check_media(loaded: LoadedSource, limits: MediaLimits) -> dict[str, ProbeResult]:
    """Probe every audio file of a source first, so that a refused file stores nothing.

    Every refused file is listed at once; the facts of accepted ones are returned by path.
    """
    audio = loaded.trail.audio_paths()
    return probe_all({relative: loaded.media_file(relative) for relative in audio}, limits)


class FolderMedia:
    """Media read from a source folder: probed first, then stored as assets."""

    def __init__(self, loaded: LoadedSource, context: MediaContext) -> None:
        self.loaded = loaded
        self.context = context
        self.probed: dict[str, ProbeResult] = {}

    def check(self, trail: TrailSource) -> None:
        """Probe every audio file; a refused one stops the import before anything is stored."""
        self.probed = check_media(self.loaded, self.context.limits)

    def audio(self, session: Session, org: Organisation, relative: str, role: AudioRole) -> Asset:
        """Store the file as an asset of the organisation (the same bytes give the same one)."""
        with (
            self.loaded.media_file(relative).open("rb") as fh,
            staged_upload(fh, limits=self.context.limits) as staged,
        ):
            accepted = accept_upload(
                session,
                self.context.blobs,
                staged,
                organisation_id=org.id,
                filename=PurePosixPath(relative).name,
                role=role,
                limits=self.context.limits,
                facts=self.probed.get(relative),
            )
        return accepted.asset

    def transcript(self, relative: str) -> str:
        """The transcript file's text."""
        return self.loaded.media_file(relative).read_text(encoding="utf-8")
