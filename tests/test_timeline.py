"""The timeline repair: consistent times kept, faulty or missing ones re-timed and reported."""

from __future__ import annotations

import pytest

from trails.geo import haversine_m
from trails.timeline import clock_range, timeline

T0 = 1_751_371_200.0  # 2025-07-01T12:00:00Z
NOW = T0 + 3600
LAT = 50.41
STEP_DEG = 0.0001  # about 7.1 m of longitude at this latitude


def _east(n: int) -> list[tuple[float, float]]:
    return [(LAT, 4.40 + k * STEP_DEG) for k in range(n)]


STEP_M = haversine_m(LAT, 4.40, LAT, 4.40 + STEP_DEG)


def _walk(n: int, pace_s: float = 5.0) -> list[float | None]:
    """Times of a steady walk: one point every ``pace_s`` seconds from T0."""
    return [T0 + k * pace_s for k in range(n)]


def test_consistent_times_are_kept_exactly() -> None:
    times = _walk(10)
    line = timeline(_east(10), times, 1.2, clock_range(NOW))
    assert line.times == times
    assert line.timed and line.repairs == []


def test_equal_times_a_few_metres_apart_are_consistent() -> None:
    times = [T0, T0, T0 + 5, T0 + 10]
    line = timeline(_east(4), times, 1.2, clock_range(NOW))
    assert line.times == times and line.repairs == []


def test_a_stuck_clock_is_re_timed_beyond_gps_wander() -> None:
    # The clock repeats T0 while the walker goes on 28 m; it catches up at the sixth point.
    times: list[float | None] = [T0] * 5 + [T0 + 30]
    line = timeline(_east(6), times, 1.2, clock_range(NOW))
    assert line.times[:3] == [T0, T0, T0]  # within 20 m of the first: GPS wander
    assert line.times[3:] == pytest.approx([T0 + 10, T0 + 20, T0 + 30])
    [repair] = line.repairs
    assert repair.kind == "inconsistent" and repair.points == (3, 4)


def test_missing_times_between_good_ones_follow_the_pace_that_joins_them() -> None:
    times = _walk(10)
    holes: list[float | None] = [None if 3 <= k <= 6 else t for k, t in enumerate(times)]
    line = timeline(_east(10), holes, 1.2, clock_range(NOW))
    assert line.times == pytest.approx(times)
    [repair] = line.repairs
    assert repair.kind == "untimed" and repair.points == (3, 4, 5, 6)
    assert repair.message == "4 of 10 points had no time (points 4-7): filled in"


def test_missing_times_at_the_ends_are_walked_at_speed() -> None:
    times: list[float | None] = [None, None, T0, T0 + 5, None]
    line = timeline(_east(5), times, 2.0, clock_range(NOW))
    assert line.times[2:4] == [T0, T0 + 5]
    assert line.times[0] == pytest.approx(T0 - 2 * STEP_M / 2.0)
    assert line.times[1] == pytest.approx(T0 - STEP_M / 2.0)
    assert line.times[4] == pytest.approx(T0 + 5 + STEP_M / 2.0)
    assert "points 1-2, 5" in line.repairs[0].message


def test_a_backwards_glitch_is_re_timed_and_the_rest_kept() -> None:
    times = _walk(10)
    glitched = list(times)
    glitched[4] = T0 - 300  # the clock jumped five minutes back for one fix
    line = timeline(_east(10), glitched, 1.2, clock_range(NOW))
    assert line.times == pytest.approx(times)
    [repair] = line.repairs
    assert repair.kind == "inconsistent" and repair.points == (4,)
    assert "went backwards or implied moving faster than 50 km/h (point 5)" in repair.message


def test_a_forward_jump_is_too_fast_not_a_reason_to_drop_the_rest() -> None:
    # The first fix is stamped an hour late: keeping it would throw away every later time.
    times = _walk(8)
    glitched = list(times)
    glitched[0] = T0 + 3600
    line = timeline(_east(8), glitched, 1.2, clock_range(NOW + 7200))
    assert line.times[1:] == times[1:]
    assert line.times[0] == pytest.approx(T0 + 5 - STEP_M / 1.2)
    assert [r.kind for r in line.repairs] == ["inconsistent"]


def test_a_1901_placeholder_is_re_timed_at_walking_speed() -> None:
    times = _walk(6)
    sentinel = list(times)
    sentinel[0] = -2_177_452_800.0  # 1901-01-01T00:00:00Z
    line = timeline(_east(6), sentinel, 1.2, clock_range(NOW))
    assert line.times[1:] == times[1:]
    assert line.times[0] == pytest.approx(T0 + 5 - STEP_M / 1.2)
    [repair] = line.repairs
    assert repair.kind == "placeholder" and repair.points == (0,)
    assert "placeholder time, before 1971 or in the future (point 1)" in repair.message


def test_future_times_are_placeholders() -> None:
    times = _walk(4)
    line = timeline(_east(4), [*times[:3], NOW + 10 * 86_400], 1.2, clock_range(NOW))
    assert [r.kind for r in line.repairs] == ["placeholder"]
    assert line.times[3] == pytest.approx(times[2] + STEP_M / 1.2)  # type: ignore[operator]


def test_no_usable_time_at_all_walks_at_speed_and_says_so() -> None:
    line = timeline(_east(3), [0.0, 0.0, 0.0], 1.2, clock_range(NOW))  # all 1970-01-01
    assert not line.timed
    assert line.times == pytest.approx([0, STEP_M / 1.2, 2 * STEP_M / 1.2])
    assert [r.kind for r in line.repairs] == ["placeholder", "no_usable_time"]
    assert line.repairs[1].message == "no point has a usable time: the walk is timed at 1.2 m/s"


def test_an_untimed_route_is_not_a_repair() -> None:
    line = timeline(_east(3), [None, None, None], 1.2, clock_range(NOW))
    assert not line.timed and line.repairs == []


def test_relative_seconds_are_not_placeholders() -> None:
    line = timeline(_east(3), [0.0, 5.0, 10.0], 1.2)
    assert line.times == [0.0, 5.0, 10.0] and line.repairs == []


def test_a_long_recording_with_many_glitches_keeps_every_good_time() -> None:
    # A long recording with a glitch every 50 points still keeps every good time.
    n = 5000
    times = _walk(n, 1.0)
    glitched = [T0 - 1000 if k % 50 == 25 else t for k, t in enumerate(times)]
    positions = [(LAT, 4.40 + k * 0.00001) for k in range(n)]
    line = timeline(positions, glitched, 1.2, clock_range(NOW + 86_400))
    assert line.times == pytest.approx(times)
    assert len(line.repairs[0].points) == n // 50
    assert line.repairs[0].message.endswith(", ...): re-timed")
