"""Edits: short clips with pydub (trim, fades, a jingle before or after), long ones (trim
and fades) streamed through ffmpeg.

An edit writes a new file (a new derived asset); the original is only read. Decoding goes
through our safe ffmpeg runner to WAV, which pydub then reads and writes natively, so pydub
itself never launches ffmpeg on an uploaded file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pydub import AudioSegment

from media import ffmpeg
from media.limits import DEFAULT_LIMITS, MediaLimits, human_duration
from media.probe import ProbeResult, probe
from trails.errors import invalid
from trails.files import file_sha256
from trails.messages import msg


@dataclass(frozen=True)
class Edit:
    """Trim points and fades in seconds, and optional jingles to join."""

    trim_start_s: float = 0.0
    trim_end_s: float | None = None
    fade_in_s: float = 0.0
    fade_out_s: float = 0.0
    prepend: Path | None = None
    append: Path | None = None


@dataclass(frozen=True)
class EditedClip:
    """The derived WAV file."""

    path: Path
    sha256: str
    bytes: int
    duration_s: float


def _load(path: Path, found: ProbeResult, limits: MediaLimits, field: str) -> AudioSegment:
    if found.duration_s > limits.max_edit_duration_s:
        raise invalid(
            field,
            str(path.name),
            msg(
                "edits are for clips up to {limit}; this one lasts {duration}",
                limit=human_duration(limits.max_edit_duration_s),
                duration=human_duration(found.duration_s),
            ),
        )
    codec = "pcm_s16le" if (found.bit_depth or 16) <= 16 else "pcm_s32le"
    with tempfile.TemporaryDirectory(prefix="baladeur-edit-") as tmp:
        wav = Path(tmp) / "decoded.wav"
        argv = [
            *ffmpeg.reading_audio(path, found.format),
            "-map_metadata",
            "-1",
            "-c:a",
            codec,
            "-f",
            "wav",
            ffmpeg.file_url(wav),
        ]
        ffmpeg.check(ffmpeg.run(argv, timeout_s=120, what="decoding the clip"), "decoding")
        return AudioSegment.from_wav(str(wav))


def apply_edit(
    src: Path, dst: Path, edit: Edit, *, limits: MediaLimits | None = None
) -> EditedClip:
    """Write ``src`` with ``edit`` applied to ``dst`` (WAV), atomically; ``src`` is untouched."""
    limits = limits or DEFAULT_LIMITS
    src, dst = Path(src), Path(dst)
    found = probe(src, limits)
    clip = _load(src, found, limits, "source")
    length = len(clip) / 1000
    end = length if edit.trim_end_s is None else edit.trim_end_s
    if not 0 <= edit.trim_start_s < end <= length + 1e-3:
        raise invalid(
            "trim",
            [edit.trim_start_s, edit.trim_end_s],
            f"trim points must satisfy 0 <= in < out <= {length:.3f} s",
        )
    clip = clip[round(edit.trim_start_s * 1000) : round(end * 1000)]
    kept = len(clip) / 1000
    for name, value in (("fade_in_s", edit.fade_in_s), ("fade_out_s", edit.fade_out_s)):
        if not 0 <= value <= kept:
            raise invalid(name, value, f"a fade must last between 0 and {kept:.3f} s")
    if edit.fade_in_s:
        clip = clip.fade_in(round(edit.fade_in_s * 1000))
    if edit.fade_out_s:
        clip = clip.fade_out(round(edit.fade_out_s * 1000))
    for field, jingle in (("prepend", edit.prepend), ("append", edit.append)):
        if jingle is not None:
            other = _load(jingle, probe(jingle, limits), limits, field)
            # pydub matches rate, width and channels of both sides before joining.
            clip = other + clip if field == "prepend" else clip + other
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".tmp", dir=dst.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        clip.export(str(tmp), format="wav")
        data = tmp.read_bytes()
        os.replace(tmp, dst)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return EditedClip(dst, hashlib.sha256(data).hexdigest(), len(data), len(clip) / 1000)


def apply_long_edit(
    src: Path, dst: Path, edit: Edit, *, limits: MediaLimits, timeout_s: float
) -> EditedClip:
    """Trim and fade a long clip by streaming it through ffmpeg into FLAC (pydub would hold it all).

    Jingles are not joined here. Bit-exact flags keep the output identical for the same
    edit, so it stays content-addressed.
    """
    found = probe(src, limits)
    end = found.duration_s if edit.trim_end_s is None else edit.trim_end_s
    kept = end - edit.trim_start_s
    chain = [f"atrim=start={edit.trim_start_s:.6f}:end={end:.6f}", "asetpts=PTS-STARTPTS"]
    if edit.fade_in_s:
        chain.append(f"afade=t=in:st=0:d={edit.fade_in_s:.6f}")
    if edit.fade_out_s:
        chain.append(f"afade=t=out:st={kept - edit.fade_out_s:.6f}:d={edit.fade_out_s:.6f}")
    argv = [
        *ffmpeg.reading_audio(src, found.format),
        "-map_metadata",
        "-1",
        "-af",
        ",".join(chain),
        "-c:a",
        "flac",
        "-fflags",
        "+bitexact",
        "-flags:a",
        "+bitexact",
        "-f",
        "flac",
        "-y",
        ffmpeg.file_url(dst),
    ]
    ffmpeg.check(ffmpeg.run(argv, timeout_s=timeout_s, what="the edit"), "the edit")
    return EditedClip(dst, file_sha256(dst), dst.stat().st_size, kept)
