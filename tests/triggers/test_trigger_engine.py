"""The engine's API: one fix at a time equals a whole track, errors, finish."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from trails.errors import DomainError, InvalidInput
from trails.triggers import EngineTrail, Fix, TriggerEngine
from trails.triggers.vectors import load_vector

VECTORS_DIR = Path(__file__).resolve().parents[2] / "docs" / "trigger-vectors"


def _trail() -> EngineTrail:
    return EngineTrail.model_validate(
        {
            "stops": [
                {
                    "key": "a",
                    "zone": {"type": "circle", "center": [4.4, 50.41], "radius_m": 20},
                    "duration_s": 5,
                }
            ]
        }
    )


@pytest.mark.parametrize(
    "name", ["x-queue-by-priority", "x-ambience-gain", "x-requires-played", "x-finish-cut"]
)
def test_feeding_one_fix_at_a_time_equals_a_whole_track(name: str) -> None:
    path = next(VECTORS_DIR.glob(f"*{name.split('-', 1)[1]}.json"))
    data = load_vector(path)
    trail = EngineTrail.model_validate(data["trail"])
    fixes = [Fix(f["t"], f["lat"], f["lon"], f["accuracy_m"]) for f in data["fixes"]]
    engine = TriggerEngine(trail)
    events = [e for fix in fixes for e in engine.feed(fix)] + engine.finish(data["finish_t"])
    assert [e.as_dict() for e in events] == data["expected"]


def test_time_going_backwards_is_refused() -> None:
    engine = TriggerEngine(_trail())
    engine.feed(Fix(10, 50.41, 4.4, 5))
    with pytest.raises(InvalidInput, match="backwards"):
        engine.feed(Fix(9.5, 50.41, 4.4, 5))


def test_bad_fix_values_are_refused() -> None:
    engine = TriggerEngine(_trail())
    with pytest.raises(InvalidInput, match="out of range"):
        engine.feed(Fix(0, 91.0, 4.4, 5))
    with pytest.raises(InvalidInput, match="negative"):
        engine.feed(Fix(0, 50.0, 4.4, -1))


@pytest.mark.parametrize(
    "fix",
    [
        Fix(math.nan, 50.41, 4.4, 5),
        Fix(math.inf, 50.41, 4.4, 5),
        Fix(0, 50.41, 4.4, math.nan),
        Fix(0, math.nan, 4.4, 5),
    ],
)
def test_a_fix_that_is_not_finite_is_refused(fix: Fix) -> None:
    engine = TriggerEngine(_trail())
    with pytest.raises(InvalidInput, match="finite"):
        engine.feed(fix)
    with pytest.raises(InvalidInput, match="finite"):
        engine.finish(math.nan)


def test_finish_closes_the_engine() -> None:
    engine = TriggerEngine(_trail())
    engine.feed(Fix(0, 50.41, 4.4, 5))
    assert [e.type for e in engine.finish(2)] == ["end"]
    with pytest.raises(DomainError):
        engine.feed(Fix(3, 50.41, 4.4, 5))


def test_narration_end_is_emitted_with_its_own_time_before_the_fix() -> None:
    engine = TriggerEngine(_trail())
    engine.feed(Fix(0, 50.41, 4.4, 5))
    events = engine.feed(Fix(100, 50.41, 4.4, 5))
    assert [(e.t, e.type, e.reason) for e in events] == [(5.0, "end", "finished")]


def test_unknown_timezone_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        EngineTrail.model_validate({"timezone": "Mars/Olympus"})


def _object(**changes: object) -> dict[str, object]:
    return {"key": "wheel", "position": [4.4, 50.41], "radius_m": 50, **changes}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"radius_m": 0}, "greater than 0"),
        ({"radius_m": 5000.5}, "less than or equal to 5000"),
        ({"ref_distance_m": 60}, "must not exceed radius_m"),
        ({"rolloff": "exponential"}, "'inverse' or 'linear'"),
        ({"facing": {"tolerance_deg": 181}}, "less than or equal to 180"),
        ({"facing": {"tolerance_deg": -1}}, "greater than or equal to 0"),
        ({"approach": {"bearing_deg": 0, "tolerance_deg": 200}}, "less than or equal to 180"),
        ({"approach": {"bearing_deg": 360, "tolerance_deg": 20}}, "less than 360"),
        ({"loop": False}, "needs duration_s"),
    ],
)
def test_bad_sound_objects_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        EngineTrail.model_validate({"objects": [_object(**changes)]})


def test_an_object_key_may_not_repeat_a_stop_key() -> None:
    with pytest.raises(ValueError, match="repeated: \\['a'\\]"):
        EngineTrail.model_validate({**_trail().model_dump(), "objects": [_object(key="a")]})


@pytest.mark.parametrize("heading", [360.0, -1.0, math.nan])
def test_a_heading_out_of_range_is_refused_and_changes_nothing(heading: float) -> None:
    engine = TriggerEngine(EngineTrail.model_validate({"objects": [_object()]}))
    with pytest.raises(InvalidInput, match="heading"):
        engine.feed(Fix(0, 50.41, 4.4, 5, heading))
    assert [e.type for e in engine.feed(Fix(0, 50.41, 4.4, 5, 0))] == ["enter", "play", "spatial"]


def test_a_stop_with_an_approach_rule_and_no_course_is_skipped() -> None:
    trail = _trail().model_dump()
    trail["stops"][0]["rules"]["approach"] = {"bearing_deg": 90, "tolerance_deg": 180}
    engine = TriggerEngine(EngineTrail.model_validate(trail))
    events = engine.feed(Fix(0, 50.41, 4.4, 5))
    assert [(e.type, e.reason) for e in events] == [("enter", None), ("skip", "approach")]
