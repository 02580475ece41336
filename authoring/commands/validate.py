"""``baladeur validate``: authoring checks of a trail source folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from authoring.output import console, emit_json
from media.probe_duration import probe_duration
from trails.checks import check_folder
from trails.tracks import DEFAULT_SPEED_M_S


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
            where = f"[{item.stop}] " if item.stop else ""
            console.print(f"{item.severity}: {where}{item.message} ({item.code})", highlight=False)
        if not items:
            console.print("no findings")
    if any(item.severity == "error" for item in items):
        raise typer.Exit(1)
