"""Invariants of the reference engine on random trails and random walks."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from trails.triggers import EngineTrail, Event, Fix, TriggerEngine

LAT0, LON0 = 50.41, 4.40
KY = 6_371_008.8 * math.pi / 180
KX = KY * math.cos(math.radians(LAT0))


def _latlon(x: float, y: float) -> tuple[float, float]:
    return LAT0 + y / KY, LON0 + x / KX


@st.composite
def trails(draw: st.DrawFn) -> EngineTrail:
    n = draw(st.integers(1, 5))
    stops: list[dict[str, Any]] = []
    for i in range(n):
        lat, lon = _latlon(draw(st.floats(-80, 80)), draw(st.floats(-80, 80)))
        rules = {
            "replay": draw(st.sampled_from(["once", "once", "always", "loop"])),
            "cooldown_s": draw(st.sampled_from([0, 10, 60])),
            "dwell_s": draw(st.sampled_from([0, 0, 3])),
            "exit_dwell_s": draw(st.sampled_from([0, 5])),
            "priority": draw(st.integers(0, 2)),
            "interrupt": draw(st.booleans()),
            "on_exit": draw(st.sampled_from(["finish", "stop"])),
        }
        stops.append(
            {
                "key": f"s{i}",
                "zone": {
                    "type": "circle",
                    "center": [lon, lat],
                    "radius_m": draw(st.floats(10, 50)),
                },
                "rules": rules,
                "duration_s": draw(st.one_of(st.none(), st.sampled_from([2.5, 7, 20, 45]))),
            }
        )
    ambience = []
    if draw(st.booleans()):
        lat, lon = _latlon(draw(st.floats(-50, 50)), draw(st.floats(-50, 50)))
        ambience.append(
            {"key": "amb", "zone": {"type": "circle", "center": [lon, lat], "radius_m": 15}}
        )
    mode = draw(st.sampled_from(["free", "sequential"]))
    return EngineTrail.model_validate({"mode": mode, "stops": stops, "ambience": ambience})


@st.composite
def walks(draw: st.DrawFn) -> list[Fix]:
    steps = draw(st.lists(st.tuples(st.floats(-25, 25), st.floats(-25, 25)), max_size=60))
    gaps = draw(
        st.lists(
            st.sampled_from([0, 0.5, 1, 1, 2, 5, 12]), min_size=len(steps), max_size=len(steps)
        )
    )
    accs = draw(
        st.lists(st.sampled_from([3.0, 8.0, 30.0, 45.0]), min_size=len(steps), max_size=len(steps))
    )
    x = y = t = 0.0
    fixes = []
    for (dx, dy), gap, acc in zip(steps, gaps, accs, strict=True):
        x, y, t = max(-120, min(120, x + dx)), max(-120, min(120, y + dy)), t + gap
        lat, lon = _latlon(x, y)
        fixes.append(Fix(t, lat, lon, acc))
    return fixes


def _run(trail: EngineTrail, fixes: list[Fix]) -> list[Event]:
    return TriggerEngine(trail).run(fixes)


PROPERTY_SETTINGS = settings(max_examples=60, deadline=None)


@PROPERTY_SETTINGS
@given(trails(), walks())
def test_a_once_cue_never_plays_twice(trail: EngineTrail, fixes: list[Fix]) -> None:
    once = {s.key for s in trail.stops if s.rules.replay == "once"}
    plays = [e.stop for e in _run(trail, fixes) if e.type == "play" and e.stop in once]
    assert len(plays) == len(set(plays))


@PROPERTY_SETTINGS
@given(trails(), walks())
def test_no_two_narrations_are_audible_at_once(trail: EngineTrail, fixes: list[Fix]) -> None:
    narrations = {s.key for s in trail.stops if s.kind == "narration"}
    current: str | None = None
    last_t = -math.inf
    for e in _run(trail, fixes):
        assert e.t >= last_t  # events come in time order
        last_t = e.t
        if e.stop not in narrations:
            continue
        if e.type == "play":
            assert current is None, f"{e.stop} starts while {current} plays"
            current = e.stop
        elif e.type == "end":
            assert current == e.stop
            current = None
    assert current is None  # finish() leaves nothing playing


@PROPERTY_SETTINGS
@given(trails(), walks())
def test_every_play_is_preceded_by_an_enter(trail: EngineTrail, fixes: list[Fix]) -> None:
    entered: set[str] = set()
    for e in _run(trail, fixes):
        if e.type == "enter":
            entered.add(e.stop)
        elif e.type in ("play", "queue"):
            assert e.stop in entered


@PROPERTY_SETTINGS
@given(trails(), walks(), st.sampled_from([1.0, 3600.0, 1_751_371_200.0]))
def test_shifting_timestamps_keeps_the_events(
    trail: EngineTrail, fixes: list[Fix], shift: float
) -> None:
    shifted = [Fix(f.t + shift, f.lat, f.lon, f.accuracy_m) for f in fixes]
    before = _run(trail, fixes)
    after = _run(trail, shifted)
    assert [(e.type, e.stop, e.reason, e.db) for e in before] == [
        (e.type, e.stop, e.reason, e.db) for e in after
    ]
    assert [e.t_ms + round(shift * 1000) for e in before] == [e.t_ms for e in after]


@settings(max_examples=40, deadline=None)
@given(trails(), walks())
def test_one_fix_at_a_time_equals_whole_track(trail: EngineTrail, fixes: list[Fix]) -> None:
    engine = TriggerEngine(trail)
    one_by_one = [e for f in fixes for e in engine.feed(f)] + engine.finish()
    assert one_by_one == _run(trail, fixes)
