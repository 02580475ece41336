"""Build the engine's view of a trail from a trail source and the durations of its audio."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from trails.bundle.source import BundleSource
from trails.source import LoadedSource, Stop, StoryVersion, TrailSource
from trails.triggers.model import EngineLayer, EngineObject, EngineStop, EngineTrail


def story_version(stop: Stop, language: str) -> StoryVersion | None:
    """The stop's audio in a language, else its first version, else None."""
    if stop.story is None:
        return None
    return stop.story.versions.get(language) or next(iter(stop.story.versions.values()))


def engine_trail(
    trail: TrailSource, durations: Mapping[str, float], timezone: str | None = None
) -> EngineTrail:
    """The engine trail; ``durations`` gives seconds of audio by stop key.

    ``timezone`` overrides the trail's own time zone for local-time windows.
    """
    stops = [
        EngineStop(
            key=stop.key,
            zone=stop.zone,
            rules=stop.rules,
            duration_s=durations.get(stop.key) if stop.story is not None else None,
            position=stop.position,
        )
        for stop in trail.stops
    ]
    objects = [
        EngineObject(
            key=obj.key,
            duration_s=durations.get(obj.key),
            **obj.model_dump(exclude={"key", "title", "audio"}),
        )
        for obj in trail.objects
    ]
    layers = [
        EngineLayer(
            key=layer.key,
            zone=layer.zone,
            min_distance_m=layer.min_distance_m,
            max_distance_m=layer.max_distance_m,
            min_gain_db=layer.min_gain_db,
            max_gain_db=layer.max_gain_db,
        )
        for layer in trail.ambience
    ]
    return EngineTrail(
        mode=trail.mode,
        ducking_db=trail.settings.ducking_db,
        timezone=timezone or trail.timezone,
        stops=stops,
        ambience=layers,
        objects=objects,
    )


def probe_stop_durations(
    loaded: LoadedSource, language: str, probe: Callable[[Path], float]
) -> dict[str, float]:
    """Seconds of each stop's audio in ``language`` (or its first version), and of each
    sound object's audio.

    A bundle's durations come from its manifest; a folder's files are measured by ``probe``.
    """
    known = loaded.durations if isinstance(loaded, BundleSource) else {}
    out = {}
    for stop in loaded.trail.stops:
        version = story_version(stop, language)
        if version is not None:
            duration = known.get(version.audio)
            out[stop.key] = (
                duration if duration is not None else probe(loaded.media_file(version.audio))
            )
    for obj in loaded.trail.objects:
        duration = known.get(obj.audio)
        out[obj.key] = duration if duration is not None else probe(loaded.media_file(obj.audio))
    return out
