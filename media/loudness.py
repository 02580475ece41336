"""EBU R128 loudness of a file, measured once at ingest in one streaming ffmpeg pass.

What decides a rendition's gain is the loudness of the very signal its encoder receives:
the source mixed down to the rendition's layout and resampled to the output rate. That
signal can differ from the source by several dB (a mono downmix of uncorrelated channels is
3 dB quieter; a 96 kHz recording loses what lies above 24 kHz), so it is measured as such,
in the same decode as the source's own figures.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from media import ffmpeg
from media.errors import MediaProcessingFailed
from media.ffmpeg import Tap
from media.probe import ProbeResult

# Integrated loudness at or under the absolute gate is no loudness at all (silence).
SILENCE_LUFS = -70.0
# Every rendition is encoded at this rate, so every gain is computed at it.
OUTPUT_RATE = 48000
LAYOUTS = ("mono", "stereo")
_HEADER = re.compile(r"^\[Parsed_ebur128_(\d+) @ [^\]]*\] Summary:")
_FIELD = re.compile(r"^\s*(I|LRA|Peak):\s+(-?[\d.]+|-?inf|nan)\s")
# Frame lines at "verbose" keep them out of the "info" log, which then holds the summaries.
_METER = "ebur128=framelog=verbose"


def downmix_filter(layout: str) -> str:
    """The filter that turns any input layout into ``mono`` or ``stereo`` (ITU downmix).

    The measurement and the encode use this same filter, so that the gain computed from one
    applies exactly to the other. Float output keeps the downmix from clipping.
    """
    return f"aresample=ochl={layout}:osf=flt"


def layout_of(channels: int) -> str:
    """The layout name of a rendition with ``channels`` channels (1 or 2)."""
    return LAYOUTS[min(max(channels, 1), 2) - 1]


def rendered_filters(probe_result: ProbeResult, layout: str) -> list[str]:
    """Filters that turn the source into what an encode to ``layout`` carries, before gain."""
    filters = []
    if probe_result.channels > LAYOUTS.index(layout) + 1:
        filters.append(downmix_filter(layout))
    if probe_result.sample_rate != OUTPUT_RATE:
        filters.append(f"aresample={OUTPUT_RATE}")
    return filters


@dataclass(frozen=True)
class Loudness:
    """Integrated loudness (LUFS, ``None`` for silence), loudness range and peak of a source.

    ``mono_lufs`` and ``stereo_lufs`` are the integrated loudness of what a mono or stereo
    rendition's encoder receives (the downmix at the output rate); ``None`` when that layout
    was not measured (or does not apply) or its signal is silent. ``true_peak_dbtp`` is only
    measured on request: the limiter of every encode keeps renditions under their ceiling.
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

    def for_output(self, out_channels: int) -> float | None:
        """Integrated loudness of the signal that an encode to ``out_channels`` will carry."""
        measured = self.mono_lufs if out_channels == 1 else self.stereo_lufs
        # Figures built by hand (or stored before rendered figures existed) have the source's
        # only; it is the best guess there is.
        return measured if measured is not None else self.integrated_lufs


@dataclass
class _Graph:
    """A filter graph written chain by chain, knowing the index ffmpeg gives each filter."""

    chains: list[str] = field(default_factory=list)
    count: int = 0

    def chain(self, source: str, filters: Sequence[str], sink: str) -> int:
        """Add ``[source]f1,f2,...[sink]``; returns the index of its last filter."""
        self.chains.append(f"[{source}]{','.join(filters)}[{sink}]")
        self.count += len(filters)
        return self.count - 1

    def text(self) -> str:
        """The ``-filter_complex`` argument."""
        return ";".join(self.chains)


def _summaries(stderr: str) -> dict[int, dict[str, str]]:
    found: dict[int, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in stderr.splitlines():
        header = _HEADER.match(line)
        if header:
            # A complex graph is configured twice (again once the input's format is known);
            # the first, empty instance prints its summary too, so the last one counts.
            current = found[int(header.group(1))] = {}
        elif line.startswith("["):
            current = None
        elif current is not None and (match := _FIELD.match(line)):
            current.setdefault(match.group(1), match.group(2))
    return found


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def _lufs(text: str | None) -> float | None:
    value = _number(text)
    return None if value is None or value <= SILENCE_LUFS else value


def measure(
    path: Path,
    probe_result: ProbeResult,
    *,
    layouts: Collection[str] = LAYOUTS,
    true_peak: bool = False,
    tap: Tap | None = None,
    timeout_s: float | None = None,
) -> Loudness:
    """Measure a probed file in one decode: the source's loudness and range, the rendered
    loudness of each of ``layouts`` that applies, its true peak if asked, and ``tap``.

    A stereo layout does not apply to a mono source (no rendition upmixes).
    """
    graph = _Graph()
    wanted = [n for n in LAYOUTS if n in layouts and LAYOUTS.index(n) < probe_result.channels]
    # The source figure doubles as a rendered one when the rendition carries the source as is.
    shared = {n for n in wanted if not rendered_filters(probe_result, n)}
    branches = 1 + len(wanted) - len(shared) + (tap is not None)
    labels = [f"b{i}" for i in range(branches)]
    split = labels if branches > 1 else ["0:a:0"]
    if branches > 1:
        graph.chain("0:a:0", [f"asplit={branches}"], "][".join(labels))
    meter = _METER + (":peak=true" if true_peak else "")
    source_meter = graph.chain(split[0], [meter], "m0")
    meters = {n: source_meter for n in shared}
    sinks = ["m0"]
    for i, name in enumerate(sorted(set(wanted) - shared), start=1):
        meters[name] = graph.chain(
            split[i], [*rendered_filters(probe_result, name), _METER], f"m{i}"
        )
        sinks.append(f"m{i}")
    # One meter feeds the null output that drives the decode; the others end in sinks.
    graph.chains[-1] = graph.chains[-1].rsplit("[", 1)[0] + "[out]"
    for sink in sinks[:-1]:
        graph.chains.append(f"[{sink}]anullsink")
    outputs = ["-map", "[out]", "-f", "null", "-"]
    if tap is not None:
        graph.chains.append(f"[{labels[-1]}]anull[tap]")
        outputs += ["-map", "[tap]", *tap.output_args, "pipe:1"]
    argv = [
        *ffmpeg.reading(path, probe_result.format, log_level="info"),
        "-filter_complex",
        graph.text(),
        # Progress goes to standard error, so that standard output is free for the tap.
        "-progress",
        "pipe:2",
        *outputs,
    ]
    if timeout_s is None:
        # Measuring runs at well over 20x real time; a stuck decode still ends.
        timeout_s = 60.0 + probe_result.duration_s
    _, done = ffmpeg.stream(
        argv, tap.consume if tap else None, timeout_s=timeout_s, what="measuring loudness"
    )
    ffmpeg.check(done, "measuring loudness")
    summaries = _summaries(done.stderr)
    if source_meter not in summaries or any(i not in summaries for i in meters.values()):
        raise MediaProcessingFailed("the loudness measurement printed no summary")
    source = summaries[source_meter]
    decoded = None
    for line in done.stderr.splitlines():
        key, _, value = line.partition("=")
        if key == "out_time_us" and value.strip().isdigit():
            decoded = int(value) / 1e6
    integrated = _lufs(source.get("I"))
    rendered = {n: _lufs(summaries[i].get("I")) for n, i in meters.items()}
    return Loudness(
        integrated_lufs=integrated,
        range_lu=(_number(source.get("LRA")) or 0.0) if integrated is not None else 0.0,
        true_peak_dbtp=_number(source.get("Peak")) if true_peak else None,
        mono_lufs=rendered.get("mono"),
        stereo_lufs=rendered.get("stereo"),
        decoded_duration_s=decoded,
    )


METER_ARGS = ("-map", "0:a:0", "-af", _METER, "-f", "null", "-")


def metered_lufs(done: ffmpeg.Completed) -> float | None:
    """Integrated loudness printed by a run that ended in :data:`METER_ARGS` (at log level
    ``info``); ``None`` for silence."""
    summaries = _summaries(ffmpeg.check(done, "checking loudness").stderr)
    if not summaries:
        raise MediaProcessingFailed("the loudness check printed no summary")
    return _lufs(summaries[max(summaries)].get("I"))


def integrated_lufs(path: Path, fmt: str, *, timeout_s: float) -> float | None:
    """Integrated loudness of a file as it decodes (``None`` for silence): one meter only."""
    argv = [*ffmpeg.reading(path, fmt, log_level="info"), *METER_ARGS]
    return metered_lufs(ffmpeg.run(argv, timeout_s=timeout_s, what="checking loudness"))
