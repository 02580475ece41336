"""Render benchmark: ``simulate --render`` of an hour's walk, beside ffmpeg's ``amix`` alone.

Run from the repository root: ``.venv/bin/python bench/render.py`` (``--quick`` for a
five-minute walk). See bench/README.md for what is measured and the figures of the last run.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Baseline, Result, standalone
from media.render.mix import RATE
from media.render.walk import decode_sounds, durations_of, render_walk, sound_files
from trails.simulate import simulate
from trails.source import LoadedSource
from trails.tracks import read_track, resample
from trails.trail_input import open_trail
from trails.triggers.from_source import engine_trail

GOAL_S = 60.0
LAT0, LON0 = 50.41, 4.40
M_PER_DEG_LAT = 111_194.9
M_PER_DEG_LON = M_PER_DEG_LAT * 0.6371
SPEED = 1.2
NARRATION_S = 60
OBJECT_S = 20


def _at(east: float, north: float = 0.0) -> list[float]:
    return [LON0 + east / M_PER_DEG_LON, LAT0 + north / M_PER_DEG_LAT]


def _make(out: Path, source: str, seconds: float) -> None:
    subprocess.run(
        ["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i", f"{source}:d={seconds}",
         "-ac", "1", "-c:a", "libopus", "-b:a", "64k", str(out)],
        check=True, timeout=300,
    )  # fmt: skip


def make_walk(folder: Path, minutes: float, n_stops: int, n_objects: int) -> tuple[Path, Path]:
    """A trail of ``n_stops`` narrations and ``n_objects`` looping objects along a straight
    eastward path, and a timed walk along it lasting ``minutes``."""
    length = minutes * 60 * SPEED
    stops, objects = [], []
    for i in range(n_stops):
        _make(folder / f"s{i}.opus", f"sine=f={300 + 20 * i}:r={RATE}", NARRATION_S)
        stops.append(
            {
                "key": f"s{i}",
                "title": {"fr": f"Arrêt {i}"},
                "zone": {"type": "circle", "center": _at((i + 0.5) * length / n_stops),
                         "radius_m": 20},
                "story": {"versions": {"fr": {"audio": f"s{i}.opus"}}},
            }
        )  # fmt: skip
    for i in range(n_objects):
        _make(folder / f"o{i}.opus", f"anoisesrc=c=pink:r={RATE}:a=0.3:seed={i}", OBJECT_S)
        side = 25 if i % 2 else -25
        objects.append(
            {
                "key": f"o{i}",
                "audio": f"o{i}.opus",
                "position": _at((i + 0.25) * length / n_objects, side),
                "radius_m": 80,
                "ref_distance_m": 5,
            }
        )
    trail = {"slug": "bench-render", "languages": ["fr"], "title": {"fr": "Banc"},
             "stops": stops, "objects": objects}  # fmt: skip
    (folder / "trail.yaml").write_text(yaml.safe_dump(trail, allow_unicode=True), "utf-8")
    walk = folder / "walk.csv"
    rows = ["t,lat,lon,accuracy"]
    for s in range(round(minutes * 60) + 1):
        lon, lat = _at(s * SPEED)
        rows.append(f"{1_700_000_000 + s},{lat:.8f},{lon:.8f},5")
    walk.write_text("\n".join(rows) + "\n", "utf-8")
    return folder, walk


def _amix(loaded: LoadedSource, spans: list[tuple[str, float, float, bool]], out: Path) -> None:
    """ffmpeg alone mixing the same files at the same times, without gains or directions."""
    args: list[str] = []
    chains = []
    for n, (audio, start, stop, loop) in enumerate(spans):
        if loop:
            args += ["-stream_loop", "-1"]
        args += ["-i", str(loaded.media_file(audio))]
        chains.append(
            f"[{n}:a]atrim=duration={stop - start:.3f},aresample={RATE},"
            f"adelay={round(start * 1000)}:all=1[v{n}]"
        )
    inputs = "".join(f"[v{n}]" for n in range(len(spans)))
    graph = ";".join([*chains, f"{inputs}amix=inputs={len(spans)}:normalize=0[out]"])
    subprocess.run(
        ["ffmpeg", "-v", "error", "-nostdin", "-y", *args, "-filter_complex", graph,
         "-map", "[out]", "-ac", "2", "-c:a", "pcm_s16le", str(out)],
        check=True, timeout=3600,
    )  # fmt: skip


def run(quick: bool = False) -> list[Result]:
    """Render the walk and time it, then time ffmpeg's amix of the same sounds."""
    minutes, n_stops, n_objects = (5, 5, 4) if quick else (60, 25, 20)
    with tempfile.TemporaryDirectory() as tmp:
        folder, walk = make_walk(Path(tmp), minutes, n_stops, n_objects)
        times = {}
        for binaural in (False, True):
            began = time.perf_counter()
            loaded = open_trail(folder)
            sounds = decode_sounds(sound_files(loaded, "fr"))
            trail = engine_trail(loaded.trail, durations_of(sounds))
            sim = simulate(loaded.trail, trail, resample(read_track(walk)))
            done = render_walk(trail, sim, sounds, Path(tmp) / "walk.wav", binaural=binaural)
            times[binaural] = time.perf_counter() - began
        render_s = times[False]
        audio = {s.key: s.story.versions["fr"].audio for s in loaded.trail.stops if s.story}
        audio |= {o.key: o.audio for o in loaded.trail.objects}
        spans = [(audio[a.stop], a.start, a.end, a.kind == "object") for a in sim.audible]
        began = time.perf_counter()
        _amix(loaded, spans, Path(tmp) / "amix.wav")
        amix_s = time.perf_counter() - began
    heard = float(done["duration_s"])
    return [
        Result(
            "render",
            f"stereo render of a {minutes}-min walk ({n_stops} stops, {n_objects} objects)",
            "s",
            render_s,
            Baseline("ffmpeg amix of the same files", amix_s),
            goal=f"< {GOAL_S:g} s for 60 min",
            met=None if quick else render_s < GOAL_S,
            extra={"audio_s": heard, "sounds": done["sounds"], "realtime_x": heard / render_s},
        ),
        Result(
            "render",
            "binaural render of the same walk (--binaural)",
            "s",
            times[True],
            Baseline("stereo render", render_s),
            extra={"realtime_x": heard / times[True]},
        ),
    ]


if __name__ == "__main__":
    raise SystemExit(standalone(run, __doc__, quick="a five-minute walk, 5 stops, 4 objects"))
