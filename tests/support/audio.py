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


def pink_noise(seconds: float, rate: int, seed: int, amplitude: float = 0.4) -> list[str]:
    """ffmpeg input arguments for pink noise (the spectrum of much natural sound)."""
    source = f"anoisesrc=c=pink:r={rate}:a={amplitude}:d={seconds}:seed={seed}"
    return ["-f", "lavfi", "-i", source]


def ebur128_lufs(path: Path) -> float:
    """Integrated loudness of a file as ffmpeg's own ebur128 meter reports it (an oracle
    independent of media/)."""
    done = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-i", str(path),
         "-af", "ebur128=framelog=verbose", "-f", "null", "-"],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    summary = done.stderr.rsplit("Summary:", 1)[1]
    return float(summary.split("I:", 1)[1].split("LUFS", 1)[0])


def speech_like(pattern: list[float], rate: int = 16000) -> list[str]:
    """ffmpeg arguments for tone bursts (speech) and quiet room noise (pauses), alternating
    from a burst: ``[1.0, 0.6, 1.5]`` is 1 s of "speech", a 0.6 s pause, then 1.5 s."""
    inputs: list[str] = []
    for i, seconds in enumerate(pattern):
        # A pause is not digital silence: room noise some 55 dB under full scale.
        source = (
            f"sine=f={220 + 40 * i}:r={rate}:d={seconds}"
            if i % 2 == 0
            else f"anoisesrc=c=pink:r={rate}:a=0.002:d={seconds}:seed={i}"
        )
        inputs += ["-f", "lavfi", "-i", source]
    joined = "".join(f"[{i}]" for i in range(len(pattern)))
    graph = f"{joined}concat=n={len(pattern)}:v=0:a=1"
    return [*inputs, "-filter_complex", graph, "-ac", "1"]
