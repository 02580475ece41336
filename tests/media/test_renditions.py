"""Loudness measurement and renditions: gain to target, true-peak ceiling, layout, tags."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from media.errors import MediaProcessingFailed, MediaTimeout
from media.loudness import Loudness, measure
from media.probe import ProbeResult, probe
from media.renditions import (
    MAX_GAIN_DB,
    EncodedRendition,
    RenditionSpec,
    Tags,
    encode,
    encode_file,
    encode_many,
    gain_db,
)
from media.tags import read_rendition_tags
from tests.media.conftest import MediaFactory
from tests.support.audio import tone
from trails.errors import InvalidInput

TAGS = Tags(title="Le moulin", artist="Émile Dubois", copyright="CC BY 4.0", language="fr-BE")


def rendition_loudness(path: Path) -> tuple[ProbeResult, Loudness]:
    found = probe(path)
    return found, measure(path, found, true_peak=True)


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


def encode_measured(
    src: Path,
    dst: Path,
    profile: str,
    role: str,
    measured: tuple[ProbeResult, Loudness],
    timeout_s: float | None = None,
) -> EncodedRendition:
    """Encode ``src`` under a spec, from a probe and a loudness measured beforehand."""
    found, level = measured
    spec = RenditionSpec(profile, role)
    return encode(src, dst, spec, probe_result=found, loudness=level, timeout_s=timeout_s)


@pytest.fixture(scope="module")
def surround(make: MediaFactory) -> Path:
    return make(
        "surround.wav",
        *tone(2, 48000, 300),
        "-af",
        "pan=5.1|FL=c0|FR=c0|FC=c0|LFE=c0|BL=c0|BR=c0",
        "-c:a",
        "pcm_s16le",
    )


def test_spec_params_hash_is_stable_and_complete() -> None:
    a = RenditionSpec("opus", "voice")
    assert a.params_hash() == RenditionSpec("opus", "voice").params_hash()
    assert len(a.params_hash()) == 64
    others = {
        RenditionSpec("aac", "voice").params_hash(),
        RenditionSpec("opus", "immersive").params_hash(),
        RenditionSpec("opus", "voice", target_lufs=-20).params_hash(),
        RenditionSpec("opus", "voice", true_peak_dbtp=-2).params_hash(),
    }
    assert a.params_hash() not in others and len(others) == 4
    assert (a.extension, a.mime_type, a.bitrate_kbps) == (".opus", "audio/ogg", 32)
    aac = RenditionSpec("aac", "immersive")
    assert (aac.extension, aac.mime_type) == (".m4a", "audio/mp4")
    assert aac.bitrate_kbps > RenditionSpec("aac", "voice").bitrate_kbps


@pytest.mark.parametrize("bad", [{"profile": "mp3"}, {"role": "music"}, {"target_lufs": 3.0}])
def test_spec_refuses_unknown_values(bad: dict[str, object]) -> None:
    args: dict[str, object] = {"profile": "opus", "role": "voice", **bad}
    with pytest.raises(InvalidInput):
        RenditionSpec(**args)  # type: ignore[arg-type]


def test_gain_rules() -> None:
    assert gain_db(None, -16) == (0.0, ["the audio is silent; no loudness gain was applied"])
    assert gain_db(-20.0, -16)[0] == pytest.approx(4.0)
    assert gain_db(-10.0, -16)[0] == pytest.approx(-6.0)
    gain, notes = gain_db(-60.0, -16)
    assert gain == MAX_GAIN_DB and "quiet" in notes[0]


@pytest.mark.parametrize(("profile", "ext"), [("opus", ".opus"), ("aac", ".m4a")])
def test_voice_rendition(voice_wav: Path, tmp_path: Path, profile: str, ext: str) -> None:
    dst = tmp_path / f"out{ext}"
    done = encode_file(voice_wav, dst, role="voice", profile=profile, tags=TAGS)
    assert done.path == dst and done.extension == ext and done.channels == 1
    assert done.bytes == dst.stat().st_size and len(done.sha256) == 64
    assert done.duration_s == pytest.approx(2.0, abs=0.05)
    found, level = rendition_loudness(dst)
    assert found.channels == 1 and found.sample_rate == 48000
    assert level.integrated_lufs == pytest.approx(-16.0, abs=1.0)
    assert level.true_peak_dbtp is not None and level.true_peak_dbtp <= -1.0
    tags = read_rendition_tags(dst, "ogg" if profile == "opus" else "mp4")
    assert tags == {
        "title": "Le moulin",
        "artist": "Émile Dubois",
        "copyright": "CC BY 4.0",
        "language": "fr-BE",
    }
    assert leftovers(tmp_path) == []


def test_source_metadata_is_stripped(make: MediaFactory, tmp_path: Path) -> None:
    src = make(
        "gossip.flac",
        *tone(1),
        "-metadata",
        "comment=GPS 50.41 4.40",
        "-metadata",
        "artist=someone",
        "-c:a",
        "flac",
    )
    dst = tmp_path / "clean.opus"
    encode_file(src, dst, role="voice", profile="opus")
    assert read_rendition_tags(dst, "ogg") == {}
    assert b"GPS" not in dst.read_bytes() and b"Lavf" not in dst.read_bytes()


def test_same_input_same_bytes(voice_wav: Path, tmp_path: Path) -> None:
    a = encode_file(voice_wav, tmp_path / "a.opus", role="voice", profile="opus", tags=TAGS)
    b = encode_file(voice_wav, tmp_path / "b.opus", role="voice", profile="opus", tags=TAGS)
    assert a.sha256 == b.sha256


def test_target_per_trail(voice_wav: Path, tmp_path: Path) -> None:
    dst = tmp_path / "ambience.opus"
    encode_file(voice_wav, dst, role="immersive", profile="opus", target_lufs=-23)
    found, level = rendition_loudness(dst)
    assert found.channels == 2
    assert level.integrated_lufs == pytest.approx(-23.0, abs=1.0)


def test_silence_gets_no_gain(make: MediaFactory, tmp_path: Path) -> None:
    silence = make("silence.wav", "-f", "lavfi", "-i", "anullsrc=r=44100:cl=stereo", "-t", "2")
    found = probe(silence)
    level = measure(silence, found, true_peak=True)
    assert level.integrated_lufs is None and level.true_peak_dbtp is None
    done = encode_measured(silence, tmp_path / "s.m4a", "aac", "voice", (found, level))
    assert done.gain_db == 0.0 and "silent" in done.notes[0]
    assert rendition_loudness(done.path)[1].integrated_lufs is None


def test_clipped_and_peaky_inputs_respect_true_peak(make: MediaFactory, tmp_path: Path) -> None:
    clipped = make("clipped.wav", *tone(2, 44100, 1000), "-af", "volume=30dB", "-c:a", "pcm_s16le")
    # Quiet speech-like level with sharp clicks: the gain lifts the clicks far over 0 dBFS.
    peaky = make(
        "peaky.wav",
        "-f",
        "lavfi",
        "-i",
        "aevalsrc='0.01*sin(2*PI*330*t)+if(lt(mod(t\\,0.5)\\,0.001)\\,0.9\\,0)':s=48000:d=3",
        "-c:a",
        "pcm_s16le",
    )
    assert probe(clipped).bit_depth == 16
    for src in (clipped, peaky):
        for profile, ext in (("opus", ".opus"), ("aac", ".m4a")):
            done = encode_file(src, tmp_path / f"{src.stem}{ext}", role="voice", profile=profile)
            level = rendition_loudness(done.path)[1]
            assert level.true_peak_dbtp is not None and level.true_peak_dbtp <= -1.0, (src, ext)
    assert rendition_loudness(tmp_path / "clipped.opus")[1].integrated_lufs == pytest.approx(
        -16, abs=1
    )


def test_phone_audio_upsampled(make: MediaFactory, tmp_path: Path) -> None:
    phone = make("phone8k.wav", *tone(2, 8000), "-c:a", "pcm_s16le")
    done = encode_file(phone, tmp_path / "p.opus", role="voice", profile="opus")
    found, level = rendition_loudness(done.path)
    assert (found.sample_rate, found.channels) == (48000, 1)
    assert level.integrated_lufs == pytest.approx(-16.0, abs=1.0)


def test_hi_res_source(make: MediaFactory, tmp_path: Path) -> None:
    hires = make("hires96.wav", *tone(2, 96000), "-ac", "2", "-c:a", "pcm_s24le")
    done = encode_file(hires, tmp_path / "h.m4a", role="immersive", profile="aac")
    found, level = rendition_loudness(done.path)
    assert (found.sample_rate, found.channels) == (48000, 2)
    assert level.integrated_lufs == pytest.approx(-16.0, abs=1.0)


def test_surround_downmix(surround: Path, tmp_path: Path) -> None:
    found = probe(surround)
    level = measure(surround, found)
    assert level.mono_lufs is not None and level.stereo_lufs is not None
    voice = encode_measured(surround, tmp_path / "v.opus", "opus", "voice", (found, level))
    immersive = encode_measured(surround, tmp_path / "i.opus", "opus", "immersive", (found, level))
    assert voice.channels == 1 and "mono" in voice.notes[0]
    assert immersive.channels == 2 and "stereo" in immersive.notes[0]
    for done in (voice, immersive):
        assert rendition_loudness(done.path)[1].integrated_lufs == pytest.approx(-16, abs=1)


def test_awkward_names(voice_wav: Path, tmp_path: Path) -> None:
    src = tmp_path / '-Témoignage d\'Émile "le meunier".wav'
    shutil.copyfile(voice_wav, src)
    dst = tmp_path / '-sortie: l\'été "final".opus'
    done = encode_file(src, dst, role="voice", profile="opus")
    assert dst.is_file() and done.bytes == dst.stat().st_size


def test_timeout_kills_and_cleans(voice_wav: Path, tmp_path: Path) -> None:
    measured = rendition_loudness(voice_wav)
    with pytest.raises(MediaTimeout):
        encode_measured(voice_wav, tmp_path / "slow.opus", "opus", "voice", measured, 0.01)
    assert list(tmp_path.iterdir()) == []


def test_forced_demuxer_never_follows_a_playlist(make: MediaFactory, tmp_path: Path) -> None:
    """Even a file that got past the probe is read with its forced demuxer only."""
    secret = tmp_path / "secret.wav"
    shutil.copyfile(make("secret2.wav", *tone(1), "-c:a", "pcm_s16le"), secret)
    for name, text in (
        ("walk.mp3", f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:1,\n{secret}\n#EXT-X-ENDLIST\n"),
        ("walk.wav", f"ffconcat version 1.0\nfile '{secret}'\n"),
    ):
        bad = tmp_path / name
        bad.write_text(text)
        forged = ProbeResult(
            format=bad.suffix[1:],
            codec="mp3",
            duration_s=1,
            channels=1,
            sample_rate=48000,
            bit_depth=None,
            tags={},
        )
        level = Loudness(integrated_lufs=-16.0, range_lu=0.0, true_peak_dbtp=-3.0)
        out = tmp_path / "out"
        out.mkdir(exist_ok=True)
        with pytest.raises(MediaProcessingFailed):
            encode_measured(bad, out / "x.opus", "opus", "voice", (forged, level))
        assert list(out.iterdir()) == []


def test_missing_output_folder(voice_wav: Path, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        encode_file(voice_wav, tmp_path / "nope" / "x.opus", role="voice", profile="opus")


def test_encode_many_parallel(voice_wav: Path, surround: Path, tmp_path: Path) -> None:
    jobs = [
        (src, tmp_path / f"{src.stem}-{p}-{r}{RenditionSpec(p, r).extension}", RenditionSpec(p, r))
        for src in (voice_wav, surround)
        for p in ("opus", "aac")
        for r in ("voice",)
    ]
    results = encode_many(jobs, tags=TAGS)
    assert [r.path for r in results] == [dst for _, dst, _ in jobs]
    assert all(r.path.is_file() and r.channels == 1 for r in results)
