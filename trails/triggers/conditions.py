"""Whether an entered stop may trigger: replay, time windows, sequence and requirements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from trails.rules import Requires, TimeWindow


@dataclass
class StopMemory:
    """What the engine remembers of a stop across fixes."""

    triggered: bool = False
    played: bool = False
    last_end_ms: int | None = None


def _seconds(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 3600 + int(minutes) * 60


def in_window(window: TimeWindow, second_of_day: int) -> bool:
    """Whether a local second of the day lies in ``[start, end)``; a window may pass midnight."""
    start, end = _seconds(window.start), _seconds(window.end)
    if start < end:
        return start <= second_of_day < end
    if start > end:
        return second_of_day >= start or second_of_day < end
    return False  # start == end is an empty window, reported by the authoring checks


def local_second_of_day(t_ms: int, zone: ZoneInfo) -> int:
    """The whole local second of the day at an instant, in the trail's time zone."""
    local = datetime.fromtimestamp(t_ms // 1000, zone)
    return local.hour * 3600 + local.minute * 60 + local.second


def windows_open(windows: list[TimeWindow], t_ms: int, zone: ZoneInfo) -> bool:
    """True without windows, else whether any window holds the local time of ``t_ms``."""
    if not windows:
        return True
    second = local_second_of_day(t_ms, zone)
    return any(in_window(w, second) for w in windows)


def requirements_met(requires: Requires | None, memory: dict[str, StopMemory]) -> bool:
    """Evaluate ``requires`` against the current memory; unknown stops were never played."""
    if requires is None:
        return True
    results = []
    for cond in requires.conditions:
        state = memory.get(cond.stop, StopMemory())
        if cond.state == "played":
            results.append(state.played)
        elif cond.state == "triggered":
            results.append(state.triggered)
        else:
            results.append(not state.played)
    return all(results) if requires.mode == "all" else any(results)
