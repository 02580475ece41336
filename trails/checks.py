"""Authoring checks: what in a trail will sound wrong on the ground, before anyone walks it."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from trails.errors import InvalidInput
from trails.geo import EARTH_RADIUS_M
from trails.messages import msg
from trails.source import SOURCE_FILE, CircleZone, LoadedSource, Stop, TrailSource, load_source
from trails.tracks import DEFAULT_SPEED_M_S
from trails.triggers.conditions import in_window
from trails.vocabulary import TrailMode

Severity = Literal["error", "warning", "info"]

# Typical phone GPS error: a zone smaller than this fires late or not at all.
MIN_ZONE_RADIUS_M = 15.0
# A zone wider than this reaches the next street over in a town centre.
MAX_ZONE_RADIUS_M = 60.0
# How far a stop's zone may lie from the route line before it is off the walk.
ROUTE_CORRIDOR_M = 30.0


@dataclass(frozen=True)
class CheckItem:
    """One finding: how bad, which stop (if any), a stable code and a sentence for people."""

    severity: Severity
    stop: str | None
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "severity": self.severity,
            "stop": self.stop,
            "code": self.code,
            "message": self.message,
        }


class _Plane:
    """A local metric plane around the trail, good to a few metres over a few kilometres."""

    def __init__(self, lat0: float, lon0: float) -> None:
        self.lat0, self.lon0 = lat0, lon0
        self.kx = EARTH_RADIUS_M * math.pi / 180 * math.cos(math.radians(lat0))
        self.ky = EARTH_RADIUS_M * math.pi / 180

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.lon0) * self.kx, (lat - self.lat0) * self.ky

    def zone(self, stop: Stop) -> BaseGeometry:
        if isinstance(stop.zone, CircleZone):
            return Point(self.xy(*stop.zone.center)).buffer(stop.zone.radius_m, 32)
        rings = [[self.xy(lon, lat) for lon, lat in ring] for ring in stop.zone.coordinates]
        return Polygon(rings[0], rings[1:])


def _plane_for(trail: TrailSource) -> _Plane:
    first = trail.stops[0].zone
    lon, lat = first.center if isinstance(first, CircleZone) else first.coordinates[0][0]
    return _Plane(lat, lon)


def _equivalent_radius(stop: Stop, geometry: BaseGeometry) -> float:
    if isinstance(stop.zone, CircleZone):
        return stop.zone.radius_m
    return math.sqrt(geometry.area / math.pi)


def check_trail(
    trail: TrailSource,
    durations: Mapping[str, Mapping[str, float]] | None = None,
    speed_m_s: float = DEFAULT_SPEED_M_S,
    silent: Collection[str] | None = None,
) -> list[CheckItem]:
    """Every check on a trail; ``durations`` gives seconds by stop key, then language.

    ``silent`` names the stops meant to have no audio; a stop without a story that it does
    not name is an error. ``None`` (a source folder) takes every stop without a story as
    meant: a source has no way to name a story without its audio.
    """
    plane = _plane_for(trail)
    shapes = {s.key: plane.zone(s) for s in trail.stops}
    items: list[CheckItem] = []
    if silent is not None:
        items += _check_audio(trail, silent)
    items += _check_walk_time(trail, shapes, durations or {}, speed_m_s)
    items += _check_zones(trail, shapes)
    items += _check_conditions(trail)
    items += _check_languages(trail)
    items += _check_route(trail, plane, shapes)
    items += _check_windows(trail)
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(items, key=lambda i: (order[i.severity], i.stop or "", i.code))


def _check_audio(trail: TrailSource, silent: Collection[str]) -> list[CheckItem]:
    return [
        CheckItem(
            "error",
            stop.key,
            "no-audio",
            msg(
                "this stop has no audio, so visitors would hear nothing there; place a story "
                "with a recording on it, or mark it silent on purpose"
            ),
        )
        for stop in trail.stops
        if stop.story is None and stop.key not in silent
    ]


def _narrations(trail: TrailSource) -> list[Stop]:
    return [s for s in trail.stops if s.story is not None and s.rules.replay != "loop"]


def _walk_order(trail: TrailSource, shapes: Mapping[str, BaseGeometry]) -> list[tuple[Stop, Stop]]:
    """Pairs (stop, next stop) as a visitor would walk them."""
    stops = _narrations(trail)
    if trail.mode == TrailMode.sequential:
        return list(itertools.pairwise(stops))
    if trail.route:
        plane = _plane_for(trail)
        line = LineString([plane.xy(lon, lat) for lon, lat in trail.route])
        ordered = sorted(stops, key=lambda s: line.project(shapes[s.key].centroid))
        return list(itertools.pairwise(ordered))
    # Free roaming without a route: the nearest other stop is the soonest one could arrive.
    pairs = []
    for stop in stops:
        others = [o for o in stops if o.key != stop.key]
        if others:
            nearest = min(others, key=lambda o: shapes[stop.key].distance(shapes[o.key]))
            pairs.append((stop, nearest))
    return pairs


def _check_walk_time(
    trail: TrailSource,
    shapes: Mapping[str, BaseGeometry],
    durations: Mapping[str, Mapping[str, float]],
    speed_m_s: float,
) -> list[CheckItem]:
    items = []
    for stop, following in _walk_order(trail, shapes):
        by_language = durations.get(stop.key)
        if not by_language:
            continue
        language, longest = max(by_language.items(), key=lambda kv: kv[1])
        distance = shapes[stop.key].distance(shapes[following.key])
        walk_s = distance / speed_m_s
        if longest > walk_s:
            items.append(
                CheckItem(
                    "warning",
                    stop.key,
                    "narration-longer-than-walk",
                    msg(
                        "the {language} narration lasts {lasts} s but the walk to "
                        "'{next}' ({distance} m at {speed} m/s) takes {walk} s: "
                        "{excess} s too long; shorten the recording or move the stops apart",
                        language=language,
                        lasts=round(longest),
                        next=following.key,
                        distance=round(distance),
                        speed=speed_m_s,
                        walk=round(walk_s),
                        excess=round(longest - walk_s),
                    ),
                )
            )
    return items


def _check_zones(trail: TrailSource, shapes: Mapping[str, BaseGeometry]) -> list[CheckItem]:
    items = []
    for stop in trail.stops:
        radius = _equivalent_radius(stop, shapes[stop.key])
        if radius < MIN_ZONE_RADIUS_M:
            items.append(
                CheckItem(
                    "warning",
                    stop.key,
                    "zone-too-small",
                    msg(
                        "the zone is about {radius} m across its radius, less than typical "
                        "GPS error ({limit} m): it may fire late or never; make the zone larger",
                        radius=round(radius),
                        limit=MIN_ZONE_RADIUS_M,
                    ),
                )
            )
        elif radius > MAX_ZONE_RADIUS_M:
            items.append(
                CheckItem(
                    "warning",
                    stop.key,
                    "zone-too-large",
                    msg(
                        "the zone reaches about {radius} m from its centre (over "
                        "{limit} m): it may fire from a parallel street; make the zone smaller",
                        radius=round(radius),
                        limit=MAX_ZONE_RADIUS_M,
                    ),
                )
            )
    narrations = _narrations(trail)
    for i, a in enumerate(narrations):
        for b in narrations[i + 1 :]:
            overlap = shapes[a.key].intersection(shapes[b.key]).area
            if overlap > 1.0:
                items.append(
                    CheckItem(
                        "warning",
                        a.key,
                        "zones-overlap",
                        msg(
                            "the zone overlaps the zone of '{other}' ({area} m²): "
                            "both narrations trigger together and one waits; move the zones apart "
                            "or make them smaller",
                            other=b.key,
                            area=round(overlap),
                        ),
                    )
                )
    return items


def _check_conditions(trail: TrailSource) -> list[CheckItem]:
    items = []
    keys = {s.key for s in trail.stops}
    layers = {layer.key for layer in trail.ambience}
    objects = {obj.key for obj in trail.objects}
    audible = {s.key for s in trail.stops if s.story is not None}
    owners = [(s.key, s.rules.requires) for s in trail.stops]
    owners += [(o.key, o.requires) for o in trail.objects]
    for owner, req in owners:
        for cond in req.conditions if req else []:
            if cond.stop not in keys:
                # A layer or an object is never triggered nor played (trigger semantics 7.5,
                # 14.1): naming one is a mistake the engine would read as "never played".
                if cond.stop in layers:
                    text = msg(
                        "requires stop '{stop}', which is an ambient layer, not a stop: "
                        "conditions can only name stops; choose a stop in the condition",
                        stop=cond.stop,
                    )
                elif cond.stop in objects:
                    text = msg(
                        "requires stop '{stop}', which is a sound object, not a stop: "
                        "conditions can only name stops; choose a stop in the condition",
                        stop=cond.stop,
                    )
                else:
                    text = msg(
                        "requires stop '{stop}', which is not in the trail; choose an existing "
                        "stop or remove the condition",
                        stop=cond.stop,
                    )
                items.append(CheckItem("error", owner, "requires-missing-stop", text))
            elif cond.state == "played" and cond.stop not in audible:
                items.append(
                    CheckItem(
                        "error",
                        owner,
                        "requires-silent-stop",
                        msg(
                            "requires '{stop}' played, but that stop has no audio; "
                            "use state 'triggered'",
                            stop=cond.stop,
                        ),
                    )
                )
    reachable = _reachable(trail, audible)
    cycles = _cycles(trail)
    for stop in trail.stops:
        if stop.key in reachable:
            continue
        if stop.key in cycles:
            text = msg(
                "this stop can never trigger: its conditions form a cycle ({cycle}); remove "
                "one of these conditions",
                cycle=" -> ".join(cycles[stop.key]),
            )
        else:
            text = msg(
                "this stop can never trigger: its conditions depend on stops that can never "
                "trigger or contradict each other; change or remove its conditions"
            )
        items.append(CheckItem("error", stop.key, "condition-never-met", text))
    return items


def _reachable(trail: TrailSource, audible: set[str]) -> set[str]:
    """Stops that some walk can trigger, found by growing the set until it is stable."""
    reachable: set[str] = set()
    changed = True
    while changed:
        changed = False
        for i, stop in enumerate(trail.stops):
            if stop.key in reachable:
                continue
            if (
                trail.mode == TrailMode.sequential
                and i > 0
                and trail.stops[i - 1].key not in reachable
            ):
                continue
            if _satisfiable(stop, reachable, audible):
                reachable.add(stop.key)
                changed = True
    return reachable


def _satisfiable(stop: Stop, reachable: set[str], audible: set[str]) -> bool:
    req = stop.rules.requires
    if req is None:
        return True
    results = []
    for cond in req.conditions:
        if cond.state == "not_played":
            results.append(True)  # never playing a stop is always possible
        elif cond.state == "played":
            results.append(cond.stop in reachable and cond.stop in audible)
        else:
            results.append(cond.stop in reachable)
    if req.mode == "any":
        return any(results)
    played = {c.stop for c in req.conditions if c.state in ("played", "triggered")}
    not_played = {c.stop for c in req.conditions if c.state == "not_played"}
    if played & not_played:
        return False  # "played" and "not played" of the same stop at once
    return all(results)


def _cycles(trail: TrailSource) -> dict[str, list[str]]:
    """For each stop on a cycle of positive requirements, the cycle as a list of keys."""
    graph = {
        s.key: [
            c.stop
            for c in (s.rules.requires.conditions if s.rules.requires else [])
            if c.state != "not_played"
        ]
        for s in trail.stops
    }
    found: dict[str, list[str]] = {}

    def visit(node: str, path: list[str]) -> None:
        for nxt in graph.get(node, []):
            if nxt in path:
                cycle = [*path[path.index(nxt) :], nxt]
                for key in cycle:
                    found.setdefault(key, cycle)
            elif nxt in graph and nxt not in found:
                visit(nxt, [*path, nxt])

    for key in graph:
        visit(key, [key])
    return found


def _check_languages(trail: TrailSource) -> list[CheckItem]:
    items = []
    for stop in trail.stops:
        if stop.story is None:
            continue
        for language in trail.languages:
            version = stop.story.versions.get(language)
            if version is None:
                items.append(
                    CheckItem(
                        "warning",
                        stop.key,
                        "missing-language",
                        msg(
                            "no {language} version, though the trail is offered in {language}; "
                            "add a {language} recording to its story",
                            language=language,
                        ),
                    )
                )
            elif version.transcript is None:
                items.append(
                    CheckItem(
                        "warning",
                        stop.key,
                        "missing-transcript",
                        msg(
                            "the {language} version has no transcript (needed for deaf and "
                            "hard-of-hearing visitors); add one in the story",
                            language=language,
                        ),
                    )
                )
    return items


def _check_route(
    trail: TrailSource, plane: _Plane, shapes: Mapping[str, BaseGeometry]
) -> list[CheckItem]:
    if not trail.route:
        return []
    line = LineString([plane.xy(lon, lat) for lon, lat in trail.route])
    items = []
    for stop in trail.stops:
        gap = shapes[stop.key].distance(line)
        if gap > ROUTE_CORRIDOR_M:
            items.append(
                CheckItem(
                    "warning",
                    stop.key,
                    "off-route",
                    msg(
                        "the zone lies {gap} m from the route (corridor {corridor} m): "
                        "visitors following the route will not reach it; move the zone "
                        "closer to the route",
                        gap=round(gap),
                        corridor=ROUTE_CORRIDOR_M,
                    ),
                )
            )
    return items


def _check_windows(trail: TrailSource) -> list[CheckItem]:
    items = []
    if trail.valid_from and trail.valid_until and trail.valid_until <= trail.valid_from:
        items.append(
            CheckItem(
                "error",
                None,
                "validity-window-reversed",
                msg(
                    "the trail's validity ends ({end}) before it starts ({start}); correct "
                    "the dates",
                    end=trail.valid_until.isoformat(),
                    start=trail.valid_from.isoformat(),
                ),
            )
        )
    for stop in trail.stops:
        for window in stop.rules.time_windows:
            if window.start == window.end or not any(
                in_window(window, s) for s in range(0, 86400, 60)
            ):
                items.append(
                    CheckItem(
                        "error",
                        stop.key,
                        "empty-time-window",
                        msg(
                            "the time window {start}-{end} is empty; correct or remove it",
                            start=window.start,
                            end=window.end,
                        ),
                    )
                )
    return items


def check_source(
    loaded: LoadedSource,
    probe: Callable[[Path], float] | None = None,
    speed_m_s: float = DEFAULT_SPEED_M_S,
) -> list[CheckItem]:
    """Checks of a loaded source folder, measuring audio with ``probe`` when given."""
    durations: dict[str, dict[str, float]] = {}
    items: list[CheckItem] = []
    if probe is not None:
        for stop in loaded.trail.stops:
            for language, version in stop.story.versions.items() if stop.story else []:
                try:
                    durations.setdefault(stop.key, {})[language] = probe(
                        loaded.media_file(version.audio)
                    )
                except InvalidInput as exc:
                    items.append(CheckItem("error", stop.key, "unreadable-audio", exc.detail))
    return check_trail(loaded.trail, durations, speed_m_s) + items


def check_folder(
    folder: str | Path,
    probe: Callable[[Path], float] | None = None,
    speed_m_s: float = DEFAULT_SPEED_M_S,
) -> list[CheckItem]:
    """Checks of a source folder; a folder that does not load gives its errors as items."""
    try:
        loaded = load_source(folder)
    except InvalidInput as exc:
        return _load_errors(Path(folder), exc)
    return check_source(loaded, probe, speed_m_s)


def _load_errors(folder: Path, exc: InvalidInput) -> list[CheckItem]:
    items = []
    raw = _raw_yaml(folder)
    stops = raw.get("stops") if isinstance(raw, dict) else None
    reversed_window = False
    if isinstance(raw, dict):
        start, end = raw.get("valid_from"), raw.get("valid_until")
        try:
            reversed_window = bool(start and end and end <= start)
        except TypeError:
            reversed_window = False
    for error in exc.errors:
        if reversed_window and "valid_until" in error.message:
            items.append(
                CheckItem(
                    "error",
                    None,
                    "validity-window-reversed",
                    msg(
                        "the trail's validity ends ({end}) before it starts ({start}); correct "
                        "the dates",
                        end=raw["valid_until"],
                        start=raw["valid_from"],
                    ),
                )
            )
            continue
        stop = None
        parts = error.field.split(".")
        if (
            len(parts) > 1
            and parts[0] == "stops"
            and parts[1].isdigit()
            and isinstance(stops, list)
        ):
            index = int(parts[1])
            if index < len(stops) and isinstance(stops[index], dict):
                stop = stops[index].get("key")
        # Not str(error): that is English; a message keeps its words for each language.
        found = msg(
            "{field}: {message}; correct the trail's source",
            field=error.field,
            message=error.message,
        )
        items.append(CheckItem("error", stop, "invalid-source", found))
    return items


def _raw_yaml(folder: Path) -> Any:
    try:
        return yaml.safe_load((folder / SOURCE_FILE).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, ValueError, AttributeError, RecursionError):
        # Unreadable, a bad date or tag, or too deeply nested: read_yaml says which.
        return None
