"""The walk simulator: a trail, a track, and what a visitor would hear along it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from trails.messages import msg
from trails.source import TrailSource
from trails.tracks import Track
from trails.triggers.engine import TriggerEngine
from trails.triggers.model import EngineTrail, Event

# Silences shorter than this between narrations are normal walking, not worth reporting.
IDLE_GAP_S = 60.0


@dataclass(frozen=True)
class Audible:
    """One stretch of audio: a narration, a sound bed or a sound object, from start to end
    (track seconds)."""

    stop: str
    kind: str
    start: float
    end: float
    end_reason: str

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "stop": self.stop,
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "duration_s": round(self.end - self.start, 3),
            "end_reason": self.end_reason,
        }


@dataclass
class Simulation:
    """Events, audible stretches and a summary of one simulated walk."""

    trail_slug: str
    track: Track
    events: list[Event]
    audible: list[Audible]
    summary: dict[str, Any]

    def relative(self, t: float) -> float:
        """Seconds since the start of the track."""
        return round(t - self.track.fixes[0].t, 3)

    def as_dict(self) -> dict[str, Any]:
        """JSON form: track facts, the timeline, what is audible, the summary, and what was
        repaired in the track."""
        start = self.track.fixes[0].t
        track: dict[str, Any] = {
            "name": self.track.name,
            "fixes": len(self.track.fixes),
            "timed": self.track.timed,
            "duration_s": self.relative(self.track.fixes[-1].t),
        }
        if self.track.timed:
            track["start_time"] = datetime.fromtimestamp(start, UTC).isoformat()
        events = []
        for e in self.events:
            item = e.as_dict()
            item["t"] = self.relative(e.t)
            events.append(item)
        return {
            "trail": self.trail_slug,
            "track": track,
            "events": events,
            "audible": [a.as_dict() for a in self.audible],
            "summary": self.summary,
            "warnings": list(self.track.warnings),
        }


def simulate(source: TrailSource, trail: EngineTrail, track: Track) -> Simulation:
    """Run the reference engine over a track and describe what would be heard."""
    events = TriggerEngine(trail).run(track.fixes)
    start = track.fixes[0].t
    kinds = {s.key: s.kind for s in trail.stops} | {a.key: "ambience" for a in trail.ambience}
    kinds |= {o.key: "object" for o in trail.objects}
    audible = _audible(events, kinds, start)
    summary = _summary(source, events, audible, kinds, track)
    return Simulation(source.slug, track, events, audible, summary)


def position_at(track: Track, t: float) -> tuple[float, float]:
    """Where the walker was at ``t`` (lon, lat): the last fix at or before it."""
    best = track.fixes[0]
    for fix in track.fixes:
        if fix.t > t:
            break
        best = fix
    return best.lon, best.lat


def _audible(events: list[Event], kinds: dict[str, str], start: float) -> list[Audible]:
    open_at: dict[str, float] = {}
    out = []
    for e in events:
        if e.type == "play":
            open_at[e.stop] = e.t
        elif e.type == "end" and e.stop in open_at:
            began = open_at.pop(e.stop)
            out.append(
                Audible(
                    e.stop,
                    kinds[e.stop],
                    round(began - start, 3),
                    round(e.t - start, 3),
                    e.reason or "",
                )
            )
    return sorted(out, key=lambda a: (a.start, a.stop))


def _summary(
    source: TrailSource,
    events: list[Event],
    audible: list[Audible],
    kinds: dict[str, str],
    track: Track,
) -> dict[str, Any]:
    narrations = [a for a in audible if a.kind == "narration"]
    heard = list(dict.fromkeys(a.stop for a in narrations))
    missed = []
    for stop in source.stops:
        if kinds[stop.key] != "narration" or stop.key in heard:
            continue
        mine = [e for e in events if e.stop == stop.key]
        skips = [e for e in mine if e.type == "skip"]
        if skips:
            reason = msg("skipped: {reason}", reason=skips[-1].reason)
        elif any(e.type == "enter" for e in mine):
            reason = msg("entered but not played")
        else:
            reason = msg("never entered")
        missed.append({"stop": stop.key, "reason": reason})
    walk_s = round(track.fixes[-1].t - track.fixes[0].t, 3)
    gaps = []
    cursor = 0.0
    for a in narrations:
        if a.start - cursor >= IDLE_GAP_S:
            gaps.append({"start": cursor, "end": a.start, "duration_s": round(a.start - cursor, 3)})
        cursor = max(cursor, a.end)
    if walk_s - cursor >= IDLE_GAP_S:
        gaps.append({"start": cursor, "end": walk_s, "duration_s": round(walk_s - cursor, 3)})
    cut = [a.stop for a in narrations if a.end_reason not in ("finished",)]
    return {
        "stops_heard": heard,
        "stops_missed": missed,
        "narrations_cut": cut,
        "listening_s": round(sum(a.end - a.start for a in narrations), 3),
        "walk_s": walk_s,
        "idle_gaps": gaps,
        "idle_gap_threshold_s": IDLE_GAP_S,
    }
