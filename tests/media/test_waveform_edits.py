"""Waveform peaks and pydub edits on short clips."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from media.edits import Edit, apply_edit
from media.limits import MediaLimits
from media.probe import probe
from media.waveform import peaks
from tests.media.conftest import MediaFactory
from tests.support.audio import tone
from trails.errors import InvalidInput


def test_peaks_shape_and_values(make: MediaFactory) -> None:
    # One second of silence then one second of a loud tone.
    src = make(
        "half.wav",
        "-f",
        "lavfi",
        "-i",
        "aevalsrc='if(gte(t\\,1)\\,0.8*sin(2*PI*200*t)\\,0)':s=48000:d=2",
        "-c:a",
        "pcm_s16le",
    )
    data = peaks(src, buckets=100)
    assert data["buckets"] == 100 and len(data["min"]) == len(data["max"]) == 100
    assert data["duration_s"] == pytest.approx(2.0, abs=0.01)
    assert max(data["max"][:45]) < 0.01 and min(data["max"][55:]) > 0.7
    assert min(data["min"][55:]) < -0.7
    assert all(lo <= hi for lo, hi in zip(data["min"], data["max"], strict=True))


def test_peaks_default_bucket_count(voice_wav: Path) -> None:
    data = peaks(voice_wav)
    assert data["buckets"] == 1000 and len(data["max"]) == 1000


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_trim_fade_and_jingles(make: MediaFactory, voice_wav: Path, tmp_path: Path) -> None:
    jingle = make("jingle.flac", *tone(0.5, 44100, 880), "-c:a", "flac")
    before = file_hash(voice_wav)
    edited = apply_edit(
        voice_wav,
        tmp_path / "edited.wav",
        Edit(
            trim_start_s=0.25,
            trim_end_s=1.75,
            fade_in_s=0.2,
            fade_out_s=0.3,
            prepend=jingle,
            append=jingle,
        ),
    )
    assert file_hash(voice_wav) == before  # the original is never modified
    assert edited.duration_s == pytest.approx(2.5, abs=0.02)
    found = probe(edited.path)
    assert found.format == "wav" and found.channels == 2
    assert found.duration_s == pytest.approx(2.5, abs=0.02)
    assert edited.sha256 == file_hash(edited.path)


@pytest.mark.parametrize(
    "edit",
    [Edit(trim_start_s=1.5, trim_end_s=1.0), Edit(trim_end_s=9.0), Edit(fade_in_s=5.0)],
)
def test_bad_edits(voice_wav: Path, tmp_path: Path, edit: Edit) -> None:
    with pytest.raises(InvalidInput):
        apply_edit(voice_wav, tmp_path / "x.wav", edit)
    assert list(tmp_path.iterdir()) == []


def test_edits_are_for_short_clips(voice_wav: Path, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="clips up to"):
        apply_edit(voice_wav, tmp_path / "x.wav", Edit(), limits=MediaLimits(max_edit_duration_s=1))
