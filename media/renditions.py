"""Renditions: a probed, measured file encoded for phones at the target loudness."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus

from media import ffmpeg
from media.errors import MediaProcessingFailed
from media.loudness import (
    METER_ARGS,
    OUTPUT_RATE,
    Loudness,
    downmix_filter,
    integrated_lufs,
    layout_of,
    measure,
    metered_lufs,
)
from media.probe import ProbeResult, probe
from media.tags import Tags, write_mp4_tags, write_opus_tags
from trails.errors import invalid
from trails.files import file_sha256, fsync_dir
from trails.messages import msg
from trails.vocabulary import AUDIO_ROLES, DEFAULT_TARGET_LUFS, AudioRole

__all__ = [
    "ENCODINGS",
    "EncodedRendition",
    "Profile",
    "RenditionSpec",
    "Tags",
    "encode",
    "encode_file",
    "encode_many",
    "gain_db",
    "layouts_for",
]

# Bump when the encoding recipe changes in a way the parameters below do not show.
RECIPE_VERSION = 1
MAX_GAIN_DB = 20.0
# Lossy coding and the resampler add overshoot a sample-peak limiter cannot see; this margin
# keeps the encoded file's true peak under the ceiling (checked by the tests).
LIMITER_MARGIN_DB = 1.5
_LIMITER = "alimiter=limit={limit:.5f}:level=0:latency=1:attack=5:release=50"
# At low bitrates a codec drops energy from noisy, broadband signals (libopus at 32 kbit/s
# mono lost 1.3 to 1.9 dB on pink, brown and band-limited noise, 0.2 dB on speech): below
# this rate per channel, the encoded file is measured and encoded again with the gain
# corrected when it misses its target by more than the tolerance.
CHECK_BELOW_KBPS_PER_CHANNEL = 48
CHECK_TOLERANCE_DB = 0.5


@dataclass(frozen=True)
class Profile:
    """How one audio profile is encoded: encoder, container, and bitrate per role."""

    name: str
    encoder: str
    muxer: str
    container: str
    extension: str
    mime_type: str
    kbps: dict[str, int]
    extra_args: tuple[str, ...] = ()


# Keyed by the profile names of trails.vocabulary (a test checks that each has its entry).
ENCODINGS: dict[str, Profile] = {
    "opus": Profile(
        name="opus",
        encoder="libopus",
        muxer="opus",
        container="ogg",
        extension=".opus",
        mime_type="audio/ogg",
        kbps={AudioRole.voice: 32, AudioRole.immersive: 96},
        extra_args=("-vbr", "on", "-application", "audio", "-frame_duration", "20"),
    ),
    "aac": Profile(
        name="aac",
        encoder="aac",
        muxer="mp4",
        container="mp4",
        extension=".m4a",
        mime_type="audio/mp4",
        kbps={AudioRole.voice: 64, AudioRole.immersive: 160},
        # moov first, so that a player can start before the whole file is read.
        extra_args=("-profile:a", "aac_low", "-movflags", "+faststart"),
    ),
}
_MAX_CHANNELS: dict[str, int] = {AudioRole.voice: 1, AudioRole.immersive: 2}


@dataclass(frozen=True)
class RenditionSpec:
    """What to encode: profile, role, loudness target and true-peak ceiling."""

    profile: str
    role: str
    target_lufs: float = DEFAULT_TARGET_LUFS
    true_peak_dbtp: float = -1.0

    def __post_init__(self) -> None:
        if self.profile not in ENCODINGS:
            raise invalid(
                "profile",
                self.profile,
                msg("must be one of {allowed}", allowed=", ".join(ENCODINGS)),
            )
        if self.role not in AUDIO_ROLES:
            raise invalid(
                "role", self.role, msg("must be one of {allowed}", allowed=", ".join(AUDIO_ROLES))
            )
        if not -40.0 <= self.target_lufs <= -5.0:
            raise invalid("target_lufs", self.target_lufs, msg("must be between -40 and -5 LUFS"))
        if not -9.0 <= self.true_peak_dbtp <= 0.0:
            raise invalid(
                "true_peak_dbtp", self.true_peak_dbtp, msg("must be between -9 and 0 dBTP")
            )

    @property
    def profile_info(self) -> Profile:
        """The :class:`Profile` named by ``profile``."""
        return ENCODINGS[self.profile]

    @property
    def extension(self) -> str:
        """File extension of the rendition, with its dot."""
        return self.profile_info.extension

    @property
    def mime_type(self) -> str:
        """Media type of the rendition."""
        return self.profile_info.mime_type

    @property
    def bitrate_kbps(self) -> int:
        """Target bitrate for this profile and role."""
        return self.profile_info.kbps[self.role]

    @property
    def max_channels(self) -> int:
        """1 for voice; 2 for immersive (a mono source stays mono)."""
        return _MAX_CHANNELS[self.role]

    def params(self) -> dict[str, Any]:
        """Every parameter that shapes the encoded bytes."""
        info = self.profile_info
        return {
            "recipe": RECIPE_VERSION,
            "profile": info.name,
            "role": self.role,
            "encoder": info.encoder,
            "muxer": info.muxer,
            "extra_args": list(info.extra_args),
            "bitrate_kbps": self.bitrate_kbps,
            "max_channels": self.max_channels,
            "sample_rate": OUTPUT_RATE,
            "target_lufs": round(self.target_lufs, 2),
            "true_peak_dbtp": round(self.true_peak_dbtp, 2),
            "limiter": _LIMITER,
            "limiter_margin_db": LIMITER_MARGIN_DB,
            "max_gain_db": MAX_GAIN_DB,
        }

    def params_hash(self) -> str:
        """Stable sha256 of :meth:`params`, for idempotent job keys."""
        text = json.dumps(self.params(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class EncodedRendition:
    """An encoded file with what a bundle's media table needs."""

    path: Path
    sha256: str
    bytes: int
    duration_s: float
    mime_type: str
    extension: str
    notes: list[str] = field(default_factory=list)
    gain_db: float = 0.0
    channels: int = 0

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly mapping."""
        return {
            "path": str(self.path),
            "sha256": self.sha256,
            "bytes": self.bytes,
            "duration_s": self.duration_s,
            "mime_type": self.mime_type,
            "extension": self.extension,
            "notes": list(self.notes),
            "gain_db": self.gain_db,
            "channels": self.channels,
        }


def gain_db(loudness_lufs: float | None, target_lufs: float) -> tuple[float, list[str]]:
    """Gain that brings ``loudness_lufs`` to the target, clamped; silence gets 0 dB."""
    if loudness_lufs is None:
        return 0.0, ["the audio is silent; no loudness gain was applied"]
    gain = target_lufs - loudness_lufs
    if gain > MAX_GAIN_DB:
        return MAX_GAIN_DB, [
            f"the audio is very quiet ({loudness_lufs:.1f} LUFS); the gain was limited to "
            f"+{MAX_GAIN_DB:.0f} dB, so it stays quieter than the {target_lufs:.0f} LUFS target"
        ]
    return gain, []


def _length(audio: Any) -> float:
    return float(audio.info.length)


def _plan(
    spec: RenditionSpec, probe_result: ProbeResult, loudness: Loudness, correction_db: float = 0.0
) -> tuple[list[str], int, float, list[str]]:
    """Filters, output channels, gain and notes of an encode."""
    notes: list[str] = []
    out_channels = min(probe_result.channels, spec.max_channels)
    filters: list[str] = []
    if out_channels < probe_result.channels:
        layout = "mono" if out_channels == 1 else "stereo"
        filters.append(downmix_filter(layout))
        if spec.role == AudioRole.immersive:
            notes.append(
                f"the {probe_result.channels}-channel source was mixed down to stereo; "
                "phones play stereo only"
            )
        elif probe_result.channels > 2:
            notes.append(f"the {probe_result.channels}-channel source was mixed down to mono")
    level = loudness.for_output(out_channels)
    gain, gain_notes = gain_db(level, spec.target_lufs)
    gain = min(gain + correction_db, MAX_GAIN_DB)
    notes += gain_notes
    filters.append(f"volume={gain:.2f}dB:precision=float")
    if probe_result.sample_rate != OUTPUT_RATE:
        filters.append(f"aresample={OUTPUT_RATE}")
    ceiling = 10 ** ((spec.true_peak_dbtp - LIMITER_MARGIN_DB) / 20)
    filters.append(_LIMITER.format(limit=ceiling))
    return filters, out_channels, gain, notes


def layouts_for(specs: Sequence[RenditionSpec], probe_result: ProbeResult) -> set[str]:
    """The layouts whose loudness the encodes of ``specs`` need (see :func:`measure`)."""
    return {layout_of(min(probe_result.channels, spec.max_channels)) for spec in specs}


def _argv(src: Path, out: str, spec: RenditionSpec, fmt: str, filters: list[str]) -> list[str]:
    info = spec.profile_info
    return [
        *ffmpeg.reading_audio(src, fmt),
        "-map_metadata",
        "-1",
        "-map_chapters",
        "-1",
        "-af",
        ",".join(filters),
        "-c:a",
        info.encoder,
        "-b:a",
        f"{spec.bitrate_kbps}k",
        *info.extra_args,
        "-ar",
        str(OUTPUT_RATE),
        # No encoder version strings, no timestamps, no random stream serials:
        # the same input and spec give the same bytes.
        "-fflags",
        "+bitexact",
        "-flags:a",
        "+bitexact",
        "-f",
        info.muxer,
        "-y",
        out,
    ]


def _check_encoded(done: ffmpeg.Completed, src: Path) -> None:
    if done.returncode != 0:
        raise MediaProcessingFailed(
            "encoding failed: " + done.last_error().replace(ffmpeg.file_url(src), "input")
        )


def _encode_to(
    src: Path, out: Path, spec: RenditionSpec, fmt: str, filters: list[str], timeout_s: float
) -> None:
    argv = _argv(src, ffmpeg.file_url(out), spec, fmt, filters)
    _check_encoded(ffmpeg.run(argv, timeout_s=timeout_s, what="encoding"), src)


def _encode_and_measure(
    src: Path, out: Path, spec: RenditionSpec, fmt: str, filters: list[str], timeout_s: float
) -> float | None:
    """Encode to ``out`` and return the integrated loudness of what was encoded."""
    info = spec.profile_info
    if info.container != "ogg":
        # An MP4 is finished only at its end (its index moves to the front), so it is
        # measured once written.
        _encode_to(src, out, spec, fmt, filters, timeout_s)
        return integrated_lufs(out, info.container, timeout_s=timeout_s)
    # An Ogg stream is decoded and measured while it is being written.
    made, metered = ffmpeg.tee(
        _argv(src, "pipe:1", spec, fmt, filters),
        [*ffmpeg.reading_pipe(info.container, log_level="info"), *METER_ARGS],
        out,
        timeout_s=timeout_s,
        what="encoding",
    )
    _check_encoded(made, src)
    return metered_lufs(metered)


def _needs_check(spec: RenditionSpec, out_channels: int, gain: float, level: float | None) -> bool:
    """Whether the codec may have missed the target: a low bitrate, and a gain free to move."""
    low_rate = spec.bitrate_kbps / out_channels < CHECK_BELOW_KBPS_PER_CHANNEL
    return low_rate and level is not None and gain < MAX_GAIN_DB


def encode(
    src: Path,
    dst: Path,
    spec: RenditionSpec,
    *,
    probe_result: ProbeResult,
    loudness: Loudness,
    tags: Tags | None = None,
    timeout_s: float | None = None,
) -> EncodedRendition:
    """Encode ``src`` to ``dst`` with gain, limiter and our tags; ``dst`` appears whole or not.

    ffmpeg streams from file to file, so memory does not grow with the input's length.
    """
    src, dst = Path(src), Path(dst)
    if not dst.parent.is_dir():
        raise invalid("output", str(dst), msg("the output folder does not exist"))
    info = spec.profile_info
    filters, out_channels, gain, notes = _plan(spec, probe_result, loudness)
    if timeout_s is None:
        # Encoding runs far faster than real time even on a busy core.
        timeout_s = 60.0 + probe_result.duration_s
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".tmp", dir=dst.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        level = loudness.for_output(out_channels)
        if _needs_check(spec, out_channels, gain, level):
            assert level is not None
            got = _encode_and_measure(src, tmp, spec, probe_result.format, filters, timeout_s)
            if got is not None and abs(level + gain - got) > CHECK_TOLERANCE_DB:
                filters, _, gain, notes = _plan(spec, probe_result, loudness, level + gain - got)
                _encode_to(src, tmp, spec, probe_result.format, filters, timeout_s)
        else:
            _encode_to(src, tmp, spec, probe_result.format, filters, timeout_s)
        if info.container == "ogg":
            write_opus_tags(tmp, tags or Tags())
            duration = _length(OggOpus(tmp))
        else:
            write_mp4_tags(tmp, tags or Tags())
            duration = _length(MP4(tmp))
        with tmp.open("rb+") as f:
            os.fsync(f.fileno())
        digest, size = file_sha256(tmp), tmp.stat().st_size
        os.replace(tmp, dst)
        fsync_dir(dst.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return EncodedRendition(
        path=dst,
        sha256=digest,
        bytes=size,
        duration_s=round(duration, 6),
        mime_type=spec.mime_type,
        extension=spec.extension,
        notes=notes,
        gain_db=round(gain, 2),
        channels=out_channels,
    )


def encode_file(
    src: Path,
    dst: Path,
    *,
    role: str,
    profile: str,
    target_lufs: float = DEFAULT_TARGET_LUFS,
    tags: Tags | None = None,
) -> EncodedRendition:
    """Probe, measure and encode in one call (what the CLI does)."""
    spec = RenditionSpec(profile=profile, role=role, target_lufs=target_lufs)
    found = probe(Path(src))
    level = measure(Path(src), found, layouts=layouts_for([spec], found))
    return encode(Path(src), Path(dst), spec, probe_result=found, loudness=level, tags=tags)


def encode_many(
    jobs: Sequence[tuple[Path, Path, RenditionSpec]],
    *,
    analyses: dict[Path, tuple[ProbeResult, Loudness]] | None = None,
    tags: Tags | None = None,
    timeout_s: float | None = None,
    max_workers: int | None = None,
) -> list[EncodedRendition]:
    """Run encodes in parallel, up to the core count; results in the order of ``jobs``.

    Each distinct source is probed and measured once unless ``analyses`` already has it.
    Every job runs to its end; the first failure is then raised (finished renditions stay,
    each one whole).
    """
    workers = max(1, min(max_workers or os.cpu_count() or 1, len(jobs) or 1))
    known = dict(analyses or {})

    def analyse(src: Path) -> tuple[Path, tuple[ProbeResult, Loudness]]:
        found = probe(src)
        specs = [spec for s, _, spec in jobs if Path(s) == src]
        return src, (found, measure(src, found, layouts=layouts_for(specs, found)))

    with ThreadPoolExecutor(max_workers=workers) as pool:
        missing = sorted({Path(src) for src, _, _ in jobs} - set(known))
        known.update(pool.map(analyse, missing))

        def run(job: tuple[Path, Path, RenditionSpec]) -> EncodedRendition:
            src, dst, spec = Path(job[0]), Path(job[1]), job[2]
            found, level = known[src]
            return encode(
                src, dst, spec, probe_result=found, loudness=level, tags=tags, timeout_s=timeout_s
            )

        futures = [pool.submit(run, job) for job in jobs]
        errors = [f.exception() for f in futures]
    for error in errors:
        if error is not None:
            raise error
    return [f.result() for f in futures]
