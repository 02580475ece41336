"""The reference trigger engine: fixes in, events out, pure and deterministic.

The rules implemented here are those of ``docs/trigger-semantics.md``; section numbers in
comments refer to that document.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from trails.errors import DomainError, invalid
from trails.rules import DEFAULT_EXIT_DWELL_S
from trails.source import CircleZone
from trails.triggers.ambience import distance_gain_db, round_db
from trails.triggers.conditions import StopMemory, requirements_met, windows_open
from trails.triggers.model import (
    MIN_EXIT_MARGIN_M,
    EngineLayer,
    EngineObject,
    EngineStop,
    EngineTrail,
    Event,
    EventType,
    Fix,
    max_accuracy_mm,
    to_mm,
    to_ms,
)
from trails.triggers.queue import Cue, NarrationQueue
from trails.triggers.spatial import Listener, approach_holds, object_gain_db
from trails.triggers.zones import ZoneIndex, ZoneShape, make_shape
from trails.vocabulary import StopKindName, TrailMode

Phase = Literal["outside", "dwelling", "inside"]
UnitKind = StopKindName | Literal["ambience", "object"]
# Section 14.2: an accepted object waits (armed), plays, or is done until its next enter.
ObjectState = Literal["armed", "playing", "done"]


@dataclass
class _Unit:
    """One stop or ambient layer with its precomputed thresholds and zone state."""

    key: str
    kind: UnitKind
    shape: ZoneShape
    extra_mm: int  # ambient layers reach max_distance_m beyond their zone
    margin_mm: int
    max_acc_mm: int
    dwell_ms: int
    exit_dwell_ms: int
    stop: EngineStop | None
    layer: EngineLayer | None
    obj: EngineObject | None = None
    phase: Phase = "outside"
    since_ms: int = 0
    exit_since_ms: int | None = None
    outside_mm: int = 0


@dataclass
class _Playing:
    cue: Cue
    start_ms: int
    end_ms: int


def _units(trail: EngineTrail) -> list[_Unit]:
    units = []
    for stop in trail.stops:
        units.append(
            _Unit(
                key=stop.key,
                kind=stop.kind,
                shape=make_shape(stop.zone),
                extra_mm=0,
                margin_mm=to_mm(stop.exit_margin_m()),
                max_acc_mm=max_accuracy_mm(stop),
                dwell_ms=to_ms(stop.rules.dwell_s),
                exit_dwell_ms=to_ms(stop.rules.exit_dwell_s),
                stop=stop,
                layer=None,
            )
        )
    for layer in trail.ambience:
        units.append(
            _Unit(
                key=layer.key,
                kind="ambience",
                shape=make_shape(layer.zone),
                extra_mm=to_mm(layer.max_distance_m),
                margin_mm=to_mm(MIN_EXIT_MARGIN_M),
                max_acc_mm=max_accuracy_mm(layer),
                dwell_ms=0,
                exit_dwell_ms=to_ms(DEFAULT_EXIT_DWELL_S),
                stop=None,
                layer=layer,
            )
        )
    for obj in trail.objects:
        # The audible circle; built without the stop-zone radius floor an object need not meet.
        zone = CircleZone.model_construct(type="circle", center=obj.position, radius_m=obj.radius_m)
        units.append(
            _Unit(
                key=obj.key,
                kind="object",
                shape=make_shape(zone),
                extra_mm=0,
                margin_mm=to_mm(MIN_EXIT_MARGIN_M),
                max_acc_mm=max_accuracy_mm(obj),
                dwell_ms=0,
                exit_dwell_ms=to_ms(DEFAULT_EXIT_DWELL_S),
                stop=None,
                layer=None,
                obj=obj,
            )
        )
    return units


class TriggerEngine:
    """Feed fixes one at a time (as a phone does) and collect the events each one causes."""

    def __init__(self, trail: EngineTrail) -> None:
        self.trail = trail
        self._units = _units(trail)
        self._index = ZoneIndex([u.shape.envelope(u.extra_mm / 1000) for u in self._units])
        self._tz = ZoneInfo(trail.timezone)
        self._memory = {u.key: StopMemory() for u in self._units if u.stop is not None}
        self._active: set[int] = set()
        self._queue = NarrationQueue()
        self._playing: _Playing | None = None
        self._beds: dict[int, float | None] = {}  # audible bed -> last emitted gain
        self._listener = Listener()
        self._objects: dict[int, ObjectState] = {}  # accepted objects until their exit
        self._object_ends: dict[int, int] = {}  # playing once-objects -> natural end (ms)
        # Sounds with a position -> the last (db, azimuth, distance_m) emitted (section 17).
        self._placed: dict[int, tuple[float, int | None, float] | None] = {}
        self._clock_ms: int | None = None
        self._finished = False
        self._out: list[Event] = []

    # -- public API ---------------------------------------------------------------------

    def feed(self, fix: Fix) -> list[Event]:
        """Process one fix; returns the events up to and at its time (section 9)."""
        return self._feed(fix, None)

    def run(self, fixes: Sequence[Fix], finish_t: float | None = None) -> list[Event]:
        """Process a whole track (with one bulk index query), then :meth:`finish`."""
        candidates = self._index.candidates_bulk([f.lat for f in fixes], [f.lon for f in fixes])
        events: list[Event] = []
        for fix, cands in zip(fixes, candidates, strict=True):
            events.extend(self._feed(fix, cands))
        events.extend(self.finish(finish_t))
        return events

    def finish(self, t: float | None = None) -> list[Event]:
        """End of track: cut everything at ``t``, or (``None``) let narrations play out."""
        self._check_open()
        self._finished = True
        if t is None:
            self._advance(None)
            end_ms = self._clock_ms if self._clock_ms is not None else 0
        else:
            if not math.isfinite(t):
                raise invalid("t", t, "the end of the track is a finite time")
            end_ms = self._check_time(to_ms(t), "t")
            self._advance(end_ms)
            if self._playing is not None:
                self._end_narration(end_ms, "track-end", start_next=False)
            for cue in self._queue.drain():
                self._emit(end_ms, "skip", cue.index, reason="track-end")
        for i in sorted(self._beds):
            self._emit(end_ms, "end", i, reason="track-end")
        self._beds.clear()
        for i in sorted(self._objects):
            if self._objects[i] == "playing":
                self._emit(end_ms, "end", i, reason="track-end")
        self._objects.clear()
        self._object_ends.clear()
        self._placed.clear()
        return self._take()

    # -- one fix ------------------------------------------------------------------------

    def _feed(self, fix: Fix, candidates: list[int] | None) -> list[Event]:
        self._check_open()
        values = (fix.t, fix.lat, fix.lon, fix.accuracy_m)
        if not all(math.isfinite(v) for v in values):
            raise invalid("fix", list(values), "a fix holds finite numbers only")
        if not -90.0 <= fix.lat <= 90.0 or not -180.0 <= fix.lon <= 180.0:
            raise invalid("fix", [fix.lat, fix.lon], "latitude or longitude out of range")
        if fix.accuracy_m < 0:
            raise invalid("fix.accuracy_m", fix.accuracy_m, "accuracy cannot be negative")
        heading = fix.heading_deg
        if heading is not None and not (math.isfinite(heading) and 0 <= heading < 360):
            raise invalid("fix.heading_deg", heading, "a heading is in [0, 360) degrees")
        t_ms = self._check_time(to_ms(fix.t), "fix.t")
        self._advance(t_ms)
        self._listener.update(fix.lat, fix.lon, to_mm(fix.accuracy_m), heading)
        if candidates is None:
            candidates = self._index.candidates(fix.lat, fix.lon)
        exits, enters = self._transitions(fix, t_ms, candidates)
        for i in exits:
            self._on_exit(i, t_ms)
        new_cues = [c for i in enters if (c := self._on_enter(i, t_ms)) is not None]
        self._dispatch(new_cues, t_ms)
        self._start_objects(t_ms)
        self._emit_gains(t_ms)
        self._emit_spatial(t_ms)
        return self._take()

    def _transitions(
        self, fix: Fix, t_ms: int, candidates: list[int]
    ) -> tuple[list[int], list[int]]:
        acc_mm = to_mm(fix.accuracy_m)
        exits: list[int] = []
        enters: list[int] = []
        for i in sorted(self._active.union(candidates)):
            unit = self._units[i]
            if acc_mm > unit.max_acc_mm:
                continue  # section 4: an inaccurate fix does not exist for this zone
            outside = unit.shape.outside_mm(fix.lat, fix.lon)
            unit.outside_mm = outside
            excess = outside - unit.extra_mm
            inside = excess <= 0
            if unit.phase == "inside":
                # Section 6: the whole accuracy circle must clear the margin, for exit_dwell.
                if excess - acc_mm > unit.margin_mm:
                    if unit.exit_since_ms is None:
                        unit.exit_since_ms = t_ms
                    if t_ms - unit.exit_since_ms >= unit.exit_dwell_ms:
                        unit.phase = "outside"
                        self._active.discard(i)
                        exits.append(i)
                else:
                    unit.exit_since_ms = None
                continue
            if not inside:
                unit.phase = "outside"
                self._active.discard(i)
                continue
            if unit.phase == "outside":
                unit.phase, unit.since_ms = "dwelling", t_ms
                self._active.add(i)
            if t_ms - unit.since_ms >= unit.dwell_ms:
                unit.phase, unit.exit_since_ms = "inside", None
                enters.append(i)
        return exits, enters

    def _on_exit(self, i: int, t_ms: int) -> None:
        unit = self._units[i]
        self._emit(t_ms, "exit", i)
        if unit.kind == "object":
            state = self._objects.pop(i, None)
            self._object_ends.pop(i, None)
            if state == "playing":
                self._placed.pop(i, None)
                self._emit(t_ms, "end", i, reason="left-zone")
            return
        if unit.kind in ("loop", "ambience"):
            if i in self._beds:
                del self._beds[i]
                self._emit(t_ms, "end", i, reason="left-zone")
            return
        if unit.kind != "narration":
            return
        if self._queue.remove(i):
            self._emit(t_ms, "skip", i, reason="left-zone")
        playing = self._playing
        if playing is not None and playing.cue.index == i:
            assert unit.stop is not None
            if unit.stop.rules.on_exit == "stop":
                # The queue head starts in _dispatch, after this fix's enters are known.
                self._end_narration(t_ms, "left-zone", start_next=False)

    def _on_enter(self, i: int, t_ms: int) -> Cue | None:
        unit = self._units[i]
        self._emit(t_ms, "enter", i)
        if unit.kind == "ambience":
            self._beds[i] = None
            self._emit(t_ms, "play", i)
            return None
        if unit.obj is not None:
            refused = self._object_refusal(unit.obj, t_ms)
            if refused is not None:
                self._emit(t_ms, "skip", i, reason=refused)
            else:
                self._objects[i] = "armed"
            return None
        reason = self._refusal(i, t_ms)
        if reason is not None:
            self._emit(t_ms, "skip", i, reason=reason)
            return None
        memory = self._memory[unit.key]
        memory.triggered = True
        if unit.kind == "loop":
            memory.played = True
            self._beds[i] = None
            self._emit(t_ms, "play", i)
            return None
        if unit.kind == "silent":
            return None
        assert unit.stop is not None
        return Cue(i, unit.stop.rules.priority, t_ms)

    def _refusal(self, i: int, t_ms: int) -> str | None:
        """Section 7: the first condition that stops an entered stop from triggering."""
        unit = self._units[i]
        stop = unit.stop
        assert stop is not None
        memory = self._memory[unit.key]
        rules = stop.rules
        done = memory.triggered if unit.kind == "silent" else memory.played
        if rules.replay == "once" and done:
            return "once"
        if rules.replay == "always":
            playing = self._playing is not None and self._playing.cue.index == i
            if playing or i in self._queue:
                return "playing"
            last = memory.last_end_ms
            if last is not None and t_ms - last < to_ms(rules.cooldown_s):
                return "cooldown"
        if not windows_open(rules.time_windows, t_ms, self._tz):
            return "time-window"
        if self.trail.mode == TrailMode.sequential and i > 0:
            previous = self._units[i - 1].key
            if not self._memory[previous].triggered:
                return "sequence"
        if not requirements_met(rules.requires, self._memory):
            return "requires"
        if not approach_holds(rules.approach, self._listener.course):
            return "approach"
        return None

    def _object_refusal(self, obj: EngineObject, t_ms: int) -> str | None:
        """Section 14.1: time windows, requirements, approach; no replay, no sequence."""
        if not windows_open(obj.time_windows, t_ms, self._tz):
            return "time-window"
        if not requirements_met(obj.requires, self._memory):
            return "requires"
        if not approach_holds(obj.approach, self._listener.course):
            return "approach"
        return None

    def _start_objects(self, t_ms: int) -> None:
        """Section 14.2: armed objects start when they have no facing rule or it holds."""
        for i in sorted(self._objects):
            if self._objects[i] != "armed":
                continue
            obj = self._units[i].obj
            assert obj is not None
            if obj.facing is not None:
                located = self._listener.locate(obj.position)
                azimuth = located[1] if located is not None else None
                if azimuth is None or abs(azimuth) > obj.facing.tolerance_deg:
                    continue
            self._objects[i] = "playing"
            self._placed[i] = None
            if not obj.loop:
                assert obj.duration_s is not None
                self._object_ends[i] = t_ms + to_ms(obj.duration_s)
            self._emit(t_ms, "play", i)

    def _dispatch(self, new_cues: list[Cue], t_ms: int) -> None:
        """Section 8: interrupt, queue, then start the head of the queue if nothing plays."""
        new_cues.sort(key=lambda c: (-c.priority, c.index))
        for cue in new_cues:
            playing = self._playing
            stop = self._units[cue.index].stop
            assert stop is not None
            if (
                playing is not None
                and stop.rules.interrupt
                and cue.priority >= playing.cue.priority
                and playing.start_ms < t_ms
            ):
                self._end_narration(t_ms, "interrupted", start_next=False)
                self._start(cue, t_ms)
            else:
                self._queue.push(cue)
        if self._playing is None and len(self._queue):
            self._start(self._queue.pop(), t_ms)
        for cue in new_cues:
            if cue.index in self._queue:
                self._emit(t_ms, "queue", cue.index)

    # -- time ---------------------------------------------------------------------------

    def _advance(self, t_ms: int | None) -> None:
        """Section 9: emit natural ends (and what follows them) up to and at ``t_ms``; with
        ``None``, while a narration plays. A narration's end comes before objects' ends at
        the same time, and objects end in trail order."""
        while True:
            ends = sorted((end, i) for i, end in self._object_ends.items())
            playing = self._playing
            if playing is not None and (not ends or playing.end_ms <= ends[0][0]):
                end_ms, obj_index = playing.end_ms, None
            elif ends:
                end_ms, obj_index = ends[0]
            else:
                break
            limit = t_ms if t_ms is not None else (playing.end_ms if playing else self._clock_ms)
            if limit is None or end_ms > limit:
                break
            if obj_index is None:
                self._end_narration(end_ms, "finished")
            else:
                del self._object_ends[obj_index]
                self._objects[obj_index] = "done"
                self._placed.pop(obj_index, None)
                self._emit(end_ms, "end", obj_index, reason="finished")
                if self._clock_ms is None or end_ms > self._clock_ms:
                    self._clock_ms = end_ms
            self._emit_gains(end_ms)
            self._emit_spatial(end_ms)
        if t_ms is not None:
            self._clock_ms = t_ms

    def _end_narration(self, t_ms: int, reason: str, start_next: bool = True) -> None:
        playing = self._playing
        assert playing is not None
        self._playing = None
        self._placed.pop(playing.cue.index, None)
        self._memory[self._units[playing.cue.index].key].last_end_ms = t_ms
        self._emit(t_ms, "end", playing.cue.index, reason=reason)
        if self._clock_ms is None or t_ms > self._clock_ms:
            self._clock_ms = t_ms
        if start_next and len(self._queue):
            self._start(self._queue.pop(), t_ms)

    def _start(self, cue: Cue, t_ms: int) -> None:
        unit = self._units[cue.index]
        assert unit.stop is not None and unit.stop.duration_s is not None
        self._playing = _Playing(cue, t_ms, t_ms + to_ms(unit.stop.duration_s))
        self._memory[unit.key].played = True
        if unit.stop.position is not None:
            self._placed[cue.index] = None
        self._emit(t_ms, "play", cue.index)

    def _emit_gains(self, t_ms: int) -> None:
        """Section 10: a gain event whenever a bed's rounded gain differs from the last one."""
        duck = self.trail.ducking_db if self._playing is not None else 0.0
        for i in sorted(self._beds):
            unit = self._units[i]
            base = distance_gain_db(unit.layer, unit.outside_mm) if unit.layer is not None else 0.0
            gain = round_db(base + duck)
            if self._beds[i] != gain:
                self._beds[i] = gain
                self._emit(t_ms, "gain", i, db=gain)

    def _emit_spatial(self, t_ms: int) -> None:
        """Section 17: where each placed sound is heard from, whenever it changes."""
        duck = self.trail.ducking_db if self._playing is not None else 0.0
        for i in sorted(self._placed):
            unit = self._units[i]
            position = unit.obj.position if unit.obj is not None else None
            if position is None:
                assert unit.stop is not None and unit.stop.position is not None
                position = unit.stop.position
            located = self._listener.locate(position)
            if located is None:
                continue
            d_mm, azimuth = located
            # A narration keeps its full gain (15.1); an object follows its distance law.
            db = round_db(object_gain_db(unit.obj, d_mm) + duck) if unit.obj is not None else 0.0
            value = (db, azimuth, d_mm / 1000)
            if self._placed[i] != value:
                self._placed[i] = value
                self._out.append(Event(t_ms, "spatial", unit.key, None, db, azimuth, d_mm / 1000))

    # -- plumbing -----------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._finished:
            raise DomainError("this engine has finished its track; start a new one")

    def _check_time(self, t_ms: int, field: str) -> int:
        if self._clock_ms is not None and t_ms < self._clock_ms:
            raise invalid(
                field,
                t_ms / 1000,
                f"time goes backwards: {t_ms / 1000:g} s comes after {self._clock_ms / 1000:g} s",
            )
        return t_ms

    def _emit(
        self,
        t_ms: int,
        kind: EventType,
        i: int,
        reason: str | None = None,
        db: float | None = None,
    ) -> None:
        self._out.append(Event(t_ms, kind, self._units[i].key, reason, db))

    def _take(self) -> list[Event]:
        out, self._out = self._out, []
        return out


def run_track(
    trail: EngineTrail, fixes: Iterable[Fix], finish_t: float | None = None
) -> list[Event]:
    """Run a whole track through a fresh engine and return every event."""
    return TriggerEngine(trail).run(list(fixes), finish_t)
