"""Duration of an audio file, asked of ffprobe."""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path

from trails.errors import invalid

_TIMEOUT_S = 30


def probe_duration(path: str | Path) -> float:
    """Seconds of audio in a file, as ffprobe reports its container duration."""
    file = Path(path)
    if not file.is_file():
        raise invalid("audio", str(file), "no such file")
    command = [
        "ffprobe",
        "-v",
        "error",
        "-show_entries",
        "format=duration",
        "-of",
        "json",
        str(file),
    ]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=_TIMEOUT_S, check=False
        )
    except FileNotFoundError:
        raise invalid("audio", str(file), "ffprobe is not installed") from None
    except subprocess.TimeoutExpired:
        raise invalid("audio", str(file), "ffprobe took too long to read the file") from None
    if done.returncode != 0:
        reason = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "unknown error"
        raise invalid("audio", str(file), f"not a readable audio file: {reason}")
    try:
        duration = float(json.loads(done.stdout)["format"]["duration"])
    except (ValueError, KeyError, TypeError):
        raise invalid("audio", str(file), "ffprobe reported no duration") from None
    if not math.isfinite(duration) or duration <= 0:
        raise invalid("audio", str(file), f"ffprobe reported a duration of {duration}")
    return duration
