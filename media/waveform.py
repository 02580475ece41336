"""Waveform peaks for the studio: min/max per bucket, computed while ffmpeg decodes."""

from __future__ import annotations

import math
from pathlib import Path
from typing import IO, Any

import numpy as np

from media import ffmpeg
from media.ffmpeg import Tap
from media.probe import ProbeResult, probe

# A low analysis rate keeps the pipe small; peaks of speech and music survive at 16 kHz
# well enough for a drawing of ~1000 columns.
_ANALYSIS_RATE = 16000
_READ_BYTES = 1 << 18
# The mono mix at the analysis rate, as 32-bit floats (ffmpeg's own downmix and resampler).
OUTPUT_ARGS = ("-ac", "1", "-ar", str(_ANALYSIS_RATE), "-f", "f32le")


class Peaks:
    """Folds a stream of mono float samples into ``buckets`` min/max pairs as it comes.

    Memory holds one read buffer and the bucket arrays, whatever the input's length.
    """

    def __init__(self, duration_s: float, buckets: int = 1000) -> None:
        if buckets < 1:
            raise ValueError("buckets must be positive")
        expected = max(1, round(duration_s * _ANALYSIS_RATE))
        self.buckets = buckets
        self.per_bucket = max(1, math.ceil(expected / buckets))
        self.lows = np.full(buckets, np.inf, dtype=np.float32)
        self.highs = np.full(buckets, -np.inf, dtype=np.float32)
        self.total = 0

    def consume(self, stdout: IO[bytes]) -> int:
        """Read the stream to its end; returns the number of samples seen."""
        carry = b""
        while block := stdout.read(_READ_BYTES):
            block = carry + block
            usable = len(block) - len(block) % 4
            carry = block[usable:]
            samples = np.frombuffer(block[:usable], dtype="<f4")
            if samples.size:
                index = np.minimum(
                    np.arange(self.total, self.total + samples.size) // self.per_bucket,
                    self.buckets - 1,
                )
                # Reduce each run of one bucket within the block, then fold into the totals.
                starts = np.flatnonzero(np.diff(index, prepend=-1))
                np.minimum.at(self.lows, index[starts], np.minimum.reduceat(samples, starts))
                np.maximum.at(self.highs, index[starts], np.maximum.reduceat(samples, starts))
            self.total += samples.size
        return self.total

    def tap(self) -> Tap:
        """This accumulator as a second output of another decode (the loudness pass)."""
        return Tap(OUTPUT_ARGS, self.consume)

    def result(self) -> dict[str, Any]:
        """``{"buckets", "duration_s", "min", "max"}`` of what was consumed, in [-1, 1]."""
        used = min(self.buckets, max(1, math.ceil(self.total / self.per_bucket)))
        lows, highs = self.lows.copy(), self.highs.copy()
        lows[~np.isfinite(lows)] = 0.0
        highs[~np.isfinite(highs)] = 0.0
        return {
            "buckets": used,
            "duration_s": round(self.total / _ANALYSIS_RATE, 3),
            "min": [round(float(v), 4) for v in np.clip(lows[:used], -1, 1)],
            "max": [round(float(v), 4) for v in np.clip(highs[:used], -1, 1)],
        }


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
    accumulator = Peaks(found.duration_s, buckets)
    argv = [*ffmpeg.reading_audio(Path(path), found.format), *OUTPUT_ARGS, "pipe:1"]
    _, done = ffmpeg.stream(
        argv,
        accumulator.consume,
        timeout_s=timeout_s or 60.0 + found.duration_s,
        what="drawing the waveform",
    )
    ffmpeg.check(done, "drawing the waveform")
    return accumulator.result()
