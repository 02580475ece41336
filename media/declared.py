"""Compare the media type a client declared with what the bytes really are."""

from __future__ import annotations

from media.errors import RejectedMedia
from media.probe import MIME_TYPES
from trails.messages import msg

# Names browsers and recorders use for the same containers.
_ALIASES: dict[str, str] = {
    "audio/x-wav": "wav",
    "audio/wave": "wav",
    "audio/vnd.wave": "wav",
    "audio/mp3": "mp3",
    "audio/x-mp3": "mp3",
    "audio/mpeg3": "mp3",
    "audio/x-m4a": "mp4",
    "audio/m4a": "mp4",
    "audio/aac": "mp4",
    "video/mp4": "mp4",
    "audio/opus": "ogg",
    "application/ogg": "ogg",
    "audio/x-flac": "flac",
    "audio/x-aiff": "aiff",
    "video/webm": "webm",
    "audio/w64": "w64",
}
# Types that say nothing about the content: nothing to compare.
_UNSPECIFIC = {"", "application/octet-stream", "binary/octet-stream", "audio/*"}


def declared_format(content_type: str | None) -> str | None:
    """The container a declared media type names, or None when it names none in particular."""
    base = (content_type or "").split(";")[0].strip().lower()
    if base in _UNSPECIFIC:
        return None
    for fmt, mime in MIME_TYPES.items():
        if base == mime:
            return fmt
    return _ALIASES.get(base, base)


def check_declared_type(content_type: str | None, actual_format: str) -> None:
    """Refuse (415) an upload whose declared type contradicts its bytes."""
    declared = declared_format(content_type)
    if declared is None or declared == actual_format:
        return
    raise RejectedMedia(
        msg(
            "the file was sent as {content_type} but its content is {actual}; send "
            "it with its real type (or without one)",
            content_type=content_type,
            actual=MIME_TYPES[actual_format],
        ),
        reason="type_mismatch",
    )
