"""EBU R128 loudness of a file, measured once at ingest in one streaming ffmpeg pass."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from media import ffmpeg
from media.errors import MediaProcessingFailed
from media.probe import ProbeResult

# Integrated loudness at or under the absolute gate is no loudness at all (silence).
SILENCE_LUFS = -70.0
_SUMMARY = re.compile(
    r"Parsed_ebur128_(?P<n>\d+).*?Summary:.*?I:\s+(?P<i>-?[\d.]+|-?inf)\s+LUFS"
    r".*?LRA:\s+(?P<lra>-?[\d.]+|-?inf|nan)\s+LU(?P<rest>.*?)(?=Parsed_ebur128_|\Z)",
    re.S,
)
_PEAK = re.compile(r"True peak:\s+Peak:\s+(-?[\d.]+|-?inf)\s+dBFS")


def downmix_filter(layout: str) -> str:
    """The filter that turns any input layout into ``mono`` or ``stereo`` (ITU downmix).

    The measurement and the encode use this same filter, so that the gain computed from one
    applies exactly to the other. Float output keeps the downmix from clipping.
    """
    return f"aresample=ochl={layout}:osf=flt"


@dataclass(frozen=True)
class Loudness:
    """Integrated loudness (LUFS, ``None`` for silence), loudness range and true peak.

    ``mono_lufs`` and ``stereo_lufs`` are the integrated loudness of the downmixes that
    renditions use (a voice rendition is mono; a 5.1 source becomes stereo), measured in the
    same pass; ``None`` means the layout needs no downmix or the downmix is silent.
    """

    integrated_lufs: float | None
    range_lu: float
    true_peak_dbtp: float | None
    mono_lufs: float | None = None
    stereo_lufs: float | None = None
    decoded_duration_s: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly mapping, suitable for storing with the asset."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Loudness:
        """The inverse of :meth:`as_dict` (unknown keys ignored)."""
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)

    def for_channels(self, source_channels: int, out_channels: int) -> float | None:
        """Integrated loudness of the signal that an encode to ``out_channels`` will carry."""
        if out_channels >= source_channels or self.integrated_lufs is None:
            return self.integrated_lufs
        measured = self.mono_lufs if out_channels == 1 else self.stereo_lufs
        # Stored rows may predate the downmix figures; the source figure is the best guess.
        return measured if measured is not None else self.integrated_lufs


def _number(text: str) -> float | None:
    value = float(text)
    return value if math.isfinite(value) else None


def _lufs(text: str) -> float | None:
    value = _number(text)
    return None if value is None or value <= SILENCE_LUFS else value


def measure(path: Path, probe_result: ProbeResult, *, timeout_s: float | None = None) -> Loudness:
    """Measure a probed file: source loudness and true peak, plus its downmixes' loudness."""
    chain = ["ebur128=peak=true:framelog=verbose"]
    if probe_result.channels > 2:
        # Both downmixes from one decode: split after the source meter.
        graph = (
            f"[0:a:0]{chain[0]},asplit=2[m][s];"
            f"[m]{downmix_filter('mono')},ebur128=framelog=verbose[mo];"
            f"[s]{downmix_filter('stereo')},ebur128=framelog=verbose[out];"
            "[mo]anullsink"
        )
        filter_args = ["-filter_complex", graph, "-map", "[out]"]
    else:
        if probe_result.channels == 2:
            chain += [downmix_filter("mono"), "ebur128=framelog=verbose"]
        filter_args = ["-map", "0:a:0", "-af", ",".join(chain)]
    argv = [
        *ffmpeg.reading(path, probe_result.format, log_level="info"),
        *filter_args,
        "-f",
        "null",
        "-progress",
        "pipe:1",
        "-",
    ]
    if timeout_s is None:
        # Measuring runs at well over 20x real time; a stuck decode still ends.
        timeout_s = 60.0 + probe_result.duration_s
    done = ffmpeg.check(
        ffmpeg.run(argv, timeout_s=timeout_s, what="measuring loudness"), "measuring loudness"
    )
    summaries = {int(m["n"]): m for m in _SUMMARY.finditer(done.stderr)}
    if not summaries:
        raise MediaProcessingFailed("the loudness measurement printed no summary")
    first = summaries[min(summaries)]
    others = [summaries[n] for n in sorted(summaries)[1:]]
    peak = _PEAK.search(first["rest"])
    mono = stereo = None
    if probe_result.channels == 2 and others:
        mono = _lufs(others[0]["i"])
    elif probe_result.channels > 2 and len(others) == 2:
        # Filter numbering follows the graph text: the mono branch comes first.
        mono, stereo = _lufs(others[0]["i"]), _lufs(others[1]["i"])
    decoded = None
    for line in done.stdout.splitlines():
        key, _, value = line.partition("=")
        if key == "out_time_us" and value.strip().isdigit():
            decoded = int(value) / 1e6
    integrated = _lufs(first["i"])
    return Loudness(
        integrated_lufs=integrated,
        range_lu=(_number(first["lra"]) or 0.0) if integrated is not None else 0.0,
        true_peak_dbtp=_number(peak.group(1)) if peak else None,
        mono_lufs=mono,
        stereo_lufs=stereo,
        decoded_duration_s=decoded,
    )
