"""What the commands that read or write trail files show: their options, progress, omissions.

The reading and writing themselves are in :mod:`trails.interchange.transfer`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from authoring.language import say
from authoring.output import err_console, labelled
from trails.interchange import transfer
from trails.interchange.transfer import FORMATS, TrailData
from trails.messages import msg

# Options of the commands here that write a trail (convert, pull); the server side's `export`
# declares the same two (it may not import this module).
FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        help=f"One of {', '.join(FORMATS)}; by default from DEST's extension, else folder.",
    ),
]
ForceOption = Annotated[
    bool, typer.Option("--force", help="Replace an existing file (never a folder).")
]


def write_trail(
    data: TrailData, dest: Path, fmt: str, *, force: bool = False, quiet: bool = False
) -> list[str]:
    """Write a trail to ``dest`` in ``fmt``, showing progress; returns what it could not hold."""
    total = transfer.media_files_written(data, fmt)
    with Progress(console=err_console, disable=quiet or total == 0, transient=True) as bar:
        task = bar.add_task(say(msg("writing {name}", name=dest.name)), total=total)
        return transfer.write_trail(
            data, dest, fmt, force=force, on_file=lambda _name: bar.advance(task)
        )


def report_dropped(dropped: list[str], quiet: bool) -> None:
    """Tell people what a conversion left out (scripts read it from the JSON)."""
    if not quiet:
        for item in dropped:
            labelled(msg("not kept:"), item, "yellow")
