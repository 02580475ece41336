"""Where a recording speaks and where it pauses, from ffmpeg's ``silencedetect``.

Enough to time a transcript: the pauses between phrases are where captions change. One
streaming decode; the detector's findings are read from standard output as they come, so a
long recording costs no memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from media import ffmpeg
from media.errors import MediaProcessingFailed
from media.sniff import sniff

# Quieter than this (relative to full scale) counts as silence; speech recorded for a trail
# sits around -16 LUFS, room noise well under -40 dB.
PAUSE_THRESHOLD_DB = -35.0
# A shorter dip is a consonant or a breath inside a phrase, not a pause between phrases.
MIN_PAUSE_S = 0.3

_LINE = re.compile(rb"^lavfi\.silence_(start|end)=(-?[\d.]+)")


@dataclass(frozen=True)
class Speech:
    """The spans (start, end) in seconds where a recording speaks, in order."""

    spans: tuple[tuple[float, float], ...]
    duration_s: float

    @property
    def pauses(self) -> tuple[tuple[float, float], ...]:
        """The silences between two spans of speech (not those before the first or after
        the last)."""
        return tuple((a[1], b[0]) for a, b in zip(self.spans, self.spans[1:], strict=False))


def _events(out: IO[bytes]) -> list[tuple[str, float]]:
    events = []
    for line in out:
        found = _LINE.match(line.strip())
        if found:
            events.append((found.group(1).decode(), max(0.0, float(found.group(2)))))
    return events


def _spans(events: list[tuple[str, float]], duration_s: float) -> Iterator[tuple[float, float]]:
    # Speech is what lies between the silences; a silence still open at the end runs to it.
    at = 0.0
    for kind, t in events:
        if kind == "start":
            if t > at:
                yield (at, min(t, duration_s))
            at = duration_s
        else:
            at = t
    if at < duration_s:
        yield (at, duration_s)


def detect_speech(
    path: Path,
    duration_s: float,
    *,
    threshold_db: float = PAUSE_THRESHOLD_DB,
    min_pause_s: float = MIN_PAUSE_S,
    timeout_s: float = 600,
) -> Speech:
    """The spans of speech in the recording at ``path`` (``duration_s`` long).

    A recording with no silence is one span; one that is silent throughout has none.
    """
    fmt = sniff(path)
    if fmt is None:
        # Only ingested audio comes here: anything else is a damaged store, not a user error.
        raise MediaProcessingFailed(f"{path.name} is not audio that can be read")
    detector = (
        f"silencedetect=noise={threshold_db}dB:duration={min_pause_s},"
        # Print the detector's findings to standard output, one "key=value" a line.
        r"ametadata=mode=print:file=pipe\\:1"
    )
    argv = [*ffmpeg.reading_audio(path, fmt), "-af", detector, "-f", "null", "-"]
    events, done = ffmpeg.stream(argv, _events, timeout_s=timeout_s, what="finding the pauses")
    ffmpeg.check(done, "finding the pauses")
    spans = [(round(a, 3), round(b, 3)) for a, b in _spans(events or [], duration_s) if b > a]
    return Speech(tuple(spans), duration_s)
