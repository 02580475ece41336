"""Limits on what an upload may be; the server fills them from its settings."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MediaLimits:
    """Bounds on size, duration, channels and sample rate of an accepted file."""

    max_bytes: int = 2 * 1024**3
    max_duration_s: float = 4 * 3600
    min_channels: int = 1
    max_channels: int = 8
    min_rate: int = 8000
    max_rate: int = 192000
    # Edits decode the whole clip into memory with pydub, so they are for short clips only.
    max_edit_duration_s: float = 15 * 60


DEFAULT_LIMITS = MediaLimits()


def human_bytes(n: float) -> str:
    """A byte count as a mediator reads it (``1.5 GB``)."""
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"  # pragma: no cover


def human_duration(seconds: float) -> str:
    """A duration as ``1 h 02 min 05 s`` or ``12.5 s``."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min {secs:02d} s"
    return f"{minutes} min {secs:02d} s"
