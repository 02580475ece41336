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
from trails.triggers.ambience import distance_gain_db, round_db
from trails.triggers.conditions import StopMemory, requirements_met, windows_open
from trails.triggers.model import (
    MIN_EXIT_MARGIN_M,
    EngineLayer,
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
from trails.triggers.zones import ZoneIndex, ZoneShape, make_shape
from trails.vocabulary import StopKindName, TrailMode

Phase = Literal["outside", "dwelling", "inside"]
UnitKind = StopKindName | Literal["ambience"]


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
        t_ms = self._check_time(to_ms(fix.t), "fix.t")
        self._advance(t_ms)
        if candidates is None:
            candidates = self._index.candidates(fix.lat, fix.lon)
        exits, enters = self._transitions(fix, t_ms, candidates)
        for i in exits:
            self._on_exit(i, t_ms)
        new_cues = [c for i in enters if (c := self._on_enter(i, t_ms)) is not None]
        self._dispatch(new_cues, t_ms)
        self._emit_gains(t_ms)
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
        return None

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
        """Section 9: emit narration ends (and what follows them) up to and at ``t_ms``."""
        while self._playing is not None and (t_ms is None or self._playing.end_ms <= t_ms):
            end_ms = self._playing.end_ms
            self._end_narration(end_ms, "finished")
            self._emit_gains(end_ms)
        if t_ms is not None:
            self._clock_ms = t_ms

    def _end_narration(self, t_ms: int, reason: str, start_next: bool = True) -> None:
        playing = self._playing
        assert playing is not None
        self._playing = None
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
