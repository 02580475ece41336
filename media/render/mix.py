"""Decode each sound once with ffmpeg, mix the voices in numpy in blocks, encode with ffmpeg."""

from __future__ import annotations

import struct
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import IO

import numpy as np

from media.ffmpeg import check, reading_audio, reading_pipe, stream
from media.render.binaural import Binaural
from media.render.voices import Voice
from media.sniff import sniff
from trails.errors import invalid

RATE = 48_000
# Ten seconds a block: numpy's per-call overhead is negligible, memory stays small.
BLOCK_S = 10.0
DECODE_TIMEOUT_S = 600.0
# Samples between two computed values of a gain or pan (1.3 ms at 48 kHz).
GRAIN = 64
# What each output extension is encoded to.
ENCODINGS: dict[str, list[str]] = {
    ".wav": ["-c:a", "pcm_s16le", "-f", "wav"],
    ".opus": ["-c:a", "libopus", "-b:a", "128k", "-f", "ogg"],
}


def decode(path: Path) -> np.ndarray:
    """A file's first audio stream as mono float32 samples at 48 kHz."""
    fmt = sniff(path)
    if fmt is None:
        raise invalid("audio", str(path), "not a readable audio file")
    argv = [*reading_audio(path, fmt), "-ac", "1", "-ar", str(RATE), "-f", "f32le", "pipe:1"]

    def read_all(out: IO[bytes]) -> bytes:
        return out.read()

    data, done = stream(argv, read_all, timeout_s=DECODE_TIMEOUT_S, what=f"decoding {path.name}")
    check(done, f"decoding {path.name}")
    return np.frombuffer(data or b"", dtype="<f4").astype(np.float32)


def equal_power(signal: np.ndarray, azimuth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Web Audio's equal-power panning: a sound behind is placed as its mirror in front."""
    az = (azimuth + 180.0) % 360.0 - 180.0
    az = np.where(az < -90, -180 - az, np.where(az > 90, 180 - az, az))
    x = (az + 90.0) / 180.0 * (np.pi / 2)
    return signal * np.cos(x), signal * np.sin(x)


def render(
    voices: list[Voice],
    sounds: Mapping[str, np.ndarray],
    duration_s: float,
    out: Path,
    *,
    binaural: bool = False,
) -> None:
    """Mix ``voices`` (each playing the decoded ``sounds[key]``) over ``duration_s`` into
    ``out``, which appears only once complete."""
    encoding = ENCODINGS.get(out.suffix.lower())
    if encoding is None:
        raise invalid("render", str(out), "the output must end in .wav or .opus")
    total = round(duration_s * RATE)
    spatial = Binaural(RATE) if binaural else None
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=out.parent, suffix=out.suffix, delete=False) as tmp:
        partial = Path(tmp.name)
    try:
        _encode(voices, sounds, total, spatial, partial, encoding)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)


def _encode(
    voices: list[Voice],
    sounds: Mapping[str, np.ndarray],
    total: int,
    spatial: Binaural | None,
    dest: Path,
    encoding: list[str],
) -> None:
    argv = [*reading_pipe("wav"), *encoding, "-y", str(dest)]
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=log)
        assert proc.stdin is not None
        try:
            proc.stdin.write(_wav_header(total))
            block = round(BLOCK_S * RATE)
            for first in range(0, total, block):
                n = min(block, total - first)
                mixed = _block(voices, sounds, first, n, spatial)
                proc.stdin.write(np.ascontiguousarray(mixed.T, dtype="<f4").tobytes())
            proc.stdin.close()
        except BrokenPipeError:
            pass
        code = proc.wait()
        if code != 0:
            log.seek(0)
            tail = log.read().decode("utf-8", "replace").strip().splitlines()[-3:]
            raise invalid("render", str(dest), f"encoding failed: {' '.join(tail)}")


def _block(
    voices: list[Voice],
    sounds: Mapping[str, np.ndarray],
    first: int,
    n: int,
    spatial: Binaural | None,
) -> np.ndarray:
    mixed = np.zeros((2, n), dtype=np.float32)
    t0 = first / RATE
    t1 = (first + n) / RATE
    for v in voices:
        if v.stop <= t0 or v.start >= t1:
            continue
        samples = sounds[v.key]
        if samples.size == 0:
            continue
        lo = max(first, round(v.start * RATE))
        hi = min(first + n, round(v.stop * RATE))
        if hi <= lo:
            continue
        idx = np.arange(lo, hi) - round(v.start * RATE)
        if v.loop:
            sig = samples[idx % samples.size]
        else:
            idx = idx[idx < samples.size]
            if idx.size == 0:
                continue
            sig = samples[idx]
            hi = lo + idx.size
        times = np.arange(lo, hi) / RATE
        if v.directed and spatial is not None:
            sig = sig * v.gain.sample(times).astype(np.float32)
            left, right = spatial.place(f"{v.key}@{v.start}", sig, v.azimuth.sample(times), lo)
        else:
            # Gains and pans move over a second: computed every GRAIN samples, then
            # interpolated, they cost two interpolations a voice instead of sines per sample.
            coarse = np.append(times[::GRAIN], times[-1])
            level = v.gain.sample(coarse)
            if v.directed:
                to_left, to_right = equal_power(level, v.azimuth.sample(coarse))
            else:
                # No direction: both ears alike, at the level of a centred equal-power pan.
                to_left = to_right = level * np.sqrt(0.5)
            left = sig * np.interp(times, coarse, to_left).astype(np.float32)
            right = sig * np.interp(times, coarse, to_right).astype(np.float32)
        a, b = lo - first, lo - first + left.size
        mixed[0, a:b] += left
        mixed[1, a:b] += right
    return np.clip(mixed, -1.0, 1.0)


def _wav_header(frames: int) -> bytes:
    # 32-bit float stereo WAV, written ahead of the samples streamed to ffmpeg.
    # A walk over about 3 hours overflows the 32-bit size: ffmpeg then reads to the end.
    data = min(frames * 2 * 4, 0xFFFFFFFF - 36)
    fmt = struct.pack("<HHIIHH", 3, 2, RATE, RATE * 8, 8, 32)
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data)
        + b"WAVE"
        + b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data"
        + struct.pack("<I", data)
    )
