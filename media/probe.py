"""Probe an uploaded file: its real format, stream facts and tags, checked against limits."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import mutagen
from mutagen.aiff import AIFF
from mutagen.flac import FLAC
from mutagen.mp3 import EasyMP3
from mutagen.mp4 import MP4
from mutagen.oggflac import OggFLAC
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE

from media import ffmpeg
from media.errors import MediaProcessingFailed, RejectedMedia
from media.limits import DEFAULT_LIMITS, MediaLimits, human_bytes, human_duration
from media.sniff import describe, sniff
from trails.errors import FieldError, InvalidInput
from trails.messages import msg

ACCEPTED = "WAV, W64, AIFF, FLAC, MP3, Ogg (Vorbis, Opus, FLAC), M4A/MP4 and WebM audio"
# Media type of each accepted container, for storing originals.
MIME_TYPES = {
    "wav": "audio/wav",
    "w64": "audio/x-w64",
    "aiff": "audio/aiff",
    "flac": "audio/flac",
    "mp3": "audio/mpeg",
    "ogg": "audio/ogg",
    "mp4": "audio/mp4",
    "webm": "audio/webm",
}
_PROBE_TIMEOUT_S = 60.0
_SCAN_BYTES_PER_S = 20 * 1024**2  # a slow disk; the packet scan reads the file once
# Compressed audio decodes at 100x real time or more; a second per 100 kB is generous.
_DECODE_TIMEOUT_PER_BYTE = 1 / 100_000
_MAX_TAG_CHARS = 1000
# Container duration can only be trusted so far: a declared length this much above what
# the packets hold means the file was cut (a broken copy or upload).
_TRUNCATION_SLACK_S = 0.5
_TRUNCATION_SLACK_RATIO = 0.02
# MP3 headers only estimate the duration (from the first frame's bitrate), so a mismatch
# there is no sign of damage.
_ESTIMATED_DURATION = {"mp3"}
# mutagen's reader per (format, codec); WebM and W64 have none, their tags come from ffprobe.
_TAG_READERS: dict[tuple[str, str | None], Any] = {
    ("wav", None): WAVE,
    ("aiff", None): AIFF,
    ("flac", None): FLAC,
    ("mp3", None): EasyMP3,
    ("mp4", None): MP4,
    ("ogg", "opus"): OggOpus,
    ("ogg", "vorbis"): OggVorbis,
    ("ogg", "flac"): OggFLAC,
}
_MP4_TAGS = {
    "\xa9nam": "title",
    "\xa9ART": "artist",
    "\xa9alb": "album",
    "cprt": "copyright",
    "\xa9day": "date",
    "\xa9cmt": "comment",
    "\xa9gen": "genre",
    "\xa9wrt": "composer",
}


@dataclass(frozen=True)
class ProbeResult:
    """What a file really is: container, codec, length, layout, and its tags."""

    format: str
    codec: str
    duration_s: float
    channels: int
    sample_rate: int
    bit_depth: int | None
    tags: dict[str, str]
    size_bytes: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def mime_type(self) -> str:
        """Media type of the container."""
        return MIME_TYPES[self.format]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly mapping of every fact."""
        data = asdict(self)
        data["notes"] = list(self.notes)
        return data


def _reject(detail: str, reason: str) -> RejectedMedia:
    return RejectedMedia(detail, reason=reason)


def _ffprobe(path: Path, fmt: str) -> dict[str, Any]:
    argv = [
        ffmpeg.tool("ffprobe"),
        "-v",
        "error",
        "-hide_banner",
        *ffmpeg.input_args(path, fmt),
        "-show_format",
        "-show_streams",
        "-of",
        "json",
    ]
    done = ffmpeg.run(argv, timeout_s=_PROBE_TIMEOUT_S, what="reading the file")
    if done.returncode != 0:
        reason = done.last_error().replace(ffmpeg.file_url(path), "file")
        raise _reject(
            msg(
                "the file looks like {format} but cannot be read; it may be damaged or "
                "incomplete ({reason})",
                format=fmt.upper(),
                reason=reason,
            ),
            "damaged",
        )
    try:
        data: dict[str, Any] = json.loads(done.stdout)
    except ValueError:
        raise MediaProcessingFailed("ffprobe printed something that is not JSON") from None
    return data


def scan_duration(path: Path, fmt: str, size: int) -> float:
    """Seconds of audio the packets of the first audio track really cover (no decoding)."""
    argv = [
        *ffmpeg.reading_audio(path, fmt),
        "-c",
        "copy",
        "-f",
        "null",
        "-progress",
        "pipe:1",
        "-",
    ]
    timeout = _PROBE_TIMEOUT_S + size / _SCAN_BYTES_PER_S
    done = ffmpeg.run(argv, timeout_s=timeout, what="scanning the file")
    if done.returncode != 0:
        raise _reject(
            f"the {fmt.upper()} file is damaged: "
            + done.last_error().replace(ffmpeg.file_url(path), "file"),
            "damaged",
        )
    last = 0
    for line in done.stdout.splitlines():
        key, _, value = line.partition("=")
        if key == "out_time_us" and value.strip().lstrip("-").isdigit():
            last = max(last, int(value))
    return last / 1e6


def decode_duration(path: Path, fmt: str, size: int) -> float | None:
    """Seconds of audio the first audio track decodes to, or ``None`` if decoding fails.

    A decoder that reports any error (a frame cut short, a file that ends mid-packet) counts
    as a failure: that is what a cut copy looks like, whatever its header says.
    """
    argv = [*ffmpeg.reading_audio(path, fmt), "-f", "null", "-progress", "pipe:1", "-"]
    timeout = _PROBE_TIMEOUT_S + size / _SCAN_BYTES_PER_S + _DECODE_TIMEOUT_PER_BYTE * size
    done = ffmpeg.run(argv, timeout_s=timeout, what="decoding the file")
    if done.returncode != 0 or done.stderr.strip():
        return None
    last = 0
    for line in done.stdout.splitlines():
        key, _, value = line.partition("=")
        if key == "out_time_us" and value.strip().isdigit():
            last = max(last, int(value))
    return last / 1e6 if last > 0 else None


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and number >= 0 else None


def _bit_depth(stream: dict[str, Any]) -> int | None:
    codec = str(stream.get("codec_name", ""))
    # Lossy codecs have no bit depth; their decoders merely output float samples.
    if not (codec.startswith("pcm_") or codec in {"flac", "alac", "wavpack", "tta"}):
        return None
    for key in ("bits_per_raw_sample", "bits_per_sample"):
        value = stream.get(key)
        if value is not None and str(value).isdigit() and int(value) > 0:
            return int(value)
    return None


def _clean_tags(raw: dict[str, Any]) -> dict[str, str]:
    tags: dict[str, str] = {}
    for key, value in raw.items():
        if isinstance(value, list):
            value = value[0] if value else ""
        text = str(value).replace("\x00", "").strip()
        if text and len(text) <= _MAX_TAG_CHARS and key:
            tags[str(key).lower()] = text
    return tags


def read_tags(path: Path, fmt: str, codec: str, fallback: dict[str, Any]) -> dict[str, str]:
    """Text tags read by mutagen (our own reader choice, not mutagen's guess by name)."""
    reader = _TAG_READERS.get((fmt, codec)) or _TAG_READERS.get((fmt, None))
    if reader is None:
        return _clean_tags(fallback)
    try:
        audio = reader(path)
    except (mutagen.MutagenError, OSError, ValueError, IndexError, KeyError):
        # A tag block mutagen cannot parse does not make the audio unusable.
        return _clean_tags(fallback)
    tags = audio.tags
    if tags is None:
        return _clean_tags(fallback)
    if isinstance(audio, MP4):
        return _clean_tags({_MP4_TAGS[k]: v for k, v in tags.items() if k in _MP4_TAGS})
    if isinstance(audio, WAVE | AIFF):
        # ID3 frames inside RIFF/AIFF: keep the text frames under readable names.
        texts = {k: getattr(v, "text", None) for k, v in tags.items()}
        names = {
            "TIT2": "title",
            "TPE1": "artist",
            "TALB": "album",
            "TCOP": "copyright",
            "TLAN": "language",
            "COMM": "comment",
        }
        return _clean_tags(
            {names.get(k[:4], k): [str(t) for t in v] for k, v in texts.items() if v}
        )
    try:
        return _clean_tags(dict(tags.items()))
    except (TypeError, ValueError):
        return _clean_tags(fallback)


def probe(path: Path, limits: MediaLimits | None = None) -> ProbeResult:
    """Identify and check a file; raise :class:`RejectedMedia` with a reason if refused."""
    limits = limits or DEFAULT_LIMITS
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise _reject(msg("the file does not exist"), "missing") from None
    if not path.is_file():
        raise _reject(msg("not a regular file"), "not_a_file")
    if size == 0:
        raise _reject(msg("the file is empty (0 bytes)"), "empty")
    if size > limits.max_bytes:
        raise _reject(
            msg(
                "the file is {size}, over the limit of {size2}",
                size=human_bytes(size),
                size2=human_bytes(limits.max_bytes),
            ),
            "too_large",
        )
    fmt = sniff(path)
    if fmt is None:
        raise _reject(
            msg(
                "the file is {found}, not audio in a format we accept ({formats})",
                found=describe(path),
                formats=ACCEPTED,
            ),
            "not_audio",
        )
    info = _ffprobe(path, fmt)
    streams = [s for s in info.get("streams", []) if s.get("codec_type") == "audio"]
    if not streams:
        raise _reject(msg("the file has no audio track"), "no_audio")
    stream = streams[0]
    codec = str(stream.get("codec_name") or "unknown")
    if codec == "unknown" or codec.startswith("none"):
        raise _reject(msg("the audio is in a codec we cannot decode"), "unsupported_codec")
    channels = int(stream.get("channels") or 0)
    rate = int(_float(stream.get("sample_rate")) or 0)
    if not limits.min_channels <= channels <= limits.max_channels:
        raise _reject(
            msg(
                "the audio has {channels} channels; between {min_channels} and "
                "{max_channels} are accepted",
                channels=channels,
                min_channels=limits.min_channels,
                max_channels=limits.max_channels,
            ),
            "channels",
        )
    if not limits.min_rate <= rate <= limits.max_rate:
        raise _reject(
            msg(
                "the sample rate is {rate} Hz; between {min_rate} and {max_rate} Hz are accepted",
                rate=rate,
                min_rate=limits.min_rate,
                max_rate=limits.max_rate,
            ),
            "sample_rate",
        )
    notes: list[str] = []
    bit_depth = _bit_depth(stream)
    declared = _float(stream.get("duration")) or _float(info.get("format", {}).get("duration"))
    if codec.startswith("pcm_") and bit_depth:
        # Uncompressed: the real size bounds the length whatever the header claims
        # (recorders that lose power leave placeholder sizes in WAV headers).
        duration = size / (rate * channels * (bit_depth / 8))
        if declared is not None and declared <= duration:
            duration = declared
        elif declared is not None:
            notes.append(
                f"the header announces {human_duration(declared)} of audio but the file "
                f"holds {human_duration(duration)}; the real length is used"
            )
    else:
        duration = scan_duration(path, fmt, size)
        mismatch = (
            declared is not None
            and fmt not in _ESTIMATED_DURATION
            and declared - duration > max(_TRUNCATION_SLACK_S, _TRUNCATION_SLACK_RATIO * declared)
        )
        if mismatch:
            assert declared is not None
            # Container figures can mislead (an Ogg page's granule position, a tool's
            # estimate): only audio that fails to decode makes the file incomplete.
            decoded = decode_duration(path, fmt, size)
            if decoded is None:
                raise _reject(
                    msg(
                        "the file is incomplete: it announces {declared} of audio but stops after "
                        "{duration}; it was probably cut while being copied or uploaded, please "
                        "send the complete file",
                        declared=human_duration(declared),
                        duration=human_duration(duration),
                    ),
                    "truncated",
                )
            notes.append(
                f"the file announces {human_duration(declared)} of audio but decodes to "
                f"{human_duration(decoded)}; the decoded length is used"
            )
            duration = decoded
        elif declared is not None and fmt not in _ESTIMATED_DURATION and declared > duration:
            # The scan ends at the last packet's start; the header is exact to the sample.
            duration = declared
    if duration <= 0:
        raise _reject(msg("the file contains no audio samples"), "no_audio")
    if duration > limits.max_duration_s:
        raise _reject(
            msg(
                "the audio lasts {duration}, over the limit of {limit}",
                duration=human_duration(duration),
                limit=human_duration(limits.max_duration_s),
            ),
            "too_long",
        )
    fallback = {**info.get("format", {}).get("tags", {}), **stream.get("tags", {})}
    tags = read_tags(path, fmt, codec, fallback)
    return ProbeResult(
        format=fmt,
        codec=codec,
        duration_s=round(duration, 6),
        channels=channels,
        sample_rate=rate,
        bit_depth=bit_depth,
        tags=tags,
        size_bytes=size,
        notes=tuple(notes),
    )


def probe_all(
    files: Mapping[str, Path], limits: MediaLimits | None = None
) -> dict[str, ProbeResult]:
    """Probe several files before any is used, so that a refused one stops them all.

    Every refused file is listed at once, under its name in ``files``; the facts of the
    accepted ones are returned by the same names.
    """
    errors, probed = [], {}
    for name, path in files.items():
        try:
            probed[name] = probe(path, limits)
        except RejectedMedia as exc:
            errors.append(FieldError(name, name, exc.detail))
    if errors:
        raise InvalidInput(errors)
    return probed
