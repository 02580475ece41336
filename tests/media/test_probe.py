"""Probe: formats told from content, limits, and every kind of bad input the issue lists."""

from __future__ import annotations

import os
import shutil
import struct
from pathlib import Path

import pytest

from media.errors import RejectedMedia
from media.limits import MediaLimits
from media.probe import ProbeResult, probe
from media.probe_duration import probe_duration
from tests.media.conftest import MediaFactory
from tests.support.audio import tone


def rejected(path: Path, limits: MediaLimits | None = None) -> RejectedMedia:
    with pytest.raises(RejectedMedia) as info:
        probe(path, limits)
    return info.value


@pytest.mark.parametrize(
    ("name", "args", "fmt", "codec", "bit_depth"),
    [
        ("a.wav", ["-c:a", "pcm_s16le"], "wav", "pcm_s16le", 16),
        ("a.w64", ["-c:a", "pcm_s24le", "-f", "w64"], "w64", "pcm_s24le", 24),
        ("a.aiff", ["-c:a", "pcm_s16be"], "aiff", "pcm_s16be", 16),
        ("a.flac", ["-c:a", "flac"], "flac", "flac", 16),
        ("a.mp3", ["-c:a", "libmp3lame", "-b:a", "64k"], "mp3", "mp3", None),
        ("a.ogg", ["-c:a", "libvorbis"], "ogg", "vorbis", None),
        ("a.opus", ["-c:a", "libopus"], "ogg", "opus", None),
        ("a.m4a", ["-c:a", "aac"], "mp4", "aac", None),
        ("a.webm", ["-c:a", "libopus", "-f", "webm"], "webm", "opus", None),
    ],
)
def test_accepted_formats(
    make: MediaFactory,
    name: str,
    args: list[str],
    fmt: str,
    codec: str,
    bit_depth: int | None,
) -> None:
    path = make(name, *tone(1.5, 48000), "-metadata", "title=Le moulin", *args)
    found = probe(path)
    assert (found.format, found.codec, found.bit_depth) == (fmt, codec, bit_depth)
    assert found.channels == 1
    assert found.duration_s == pytest.approx(1.5, abs=0.1)
    assert found.as_dict()["format"] == fmt
    if fmt not in ("w64",):
        assert found.tags.get("title") == "Le moulin"


def test_format_comes_from_content_not_extension(make: MediaFactory, tmp_path: Path) -> None:
    flac = make("real.flac", *tone(1), "-c:a", "flac")
    liar = tmp_path / "really-flac.mp3"
    shutil.copyfile(flac, liar)
    assert probe(liar).format == "flac"


def test_mp3_with_id3_tag_and_cover(make: MediaFactory) -> None:
    mp3 = make("tagged.mp3", *tone(1), "-c:a", "libmp3lame", "-metadata", "artist=Émile")
    found = probe(mp3)
    assert found.format == "mp3" and found.tags["artist"] == "Émile"


def test_pdf_renamed_flac(tmp_path: Path) -> None:
    pdf = tmp_path / "recording.flac"
    pdf.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
    error = rejected(pdf)
    assert error.reason == "not_audio" and "PDF" in error.detail


def test_random_bytes_named_mp3(tmp_path: Path) -> None:
    noise = tmp_path / "memo.mp3"
    noise.write_bytes(os.urandom(64 * 1024))
    assert rejected(noise).reason == "not_audio"


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    error = rejected(empty)
    assert error.reason == "empty" and "empty" in error.detail


def test_missing_file(tmp_path: Path) -> None:
    assert rejected(tmp_path / "nope.wav").reason == "missing"


def test_truncated_flac(make: MediaFactory, tmp_path: Path) -> None:
    full = make("long.flac", *tone(6, 44100), "-c:a", "flac")
    cut = tmp_path / "cut.flac"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 3])
    error = rejected(cut)
    assert error.reason == "truncated"
    assert "incomplete" in error.detail and "6.0 s" in error.detail


def _ogg_crc(page: bytes) -> int:
    """CRC-32 of an Ogg page (polynomial 0x04C11DB7, no reflection, initial value 0)."""
    crc = 0
    for byte in page:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7 if crc & 0x80000000 else crc << 1) & 0xFFFFFFFF
    return crc


def _overstate_last_granule(data: bytes, extra_samples: int) -> bytes:
    """The same Ogg stream with its last page claiming more samples, checksum made valid."""
    out = bytearray(data)
    last = out.rfind(b"OggS")
    (granule,) = struct.unpack_from("<q", out, last + 6)
    struct.pack_into("<q", out, last + 6, granule + extra_samples)
    segments = out[last + 26]
    size = 27 + segments + sum(out[last + 27 : last + 27 + segments])
    struct.pack_into("<I", out, last + 22, 0)
    struct.pack_into("<I", out, last + 22, _ogg_crc(bytes(out[last : last + size])))
    return bytes(out)


def test_opus_with_misleading_container_duration(make: MediaFactory, tmp_path: Path) -> None:
    """A valid file whose last granule position overstates its length is not "incomplete"."""
    honest = make("granule.opus", *tone(11.35, 48000), "-c:a", "libopus")
    liar = tmp_path / "liar.opus"
    liar.write_bytes(_overstate_last_granule(honest.read_bytes(), round(1.35 * 48000)))
    found = probe(liar)
    assert found.duration_s == pytest.approx(11.35, abs=0.02)
    assert "12.7 s" in found.notes[0] and "decoded length" in found.notes[0]
    # A source folder's checks and simulation count the same length as an upload.
    assert probe_duration(liar) == pytest.approx(11.35, abs=0.02)


def test_truncated_webm_that_fails_to_decode(make: MediaFactory, tmp_path: Path) -> None:
    full = make("long.webm", *tone(6, 48000), "-c:a", "libopus", "-f", "webm")
    cut = tmp_path / "cut.webm"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 3])
    error = rejected(cut)
    assert error.reason == "truncated"
    assert "incomplete" in error.detail and "6.0 s" in error.detail


def _playlist_and_secret(tmp_path: Path, make: MediaFactory) -> Path:
    secret = tmp_path / "secret.wav"
    shutil.copyfile(make("secret.wav", *tone(1), "-c:a", "pcm_s16le"), secret)
    return secret


def test_hls_playlist_named_mp3_is_refused(tmp_path: Path, make: MediaFactory) -> None:
    secret = _playlist_and_secret(tmp_path, make)
    playlist = tmp_path / "walk.mp3"
    playlist.write_text(
        f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:1.0,\n{secret}\n#EXT-X-ENDLIST\n"
    )
    error = rejected(playlist)
    assert error.reason == "not_audio" and "playlist" in error.detail


def test_ffconcat_script_named_wav_is_refused(tmp_path: Path, make: MediaFactory) -> None:
    secret = _playlist_and_secret(tmp_path, make)
    script = tmp_path / "interview.wav"
    script.write_text(f"ffconcat version 1.0\nfile '{secret}'\n")
    error = rejected(script)
    assert error.reason == "not_audio" and "concat" in error.detail


def test_wav_header_claiming_4_gb(voice_wav: Path, tmp_path: Path) -> None:
    data = bytearray(voice_wav.read_bytes())
    at = data.find(b"data")
    data[at + 4 : at + 8] = struct.pack("<I", 0xFFFFFFF0)
    data[4:8] = struct.pack("<I", 0xFFFFFFF8)
    liar = tmp_path / "liar.wav"
    liar.write_bytes(data)
    found = probe(liar)
    # The real two seconds, not the 6 hours the header claims (which would be over 4 h).
    assert found.duration_s == pytest.approx(2.0, abs=0.05)


def test_size_limit(voice_wav: Path) -> None:
    error = rejected(voice_wav, MediaLimits(max_bytes=10_000))
    assert error.reason == "too_large" and "limit" in error.detail


def test_duration_limit(voice_wav: Path) -> None:
    assert rejected(voice_wav, MediaLimits(max_duration_s=1.0)).reason == "too_long"


def test_channel_limit(make: MediaFactory) -> None:
    surround = make("ch51.wav", *tone(1), "-af", "pan=5.1|FL=c0|FR=c0|FC=c0|LFE=c0|BL=c0|BR=c0")
    assert probe(surround).channels == 6
    assert rejected(surround, MediaLimits(max_channels=2)).reason == "channels"


def test_phone_audio_8k_mono(make: MediaFactory) -> None:
    phone = make("phone.wav", *tone(1, 8000), "-c:a", "pcm_s16le")
    found = probe(phone)
    assert (found.sample_rate, found.channels, found.bit_depth) == (8000, 1, 16)


def test_sample_rate_limit(make: MediaFactory) -> None:
    low = make("low.wav", *tone(1, 8000), "-ar", "6000", "-c:a", "pcm_s16le")
    assert rejected(low).reason == "sample_rate"


def test_hi_res_96k_24bit(make: MediaFactory) -> None:
    for name, codec in (("hires.wav", "pcm_s24le"), ("hires.flac", "flac")):
        extra = ["-sample_fmt", "s32"] if codec == "flac" else []
        path = make(name, *tone(1, 96000), "-c:a", codec, *extra)
        found = probe(path)
        assert (found.sample_rate, found.bit_depth) == (96000, 24)


def test_awkward_file_name(voice_wav: Path, tmp_path: Path) -> None:
    odd = tmp_path / '-Témoignage d\'Émile "le meunier" : été.wav'
    shutil.copyfile(voice_wav, odd)
    assert probe(odd).duration_s == pytest.approx(2.0, abs=0.01)


def test_result_is_frozen_and_serialisable(voice_wav: Path) -> None:
    found = probe(voice_wav)
    assert isinstance(found, ProbeResult)
    data = found.as_dict()
    assert data["channels"] == 2 and data["sample_rate"] == 48000 and data["notes"] == []
    with pytest.raises(AttributeError):
        found.channels = 1  # type: ignore[misc]


def test_probe_duration_helper_still_works(voice_wav: Path) -> None:
    assert probe_duration(voice_wav) == pytest.approx(2.0, abs=0.01)
