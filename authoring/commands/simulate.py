"""``baladeur simulate``: walk a track through a trail and report what would be heard."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from authoring.output import console, emit_json, show, warn
from media.probe_duration import probe_duration
from media.render.mix import ENCODINGS
from media.render.walk import decode_sounds, durations_of, render_walk, sound_files
from trails.errors import invalid
from trails.messages import msg, nmsg
from trails.simulate import simulate as run_simulation
from trails.tracks import DEFAULT_SPEED_M_S, add_noise, read_track, resample
from trails.trail_input import open_trail
from trails.triggers.from_source import engine_trail, probe_stop_durations


def simulate(
    src: Annotated[Path, typer.Argument(help="Trail source folder.")],
    track: Annotated[
        Path, typer.Argument(help="GPX, GeoJSON LineString or CSV t,lat,lon[,accuracy].")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    speed: Annotated[
        float | None,
        typer.Option(
            "--speed",
            help=f"Walking speed (m/s) where times are unusable (default: {DEFAULT_SPEED_M_S:g}).",
        ),
    ] = None,
    noise: Annotated[
        float, typer.Option("--noise", help="Gaussian GPS noise per axis, in metres.")
    ] = 0.0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the noise.")] = 0,
    language: Annotated[
        str | None, typer.Option("--language", help="Language of the audio (default: first).")
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            "--timezone", help="IANA zone for local-time windows (default: the trail's own)."
        ),
    ] = None,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write a map and timeline (.svg or .png).")
    ] = None,
    render: Annotated[
        Path | None,
        typer.Option(
            "--render", help="Write what the visitor hears (.wav or .opus, 48 kHz stereo)."
        ),
    ] = None,
    binaural: Annotated[
        bool,
        typer.Option("--binaural", help="With --render: place sounds for headphones (HRTF)."),
    ] = False,
) -> None:
    """Simulate a walk: events, what is audible when, stops heard and missed, idle gaps.

    The track is resampled to one fix per second; narrations still playing at the end of
    the track play out. Times a device got wrong (missing, going backwards, placeholder
    dates) are re-timed from the consistent ones and --speed, a one-point GPX track gives
    way to the file's route or waypoints, and each repair is printed as a warning.

    --render mixes the walk offline at 48 kHz: narrations cut at their ends, beds and sound
    objects with the engine's gains and ducking, ramped over 1 s and faded out over 2 s as
    the player does, each file decoded once (as mono) by ffmpeg. Directions come from the
    engine's azimuths: equal-power stereo panning (Web Audio's, a sound behind is placed
    as its mirror in front), or with --binaural a spherical-head HRTF generated here (Brown
    and Duda 1998: Woodworth's interaural delay and a head-shadow filter per ear; no
    measured data, so no licence but the project's). An untimed track needs --speed to be
    rendered.
    """
    if binaural and render is None:
        raise invalid("binaural", True, msg("--binaural needs --render OUT.wav|OUT.opus"))
    if render is not None and render.suffix.lower() not in ENCODINGS:
        raise invalid("render", str(render), msg("the output must end in .wav or .opus"))
    loaded = open_trail(src)
    read = read_track(track, DEFAULT_SPEED_M_S if speed is None else speed)
    if render is not None and not read.timed and speed is None:
        raise invalid(
            "track",
            str(track),
            msg("the track has no times: give --speed (m/s) to render the walk at that pace"),
        )
    for warning in read.warnings:
        warn(warning)
    walk = add_noise(resample(read), noise, seed)
    chosen = language or loaded.trail.languages[0]
    if render is None:
        durations = probe_stop_durations(loaded, chosen, probe_duration)
    else:
        # Each file is decoded once, and the engine takes its length from that decoding.
        sounds = decode_sounds(sound_files(loaded, chosen))
        durations = durations_of(sounds)
    trail = engine_trail(loaded.trail, durations, timezone)
    sim = run_simulation(loaded.trail, trail, walk)
    result = sim.as_dict() | {"language": chosen}
    if render is not None:
        result["render"] = render_walk(trail, sim, sounds, render, binaural=binaural)
    if plot is not None:
        # matplotlib takes a second to import: only when a plot is asked for.
        from trails.plot import plot_simulation

        result["plot"] = str(plot_simulation(sim, loaded.trail, plot))
    if as_json:
        emit_json(result)
        return
    for event in result["events"]:
        extra = event.get("reason", event.get("db", ""))
        # A table of codes (enter, exit, skip and their reasons), the same in every language.
        line = f"{event['t']:>9.1f}s  {event['type']:<6} {event['stop']} {extra}"
        console.print(line, highlight=False, markup=False)
    summary = result["summary"]
    show(msg("heard: {stops}", stops=", ".join(summary["stops_heard"]) or "-"))
    for missed in summary["stops_missed"]:
        show(msg("missed: {stop} ({reason})", stop=missed["stop"], reason=missed["reason"]))
    show(
        nmsg(
            "listening {listening} s over a {walk} s walk; {count} idle gap of {gap} s or more",
            "listening {listening} s over a {walk} s walk; {count} idle gaps of {gap} s or more",
            len(summary["idle_gaps"]),
            listening=round(summary["listening_s"]),
            walk=round(summary["walk_s"]),
            gap=summary["idle_gap_threshold_s"],
        )
    )
    if "render" in result:
        done = result["render"]
        seconds = round(done["duration_s"])
        show(msg("rendered {seconds} s to {path}", seconds=seconds, path=done["file"]))
