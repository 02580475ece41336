"""Errors of the audio pipeline, worded for the mediator who uploaded the file."""

from __future__ import annotations

from trails.errors import DomainError


class RejectedMedia(DomainError):
    """The file cannot become an asset; ``detail`` says why and ``reason`` names the case."""

    title = "Media rejected"

    def __init__(self, detail: str, *, reason: str = "unsupported") -> None:
        super().__init__(detail)
        # A stable, machine-readable code (e.g. "too_large", "not_audio") for clients and tests.
        self.reason = reason


class MediaTimeout(DomainError):
    """An ffmpeg run went past its wall-clock limit and was killed."""

    title = "Media processing timed out"


class MediaToolMissing(DomainError):
    """ffmpeg or ffprobe is not installed."""

    title = "Media tools missing"


class MediaProcessingFailed(DomainError):
    """ffmpeg failed on a file that passed the probe (a damaged stream, for instance)."""

    title = "Media processing failed"
