"""``baladeur simulate --render``: the walk mixed to a file, checked by ear-like measures."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from tests.support.audio import ebur128_lufs, ffmpeg_make, pink_noise, tone
from tests.support.cli import run_cli

KX = 111_194.9 * 0.6371  # metres per degree of longitude near 50.41 N
KY = 111_194.9  # metres per degree of latitude
LON, LAT = 4.40, 50.41
RATE = 48_000
SPEED = 1.5  # m/s, eastwards
WALK_M = 360


def _at(east: float, north: float = 0.0) -> list[float]:
    return [LON + east / KX, LAT + north / KY]


@pytest.fixture(scope="module")
def trail_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A mill-wheel noise 20 m north of an eastward path, then a bed with a story in it."""
    folder = tmp_path_factory.mktemp("trail")
    ffmpeg_make(folder / "wheel.ogg", *pink_noise(7, RATE, seed=3), "-ac", "1")
    ffmpeg_make(folder / "bed.ogg", *tone(5, RATE, freq=200), "-ac", "1")
    ffmpeg_make(folder / "story.ogg", *tone(8, RATE, freq=1000), "-ac", "1")
    data = {
        "slug": "render-demo",
        "languages": ["fr"],
        "title": {"fr": "Rendu"},
        "stops": [
            {
                "key": "bed",
                "title": {"fr": "Lit"},
                "zone": {"type": "circle", "center": _at(300), "radius_m": 60},
                "rules": {"replay": "loop"},
                "story": {"versions": {"fr": {"audio": "bed.ogg"}}},
            },
            {
                "key": "story",
                "title": {"fr": "Récit"},
                "zone": {"type": "circle", "center": _at(300), "radius_m": 20},
                "story": {"versions": {"fr": {"audio": "story.ogg"}}},
            },
        ],
        "objects": [
            {"key": "wheel", "audio": "wheel.ogg", "position": _at(100, 20), "radius_m": 60},
        ],
    }
    (folder / "trail.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def timed_walk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A timed CSV walk east along the path, one fix a second."""
    path = tmp_path_factory.mktemp("walk") / "walk.csv"
    rows = ["t,lat,lon,accuracy"]
    for i in range(round(WALK_M / SPEED) + 1):
        lon, lat = _at(i * SPEED)
        rows.append(f"{1_700_000_000 + i},{lat:.8f},{lon:.8f},5")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _render(
    capsys: pytest.CaptureFixture[str], trail: Path, walk: Path, out: Path, *extra: str
) -> dict[str, Any]:
    code, stdout, stderr = run_cli(
        capsys, "simulate", str(trail), str(walk), "--json", "--render", str(out), *extra
    )
    assert code == 0, stderr
    return dict(json.loads(stdout))


def _samples(path: Path) -> np.ndarray:
    """The file decoded by ffmpeg (independently of the renderer) as (2, n) floats."""
    done = subprocess.run(
        ["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-ac", "2", "-ar", str(RATE),
         "-f", "f32le", "pipe:1"],
        capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    return np.frombuffer(done.stdout, dtype="<f4").reshape(-1, 2).T


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def _band(x: np.ndarray, freq: float) -> float:
    """Amplitude of the component at ``freq`` (Hz) in a stretch of one channel."""
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    freqs = np.fft.rfftfreq(x.size, 1 / RATE)
    near = np.abs(freqs - freq) <= 5
    return float(spectrum[near].max())


def _window(audio: np.ndarray, start: float, end: float) -> np.ndarray:
    return audio[:, round(start * RATE) : round(end * RATE)]


def _object_left_span(result: dict[str, Any]) -> tuple[float, float]:
    """From the engine's spatial events: when the wheel is well to the left (azimuth ≤ -60)."""
    times = [
        e["t"]
        for e in result["events"]
        if e["type"] == "spatial" and e["stop"] == "wheel" and e["azimuth"] <= -60
    ]
    assert len(times) >= 5, "the walk should pass the wheel with it on the left"
    return times[0] + 1.5, times[-1]  # after the ramp towards the first of them


@pytest.mark.parametrize("binaural", [False, True], ids=["stereo", "binaural"])
def test_render_places_the_object_on_its_side(
    trail_dir: Path,
    timed_walk: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    binaural: bool,
) -> None:
    out = tmp_path / "walk.wav"
    result = _render(capsys, trail_dir, timed_walk, out, *(["--binaural"] if binaural else []))
    audio = _samples(out)
    walk_s = WALK_M / SPEED
    assert audio.shape[1] / RATE == pytest.approx(result["render"]["duration_s"], abs=0.05)
    assert audio.shape[1] / RATE >= walk_s - 1
    assert -45 < ebur128_lufs(out) < -5
    start, end = _object_left_span(result)
    left, right = _window(audio, start, end)
    ratio_db = 20 * np.log10(_rms(left) / _rms(right))
    # Equal-power panning puts a sound at -90 in the left ear only; a head's shadow is
    # gentler (a few dB across the band) but still on the same side.
    assert ratio_db > (3 if binaural else 6), ratio_db
    # Before the wheel is heard (the first 10 s, 15 m along, 85 m away): silence.
    assert _rms(_window(audio, 0, 10)) < 1e-4


def test_render_narration_ducks_the_bed(
    trail_dir: Path, timed_walk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "walk.opus"
    result = _render(capsys, trail_dir, timed_walk, out)
    audio = _samples(out).mean(axis=0)
    plays = {e["stop"]: e["t"] for e in result["events"] if e["type"] == "play"}
    told, bed = plays["story"], plays["bed"]
    assert told - bed >= 5, "the bed should play alone before the story"
    before = audio[round((told - 3) * RATE) : round((told - 0.2) * RATE)]
    during = audio[round((told + 1.5) * RATE) : round((told + 4.5) * RATE)]
    # The story (1 kHz) is heard from its play on, and not before.
    assert _band(during, 1000) > 30 * _band(before, 1000)
    # The bed (200 Hz) drops by the trail's ducking (-12 dB), give or take the codec.
    drop_db = 20 * np.log10(_band(during, 200) / _band(before, 200))
    assert -14 < drop_db < -9


def test_render_untimed_track_needs_a_speed(
    trail_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = tmp_path / "walk.geojson"
    coords = [_at(0), _at(WALK_M)]
    line.write_text(json.dumps({"type": "LineString", "coordinates": coords}), encoding="utf-8")
    out = tmp_path / "walk.wav"
    code, _, err = run_cli(capsys, "simulate", str(trail_dir), str(line), "--render", str(out))
    assert code == 1
    assert "the track has no times: give --speed" in err
    assert not out.exists()
    # With a speed it renders, walked at that pace.
    result = _render(capsys, trail_dir, line, out, "--speed", "3")
    assert result["track"]["duration_s"] == pytest.approx(WALK_M / 3, abs=1)
    assert out.stat().st_size > 0


def test_render_refuses_unknown_extension_and_lone_binaural(
    trail_dir: Path, timed_walk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(
        capsys, "simulate", str(trail_dir), str(timed_walk), "--render", str(tmp_path / "a.mp3")
    )
    assert code == 1 and ".wav or .opus" in err
    code, _, err = run_cli(capsys, "simulate", str(trail_dir), str(timed_walk), "--binaural")
    assert code == 1 and "--render" in err
