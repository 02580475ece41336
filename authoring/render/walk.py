"""Render a simulated walk: which file each sound plays, and the voices of the engine's events."""

from __future__ import annotations

from pathlib import Path

from authoring.render.mix import render
from authoring.render.voices import voices
from trails.simulate import Simulation
from trails.source import LoadedSource
from trails.triggers.from_source import story_version
from trails.triggers.model import EngineTrail


def render_walk(
    loaded: LoadedSource,
    trail: EngineTrail,
    sim: Simulation,
    language: str,
    out: Path,
    *,
    binaural: bool = False,
) -> dict[str, float | str]:
    """Mix what the visitor of ``sim`` hears into ``out`` (.wav or .opus); returns what was
    written: the file, its length and the number of sounds played."""
    files: dict[str, Path] = {}
    for stop in loaded.trail.stops:
        version = story_version(stop, language)
        if version is not None:
            files[stop.key] = loaded.media_file(version.audio)
    files |= {layer.key: loaded.media_file(layer.audio) for layer in loaded.trail.ambience}
    files |= {obj.key: loaded.media_file(obj.audio) for obj in loaded.trail.objects}
    kinds = {s.key: s.kind for s in trail.stops} | {a.key: "ambience" for a in trail.ambience}
    kinds |= {o.key: "object" for o in trail.objects}
    once = {o.key for o in trail.objects if not o.loop}
    fixes = sim.track.fixes
    walk_s = fixes[-1].t - fixes[0].t
    played = voices(sim.events, kinds, once, fixes[0].t, walk_s)
    duration = max([walk_s, *(v.stop for v in played)])
    render(played, files, duration, out, binaural=binaural)
    return {"file": str(out), "duration_s": round(duration, 3), "sounds": len(played)}
