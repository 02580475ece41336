"""``baladeur validate``: authoring checks of a trail source folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from authoring.language import say
from authoring.output import emit_json, show
from media.probe_duration import probe_duration
from trails.checks import check_folder
from trails.messages import msg
from trails.tracks import DEFAULT_SPEED_M_S

# How each severity is said before a finding; the JSON keeps the names themselves.
SEVERITY_LABELS = {"error": msg("error:"), "warning": msg("warning:"), "info": msg("info:")}


def validate(
    src: Annotated[Path, typer.Argument(help="Trail source folder.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
    speed: Annotated[
        float, typer.Option("--speed", help="Walking speed (m/s) for narration timing.")
    ] = DEFAULT_SPEED_M_S,
) -> None:
    """Check a trail for what will go wrong on the ground; exits 1 when there are errors."""
    items = check_folder(src, probe_duration, speed)
    if as_json:
        emit_json([item.as_dict() for item in items])
    else:
        for item in items:
            # The code is a name the docs and scripts use: it stays as it is.
            where = f"[{item.stop}] " if item.stop else ""
            label = say(SEVERITY_LABELS[item.severity])
            show(f"{label} {where}{say(item.message)} ({item.code})")
        if not items:
            show(msg("no findings"))
    if any(item.severity == "error" for item in items):
        raise typer.Exit(1)
