"""Small test media generated with ffmpeg's lavfi sources (never downloaded)."""

from __future__ import annotations

import subprocess
from pathlib import Path


def ffmpeg_make(out: Path, *args: str) -> Path:
    """Run ffmpeg to generate a test file (test inputs only, never under test)."""
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args, str(out)],
        check=True,
        timeout=120,
    )
    return out


def tone(seconds: float = 2, rate: int = 48000, freq: int = 440) -> list[str]:
    """ffmpeg input arguments for a sine tone."""
    return ["-f", "lavfi", "-i", f"sine=f={freq}:r={rate}:d={seconds}"]
