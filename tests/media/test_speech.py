"""Speech and pauses of a recording, found by ffmpeg's silencedetect."""

from __future__ import annotations

from pathlib import Path

import pytest

from media.speech import detect_speech
from tests.support.audio import ffmpeg_make, speech_like


def test_speech_spans_are_the_bursts_between_the_pauses(tmp_path: Path) -> None:
    wav = ffmpeg_make(tmp_path / "bursts.wav", *speech_like([1.0, 0.6, 1.5, 0.8, 0.9]))
    speech = detect_speech(wav, 4.8)
    assert len(speech.spans) == 3
    for (start, end), (want_start, want_end) in zip(
        speech.spans, [(0.0, 1.0), (1.6, 3.1), (3.9, 4.8)], strict=True
    ):
        assert start == pytest.approx(want_start, abs=0.05)
        assert end == pytest.approx(want_end, abs=0.05)
    assert [round(a, 1) for a, _ in speech.pauses] == [1.0, 3.1]


def test_a_breath_shorter_than_a_pause_does_not_split_the_speech(tmp_path: Path) -> None:
    wav = ffmpeg_make(tmp_path / "breath.wav", *speech_like([1.0, 0.1, 1.0]))
    speech = detect_speech(wav, 2.1)
    assert len(speech.spans) == 1
    assert speech.spans[0][1] == pytest.approx(2.1, abs=0.05)


def test_a_recording_of_room_noise_only_has_no_speech(tmp_path: Path) -> None:
    noise = "anoisesrc=c=pink:r=16000:a=0.002:d=2:seed=3"
    wav = ffmpeg_make(tmp_path / "room.wav", "-f", "lavfi", "-i", noise)
    assert detect_speech(wav, 2.0).spans == ()
