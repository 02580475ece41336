"""Render a simulated walk: which file each sound plays, and the voices of the engine's events."""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from media.render.mix import RATE, decode, render
from media.render.voices import voices
from trails.simulate import Simulation
from trails.source import LoadedSource
from trails.triggers.from_source import story_version
from trails.triggers.model import EngineTrail


def sound_files(loaded: LoadedSource, language: str) -> dict[str, Path]:
    """The file each stop (in ``language``, else its first), layer and object plays."""
    files: dict[str, Path] = {}
    for stop in loaded.trail.stops:
        version = story_version(stop, language)
        if version is not None:
            files[stop.key] = loaded.media_file(version.audio)
    files |= {layer.key: loaded.media_file(layer.audio) for layer in loaded.trail.ambience}
    files |= {obj.key: loaded.media_file(obj.audio) for obj in loaded.trail.objects}
    return files


def decode_sounds(files: Mapping[str, Path]) -> dict[str, np.ndarray]:
    """Every sound decoded, each file once (the engine's durations are then their lengths)."""
    paths = list(dict.fromkeys(files.values()))
    # ffmpeg does the work in its own processes: one a core.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        by_path = dict(zip(paths, pool.map(decode, paths), strict=True))
    return {key: by_path[path] for key, path in files.items()}


def durations_of(sounds: Mapping[str, np.ndarray]) -> dict[str, float]:
    """Seconds of each decoded sound, as the engine wants them."""
    return {key: samples.size / RATE for key, samples in sounds.items()}


def render_walk(
    trail: EngineTrail,
    sim: Simulation,
    sounds: Mapping[str, np.ndarray],
    out: Path,
    *,
    binaural: bool = False,
) -> dict[str, float | str]:
    """Mix what the visitor of ``sim`` hears into ``out`` (.wav or .opus); returns what was
    written: the file, its length and the number of sounds played."""
    kinds = {s.key: s.kind for s in trail.stops} | {a.key: "ambience" for a in trail.ambience}
    kinds |= {o.key: "object" for o in trail.objects}
    once = {o.key for o in trail.objects if not o.loop}
    fixes = sim.track.fixes
    walk_s = fixes[-1].t - fixes[0].t
    played = voices(sim.events, kinds, once, fixes[0].t, walk_s)
    duration = max([walk_s, *(v.stop for v in played)])
    render(played, sounds, duration, out, binaural=binaural)
    return {"file": str(out), "duration_s": round(duration, 3), "sounds": len(played)}
