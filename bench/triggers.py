"""Trigger engine benchmark: speed on many zones, robustness to GPS noise against a naive engine.

Run from the repository root: ``.venv/bin/python bench/triggers.py`` (``--quick`` for fewer
walks). See bench/README.md for what is measured and the figures of the last run.
"""

from __future__ import annotations

import json
import math
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import itertools

from bench.common import Baseline, Result, standalone
from trails.geo import haversine_m
from trails.triggers import EngineStop, EngineTrail, Event, Fix, TriggerEngine
from trails.triggers.model import EngineObject

ROOT = Path(__file__).resolve().parents[1]
N_OBJECTS = 50

LAT0, LON0 = 50.41, 4.40
M_PER_DEG_LAT = 6_371_008.8 * math.pi / 180
M_PER_DEG_LON = M_PER_DEG_LAT * math.cos(math.radians(LAT0))
WALK_SPEED = 1.2
NARRATION_S = 20.0


def to_latlon(x: float, y: float) -> tuple[float, float]:
    return LAT0 + y / M_PER_DEG_LAT, LON0 + x / M_PER_DEG_LON


def circle_stop(key: str, x: float, y: float, radius: float) -> EngineStop:
    lat, lon = to_latlon(x, y)
    return EngineStop.model_validate(
        {
            "key": key,
            "zone": {"type": "circle", "center": [lon, lat], "radius_m": radius},
            "duration_s": NARRATION_S,
        }
    )


# -- speed -------------------------------------------------------------------------------------


def bench_speed(
    n_zones: int = 1000, n_fixes: int = 10_000, repeats: int = 5, n_objects: int = 0
) -> dict[str, float]:
    rng = np.random.default_rng(1)
    side = 5000.0  # 1,000 zones over 5 km x 5 km, about one every 160 m
    stops = []
    for i in range(n_zones):
        x, y = (float(v) for v in rng.uniform(0, side, 2))
        stops.append(circle_stop(f"z{i}", x, y, float(rng.uniform(15, 50))))
    # Sound objects on the same ground (their own generator, so the zones and walk stay the
    # same as without them): 50 to 300 m of audible radius, each heard for minutes.
    objects_rng = np.random.default_rng(2)
    objects = []
    for i in range(n_objects):
        x, y = (float(v) for v in objects_rng.uniform(0, side, 2))
        lat, lon = to_latlon(x, y)
        radius = float(objects_rng.uniform(50, 300))
        objects.append(EngineObject(key=f"o{i}", position=(lon, lat), radius_m=radius))
    trail = EngineTrail(stops=stops, objects=objects)
    # A 1 Hz walk meandering across the area (about 12 km).
    heading, x, y = 0.0, side / 2, side / 2
    fixes = []
    for k in range(n_fixes):
        heading += float(rng.normal(0, 0.1))
        x = min(side, max(0.0, x + WALK_SPEED * math.cos(heading)))
        y = min(side, max(0.0, y + WALK_SPEED * math.sin(heading)))
        lat, lon = to_latlon(x, y)
        fixes.append(Fix(float(k), lat, lon, 5.0))
    timings: dict[str, list[float]] = {"one_at_a_time": [], "whole_track": [], "build": []}
    events = 0
    for _ in range(repeats):
        start = time.perf_counter()
        engine = TriggerEngine(trail)
        timings["build"].append(time.perf_counter() - start)
        start = time.perf_counter()
        for fix in fixes:
            events += len(engine.feed(fix))
        engine.finish()
        timings["one_at_a_time"].append(time.perf_counter() - start)
        engine = TriggerEngine(trail)
        start = time.perf_counter()
        engine.run(fixes)
        timings["whole_track"].append(time.perf_counter() - start)
    return {name: min(values) for name, values in timings.items()} | {"events": events / repeats}


# -- robustness --------------------------------------------------------------------------------


class NaiveEngine:
    """Inside the radius means playing: no hysteresis, no accuracy gating, no dwell."""

    def __init__(self, trail: EngineTrail) -> None:
        self.zones = [(s.key, s.zone.center, s.zone.radius_m) for s in trail.stops]  # type: ignore[union-attr]
        self.inside: set[str] = set()

    def feed(self, fix: Fix) -> list[Event]:
        events = []
        t_ms = round(fix.t * 1000)
        for key, (lon, lat), radius in self.zones:
            now = haversine_m(lat, lon, fix.lat, fix.lon) <= radius
            if now and key not in self.inside:
                self.inside.add(key)
                events += [Event(t_ms, "enter", key), Event(t_ms, "play", key)]
            elif not now and key in self.inside:
                self.inside.discard(key)
                events.append(Event(t_ms, "exit", key))
        return events


@dataclass
class Walk:
    trail: EngineTrail
    truth: list[tuple[float, float, float]]  # t, x, y
    zones: list[tuple[str, float, float, float]]  # key, x, y, radius


def synthetic_walk(seed: int, n_zones: int = 20) -> Walk:
    """A walk through ``n_zones`` circles (radius 15-50 m) set 150-250 m apart.

    The path crosses each zone through a point up to half a radius off its centre.
    """
    rng = np.random.default_rng(seed)
    zones, waypoints = [], [(0.0, 0.0)]
    x = y = 0.0
    heading = 0.0
    for i in range(n_zones):
        heading += float(rng.uniform(-0.8, 0.8))
        step = float(rng.uniform(150, 250))
        x, y = x + step * math.cos(heading), y + step * math.sin(heading)
        radius = float(rng.uniform(15, 50))
        zones.append((f"z{i:02d}", x, y, radius))
        off = float(rng.uniform(-0.5, 0.5)) * radius
        waypoints.append((x - off * math.sin(heading), y + off * math.cos(heading)))
    waypoints.append((x + 150 * math.cos(heading), y + 150 * math.sin(heading)))
    truth, t = [], 0.0
    for (x1, y1), (x2, y2) in itertools.pairwise(waypoints):
        length = math.hypot(x2 - x1, y2 - y1)
        steps = max(1, int(length / WALK_SPEED))
        for k in range(steps):
            share = k / steps
            truth.append((t, x1 + share * (x2 - x1), y1 + share * (y2 - y1)))
            t += length / steps / WALK_SPEED
    trail = EngineTrail(stops=[circle_stop(k, zx, zy, r) for k, zx, zy, r in zones])
    return Walk(trail, truth, zones)


def noisy_fixes(walk: Walk, sigma: float, seed: int) -> list[Fix]:
    """One fix a second, Gaussian noise of ``sigma`` per axis; accuracy is its 68% radius."""
    rng = np.random.default_rng(seed)
    accuracy = max(3.0, 1.51 * sigma)
    fixes = []
    for t, x, y in walk.truth:
        dx, dy = rng.normal(0, sigma, 2) if sigma > 0 else (0.0, 0.0)
        lat, lon = to_latlon(x + float(dx), y + float(dy))
        fixes.append(Fix(t, lat, lon, accuracy))
    return fixes


def score(walk: Walk, events: list[Event]) -> tuple[int, int, list[float]]:
    """Missed intended triggers, spurious exit/re-enter pairs, trigger delays (s)."""
    enters: dict[str, list[float]] = {}
    plays: set[str] = set()
    for e in events:
        if e.type == "enter":
            enters.setdefault(e.stop, []).append(e.t)
        elif e.type == "play":
            plays.add(e.stop)
    missed = sum(1 for key, *_ in walk.zones if key not in plays)
    spurious = sum(max(0, len(v) - 1) for v in enters.values())
    delays = []
    for key, zx, zy, r in walk.zones:
        true_entry = next(t for t, x, y in walk.truth if math.hypot(x - zx, y - zy) <= r)
        if key in enters:
            delays.append(enters[key][0] - true_entry)
    return missed, spurious, delays


def bench_robustness(walks: int, sigmas: tuple[float, ...]) -> list[dict[str, float | str]]:
    rows: list[dict[str, float | str]] = []
    for name in ("reference", "naive"):
        for sigma in sigmas:
            missed = spurious = visits = 0
            delays: list[float] = []
            for seed in range(walks):
                walk = synthetic_walk(seed)
                fixes = noisy_fixes(walk, sigma, seed=1000 + seed)
                if name == "reference":
                    events = TriggerEngine(walk.trail).run(fixes)
                else:
                    naive = NaiveEngine(walk.trail)
                    events = [e for f in fixes for e in naive.feed(f)]
                m, s, d = score(walk, events)
                missed += m
                spurious += s
                visits += len(walk.zones)
                delays += d
            rows.append(
                {
                    "engine": name,
                    "noise_m": sigma,
                    "visits": visits,
                    "missed": missed,
                    "spurious_per_visit": spurious / visits,
                    "median_enter_delay_s": statistics.median(delays) if delays else math.nan,
                }
            )
    return rows


NAIVE_SPEED_FIXES = 1000


def bench_naive_speed(n_fixes: int, n_zones: int = 1000) -> float:
    """Seconds the naive engine takes on the speed walk, scaled up to 10,000 fixes.

    It checks every zone on every fix in Python (10 million distances for the whole walk), so
    it runs on the first ``n_fixes`` and is extrapolated linearly, which is exact for it.
    """
    rng = np.random.default_rng(1)
    side = 5000.0
    stops = []
    for i in range(n_zones):
        x, y = (float(v) for v in rng.uniform(0, side, 2))
        stops.append(circle_stop(f"z{i}", x, y, float(rng.uniform(15, 50))))
    naive = NaiveEngine(EngineTrail(stops=stops))
    fixes = [Fix(float(k), *to_latlon(side / 2 + k, side / 2), 5.0) for k in range(n_fixes)]
    start = time.perf_counter()
    for fix in fixes:
        naive.feed(fix)
    return (time.perf_counter() - start) * 10_000 / n_fixes


def bench_js_spatial(n_fixes: int) -> dict[str, float] | None:
    """The JavaScript engine's time per fix with 50 audible objects (bench/spatial.mjs)."""
    node = shutil.which("node")
    if node is None:
        return None
    out = subprocess.run(
        [node, str(ROOT / "bench" / "spatial.mjs"), str(n_fixes)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    data = json.loads(out.stdout)
    return {"objects_ms": data["withObjects"]["ms"], "layers_ms": data["withLayers"]["ms"]}


def spatial_results(quick: bool, speed: dict[str, float]) -> list[Result]:
    """Sound objects: the big walk with 50 objects added, and the JS per-fix update."""
    spatial = bench_speed(repeats=2 if quick else 5, n_objects=N_OBJECTS)
    best = min(spatial["one_at_a_time"], spatial["whole_track"])
    walk = f"10,000 fixes x 1,000 zones + {N_OBJECTS} sound objects"
    without = "same walk without objects"
    results = [
        Result(
            "triggers", f"{walk}, one fix at a time", "s", spatial["one_at_a_time"],
            Baseline(without, speed["one_at_a_time"]),
            goal="<= 0.2 s (either way of feeding)", met=best <= 0.2,
        ),
        Result(
            "triggers", f"{walk}, whole track", "s", spatial["whole_track"],
            Baseline(without, speed["whole_track"]),
            goal="<= 0.2 s (either way of feeding)", met=best <= 0.2,
        ),
    ]  # fmt: skip
    js = bench_js_spatial(2000 if quick else 20_000)
    if js is not None:
        results.append(
            Result(
                "triggers", f"JS spatial update, {N_OBJECTS} audible objects, per fix", "ms",
                js["objects_ms"], Baseline(f"{N_OBJECTS} ambient layers", js["layers_ms"]),
                goal="< 2 ms", met=js["objects_ms"] < 2,
            )
        )  # fmt: skip
    return results


def run(quick: bool = False) -> list[Result]:
    """Speed and robustness rows, each beside the naive engine."""
    speed = bench_speed(repeats=2 if quick else 5)
    naive_s = bench_naive_speed(200 if quick else NAIVE_SPEED_FIXES)
    best = min(speed["one_at_a_time"], speed["whole_track"])
    results = [
        Result(
            "triggers", "10,000 fixes x 1,000 zones, one fix at a time", "s",
            speed["one_at_a_time"], Baseline("naive engine (extrapolated)", naive_s),
            goal="<= 0.2 s (either way of feeding)", met=best <= 0.2,
        ),
        Result(
            "triggers", "10,000 fixes x 1,000 zones, whole track", "s",
            speed["whole_track"], Baseline("naive engine (extrapolated)", naive_s),
            goal="<= 0.2 s (either way of feeding)", met=best <= 0.2,
        ),
    ]  # fmt: skip
    results += spatial_results(quick, speed)
    walks = 10 if quick else 50
    rows = bench_robustness(walks, (5.0, 10.0, 15.0))
    naive = {r["noise_m"]: r for r in rows if r["engine"] == "naive"}
    for r in rows:
        if r["engine"] != "reference":
            continue
        sigma = float(r["noise_m"])
        n = naive[sigma]
        visits = int(r["visits"])
        at_10 = sigma == 10.0
        extra = {"visits": visits, "median_enter_delay_s": r["median_enter_delay_s"]}
        results += [
            Result(
                "triggers", f"missed triggers per visit, {sigma:g} m noise", "/visit",
                float(r["missed"]) / visits,
                Baseline("naive engine", float(n["missed"]) / visits),
                goal="0 at 10 m" if at_10 else None,
                met=(r["missed"] == 0) if at_10 else None, extra=extra,
            ),
            Result(
                "triggers", f"spurious exit/re-enter per visit, {sigma:g} m noise", "/visit",
                float(r["spurious_per_visit"]),
                Baseline("naive engine", float(n["spurious_per_visit"])),
                goal="<= 0.02 at 10 m" if at_10 else None,
                met=float(r["spurious_per_visit"]) <= 0.02 if at_10 else None, extra=extra,
            ),
        ]  # fmt: skip
    return results


def main() -> int:
    return standalone(run, __doc__, quick="fewer walks, fewer repeats")


if __name__ == "__main__":
    sys.exit(main())
