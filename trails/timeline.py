"""A time for every point of a recorded walk: keep the consistent times, fill in the rest.

Devices write tracks whose times are partly missing, go backwards after a glitch, or hold a
placeholder date (1901-01-01, 1970-01-01). :func:`timeline` keeps the longest run of points
whose times a walker could have made, re-times every other point from its neighbours and
the walking speed, and lists what it changed so that the caller can say so.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from trails.geo import haversine_m
from trails.messages import msg, nmsg

# Between two kept points the walker may not have moved faster than this (50 km/h):
# a faster pair means one of the two times is wrong.
MAX_SPEED_M_S = 50 / 3.6
# GPS positions wander by this much even when times are right (two points logged in the
# same second, a jump after a tunnel): a pair within it is never called too fast.
POSITION_SLACK_M = 20.0
# Clock times before this (1971-01-01T00:00:00Z) are placeholders, not moments of a walk.
EARLIEST_CLOCK_S = 31_536_000.0
# ...and clock times more than a day ahead of the reading machine's clock are too.
FUTURE_SLACK_S = 86_400.0
# How far back a kept point looks for its predecessor; a run of more bad times than this
# splits the walk, and the shorter side is re-timed.
_LOOKBACK = 1000


@dataclass(frozen=True)
class Repair:
    """One kind of fault found in a track's times, the points it affects, and in words."""

    kind: str  # "untimed", "placeholder", "inconsistent" or "no_usable_time"
    points: tuple[int, ...]
    message: str


@dataclass(frozen=True)
class Timeline:
    """Seconds for every point; ``timed`` says whether any came from the file."""

    times: list[float]
    timed: bool
    repairs: list[Repair]


def clock_range(now: float) -> tuple[float, float]:
    """Plausible clock times of a walk read at ``now``: from 1971 to a day ahead."""
    return (EARLIEST_CLOCK_S, now + FUTURE_SLACK_S)


def timeline(
    positions: Sequence[tuple[float, float]],
    times: Sequence[float | None],
    speed_m_s: float,
    clock: tuple[float, float] | None = None,
) -> Timeline:
    """Times for every ``(lat, lon)`` position from its optional recorded time.

    ``clock`` is the range of plausible clock times (epoch seconds) when the times are
    clock times; a time outside it is a placeholder. Without it, times are relative
    seconds and only their order and implied speed are checked.
    """
    if len(positions) != len(times):
        raise ValueError("one time (or None) per position")
    n = len(positions)
    along = _distance_along(positions)
    usable = [
        t is not None and math.isfinite(t) and (clock is None or clock[0] <= t <= clock[1])
        for t in times
    ]
    kept = _consistent_points(along, times, usable)
    out = _fill(along, times, kept, speed_m_s)
    repairs = _describe(times, usable, set(kept), n, speed_m_s)
    return Timeline(out, bool(kept), repairs)


def _distance_along(positions: Sequence[tuple[float, float]]) -> list[float]:
    along = [0.0]
    for (lat_a, lon_a), (lat_b, lon_b) in itertools.pairwise(positions):
        along.append(along[-1] + haversine_m(lat_a, lon_a, lat_b, lon_b))
    return along


def _walkable(d_m: float, dt_s: float) -> bool:
    """Whether a walker could cover ``d_m`` metres in ``dt_s`` seconds (never backwards)."""
    return dt_s >= 0 and d_m <= MAX_SPEED_M_S * dt_s + POSITION_SLACK_M


def _consistent_points(
    along: list[float], times: Sequence[float | None], usable: list[bool]
) -> list[int]:
    """Indices of the longest chain of usable times, each walkable from the previous one."""
    candidates = [i for i, ok in enumerate(usable) if ok]
    # The common case, a good file or one with some times missing, needs no search.
    if all(
        _walkable(along[j] - along[i], _t(times, j) - _t(times, i))
        for i, j in itertools.pairwise(candidates)
    ):
        return _unfrozen(candidates, along, times)
    return _unfrozen(_longest_chain(candidates, along, times), along, times)


def _longest_chain(
    candidates: list[int], along: list[float], times: Sequence[float | None]
) -> list[int]:
    t = np.array([_t(times, i) for i in candidates])
    d = np.array([along[i] for i in candidates])
    length = np.ones(len(candidates), dtype=np.int64)
    previous = np.full(len(candidates), -1, dtype=np.int64)
    for j in range(1, len(candidates)):
        lo = max(0, j - _LOOKBACK)
        dt = t[j] - t[lo:j]
        fits = (dt >= 0) & (d[j] - d[lo:j] <= MAX_SPEED_M_S * dt + POSITION_SLACK_M)
        if fits.any():
            scores = np.where(fits, length[lo:j], 0)
            best = int(np.argmax(scores))
            length[j] = scores[best] + 1
            previous[j] = lo + best
    chain = []
    k = int(np.argmax(length))
    while k >= 0:
        chain.append(candidates[k])
        k = int(previous[k])
    return chain[::-1]


def _unfrozen(chain: list[int], along: list[float], times: Sequence[float | None]) -> list[int]:
    """The chain without the points of a stuck clock: one time repeated while the walker
    moved on further than GPS wander, which each pair alone would let through."""
    out: list[int] = []
    run_start = 0  # the first kept point with the latest kept time
    for i in chain:
        if out:
            prev = out[-1]
            dt = _t(times, i) - _t(times, prev)
            if not _walkable(along[i] - along[prev], dt):
                continue  # the clock has not caught up yet with a point dropped before
            if dt == 0 and along[i] - along[run_start] > POSITION_SLACK_M:
                continue
            if dt > 0:
                run_start = i
        else:
            run_start = i
        out.append(i)
    return out


def _t(times: Sequence[float | None], i: int) -> float:
    value = times[i]
    assert value is not None  # only called on usable points
    return value


def _fill(
    along: list[float], times: Sequence[float | None], kept: list[int], speed_m_s: float
) -> list[float]:
    """Kept times as they are; before the first and after the last at walking speed;
    between two kept points at the steady pace that joins them."""
    n = len(along)
    if not kept:
        return [a / speed_m_s for a in along]
    out = [0.0] * n
    first, last = kept[0], kept[-1]
    for i in range(first + 1):
        out[i] = _t(times, first) - (along[first] - along[i]) / speed_m_s
    for i in range(last, n):
        out[i] = _t(times, last) + (along[i] - along[last]) / speed_m_s
    for a, b in itertools.pairwise(kept):
        ta, tb = _t(times, a), _t(times, b)
        span = along[b] - along[a]
        for i in range(a, b + 1):
            # Standing still with times missing: share the time out evenly by point.
            share = (along[i] - along[a]) / span if span > 0 else (i - a) / (b - a)
            out[i] = ta + share * (tb - ta)
    return out


def _describe(
    times: Sequence[float | None], usable: list[bool], kept: set[int], n: int, speed_m_s: float
) -> list[Repair]:
    untimed = tuple(i for i, t in enumerate(times) if t is None)
    placeholder = tuple(i for i, t in enumerate(times) if t is not None and not usable[i])
    inconsistent = tuple(i for i, ok in enumerate(usable) if ok and i not in kept)
    if len(untimed) == n:
        return []  # an untimed route is walked at speed as documented, nothing to repair
    repairs = []
    if untimed:
        repairs.append(
            Repair(
                "untimed",
                untimed,
                nmsg(
                    "{count} of {total} points had no time (point {where}): filled in",
                    "{count} of {total} points had no time (points {where}): filled in",
                    len(untimed),
                    total=n,
                    where=_where(untimed),
                ),
            )
        )
    if placeholder:
        repairs.append(
            Repair(
                "placeholder",
                placeholder,
                nmsg(
                    "{count} of {total} points had a placeholder time, before 1971 or in the"
                    " future (point {where}): re-timed",
                    "{count} of {total} points had a placeholder time, before 1971 or in the"
                    " future (points {where}): re-timed",
                    len(placeholder),
                    total=n,
                    where=_where(placeholder),
                ),
            )
        )
    if inconsistent:
        repairs.append(
            Repair(
                "inconsistent",
                inconsistent,
                nmsg(
                    "{count} of {total} points had a time that went backwards or implied moving"
                    " faster than {speed} km/h (point {where}): re-timed",
                    "{count} of {total} points had a time that went backwards or implied moving"
                    " faster than {speed} km/h (points {where}): re-timed",
                    len(inconsistent),
                    total=n,
                    speed=round(MAX_SPEED_M_S * 3.6),
                    where=_where(inconsistent),
                ),
            )
        )
    if not kept:
        repairs.append(
            Repair(
                "no_usable_time",
                (),
                msg(
                    "no point has a usable time: the walk is timed at {speed} m/s", speed=speed_m_s
                ),
            )
        )
    return repairs


def _where(points: tuple[int, ...], shown: int = 4) -> str:
    """Points counted from 1 in file order, runs joined: '3-7, 12'."""
    runs: list[list[int]] = []
    for i in points:
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    parts = [f"{r[0] + 1}" if len(r) == 1 else f"{r[0] + 1}-{r[-1] + 1}" for r in runs[:shown]]
    more = ", ..." if len(runs) > shown else ""
    return f"{', '.join(parts)}{more}"
