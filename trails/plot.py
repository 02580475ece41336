"""The simulator's picture for mediators: zones, track, audio starts and ends, a lane per stop."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display on servers or CI

import matplotlib.pyplot as plt
from matplotlib.patches import Polygon as PolygonPatch

from trails.errors import invalid
from trails.geo import EARTH_RADIUS_M
from trails.simulate import Simulation, position_at
from trails.source import CircleZone, TrailSource

FORMATS = (".svg", ".png")
_COLOURS = {"narration": "#1f6fb4", "loop": "#8c5fb0", "ambience": "#4a9a5a"}


def plot_simulation(sim: Simulation, source: TrailSource, out: str | Path) -> Path:
    """Draw the map and the per-stop timeline into an SVG or PNG file."""
    target = Path(out)
    if target.suffix.lower() not in FORMATS:
        raise invalid("plot", str(target), "the plot file must end in .svg or .png")
    lat0 = sim.track.fixes[0].lat
    lon0 = sim.track.fixes[0].lon
    kx = EARTH_RADIUS_M * math.pi / 180 * math.cos(math.radians(lat0))
    ky = EARTH_RADIUS_M * math.pi / 180

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return (lon - lon0) * kx, (lat - lat0) * ky

    keys = [s.key for s in source.stops] + [a.key for a in source.ambience]
    fig, (ax_map, ax_time) = plt.subplots(
        2, 1, figsize=(9, 11), gridspec_kw={"height_ratios": [3, max(1, len(keys)) * 0.25 + 0.6]}
    )
    zones = [(s.key, s.zone, "#1f6fb4") for s in source.stops]
    zones += [(a.key, a.zone, "#4a9a5a") for a in source.ambience]
    for key, zone, colour in zones:
        if isinstance(zone, CircleZone):
            cx, cy = xy(*zone.center)
            ring = [
                (
                    cx + zone.radius_m * math.cos(a / 24 * math.pi),
                    cy + zone.radius_m * math.sin(a / 24 * math.pi),
                )
                for a in range(48)
            ]
        else:
            ring = [xy(lon, lat) for lon, lat in zone.coordinates[0]]
            cx = sum(p[0] for p in ring) / len(ring)
            cy = sum(p[1] for p in ring) / len(ring)
        ax_map.add_patch(PolygonPatch(ring, closed=True, alpha=0.15, color=colour))
        ax_map.add_patch(PolygonPatch(ring, closed=True, fill=False, color=colour, lw=1))
        ax_map.annotate(key, (cx, cy), ha="center", va="center", fontsize=8)
    if source.route:
        route = [xy(lon, lat) for lon, lat in source.route]
        ax_map.plot(*zip(*route, strict=True), color="#999999", lw=3, alpha=0.5, label="route")
    track = [xy(f.lon, f.lat) for f in sim.track.fixes]
    ax_map.plot(*zip(*track, strict=True), color="#333333", lw=1, label="track")
    for e in sim.events:
        if e.type not in ("play", "end"):
            continue
        px, py = xy(*position_at(sim.track, e.t))
        marker, colour = ("^", "#2a9d3a") if e.type == "play" else ("s", "#c0392b")
        ax_map.plot(px, py, marker=marker, color=colour, ms=6)
        ax_map.annotate(
            f"{e.stop} {e.type}", (px, py), fontsize=6, xytext=(4, 4), textcoords="offset points"
        )
    ax_map.set_aspect("equal", adjustable="datalim")
    ax_map.set_xlabel("metres east")
    ax_map.set_ylabel("metres north")
    ax_map.set_title(f"{sim.trail_slug}: {sim.track.name} (▲ audio starts, ■ audio ends)")
    ax_map.autoscale_view()

    lanes = {key: i for i, key in enumerate(keys)}
    for a in sim.audible:
        lane = lanes.get(a.stop)
        if lane is None:
            continue
        ax_time.broken_barh(
            [(a.start, max(a.end - a.start, 0.5))],
            (lane - 0.4, 0.8),
            color=_COLOURS.get(a.kind, "#777777"),
            alpha=0.9 if a.kind == "narration" else 0.5,
        )
    ax_time.set_yticks(range(len(keys)), keys, fontsize=8)
    ax_time.set_ylim(-0.6, len(keys) - 0.4)
    ax_time.invert_yaxis()
    ax_time.set_xlabel("seconds since the start of the walk")
    ax_time.set_xlim(
        0, max([sim.relative(sim.track.fixes[-1].t)] + [a.end for a in sim.audible]) + 1
    )
    ax_time.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target)
    plt.close(fig)
    return target
