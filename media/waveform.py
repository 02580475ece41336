"""Waveform peaks for the studio: min/max per bucket, computed while ffmpeg decodes."""

from __future__ import annotations

import math
from pathlib import Path
from typing import IO, Any

import numpy as np

from media import ffmpeg
from media.probe import ProbeResult, probe

# A low analysis rate keeps the pipe small; peaks of speech and music survive at 16 kHz
# well enough for a drawing of ~1000 columns.
_ANALYSIS_RATE = 16000
_READ_BYTES = 1 << 18


def peaks(
    path: Path,
    buckets: int = 1000,
    *,
    probe_result: ProbeResult | None = None,
    timeout_s: float | None = None,
) -> dict[str, Any]:
    """``{"buckets", "duration_s", "min", "max"}`` of the mono mix, in [-1, 1].

    Memory holds one read buffer and the bucket arrays, whatever the input's length.
    """
    if buckets < 1:
        raise ValueError("buckets must be positive")
    found = probe_result or probe(Path(path))
    expected = max(1, round(found.duration_s * _ANALYSIS_RATE))
    per_bucket = max(1, math.ceil(expected / buckets))
    lows = np.full(buckets, np.inf, dtype=np.float32)
    highs = np.full(buckets, -np.inf, dtype=np.float32)

    def consume(stdout: IO[bytes]) -> int:
        done = 0
        carry = b""
        while block := stdout.read(_READ_BYTES):
            block = carry + block
            usable = len(block) - len(block) % 4
            carry = block[usable:]
            samples = np.frombuffer(block[:usable], dtype="<f4")
            if samples.size:
                index = np.minimum(np.arange(done, done + samples.size) // per_bucket, buckets - 1)
                # Reduce each run of one bucket within the block, then fold into the totals.
                starts = np.flatnonzero(np.diff(index, prepend=-1))
                np.minimum.at(lows, index[starts], np.minimum.reduceat(samples, starts))
                np.maximum.at(highs, index[starts], np.maximum.reduceat(samples, starts))
            done += samples.size
        return done

    argv = [
        *ffmpeg.reading_audio(Path(path), found.format),
        "-ac",
        "1",
        "-ar",
        str(_ANALYSIS_RATE),
        "-f",
        "f32le",
        "pipe:1",
    ]
    total, done = ffmpeg.stream(
        argv, consume, timeout_s=timeout_s or 60.0 + found.duration_s, what="drawing the waveform"
    )
    ffmpeg.check(done, "drawing the waveform")
    used = min(buckets, max(1, math.ceil((total or 0) / per_bucket)))
    lows[~np.isfinite(lows)] = 0.0
    highs[~np.isfinite(highs)] = 0.0
    return {
        "buckets": used,
        "duration_s": round((total or 0) / _ANALYSIS_RATE, 3),
        "min": [round(float(v), 4) for v in np.clip(lows[:used], -1, 1)],
        "max": [round(float(v), 4) for v in np.clip(highs[:used], -1, 1)],
    }
