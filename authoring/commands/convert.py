"""``baladeur convert``: from one trail format to another, without any database."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from authoring.commands.trail_io import ForceOption, FormatOption, report_dropped, write_trail
from authoring.output import emit_json, show
from trails.interchange.model import DEFAULT_RADIUS_M, ImportOptions
from trails.interchange.transfer import guess_format, read_trail
from trails.messages import nmsg


def convert(
    src: Annotated[
        Path,
        typer.Argument(
            help="A trail folder, a zip of one, or a .gpx (plain or Soundscape), .geojson, "
            ".kml or .kmz file."
        ),
    ],
    dest: Annotated[Path, typer.Argument(help="Where to write (a new folder, or a file).")],
    fmt: FormatOption = None,
    language: Annotated[
        str, typer.Option("--language", help="Language of the names in the source file.")
    ] = "en",
    radius: Annotated[
        float, typer.Option("--radius", help="Radius (m) of the stops made from points.")
    ] = DEFAULT_RADIUS_M,
    force: ForceOption = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Convert a trail between formats, for example a KML export into a trail folder.

    The result is validated like any trail folder; what the target format cannot hold
    is listed as "not kept". Exit codes: 0 done, 1 refused (the reason is printed),
    2 usage error.
    """
    chosen = guess_format(dest, fmt)
    options = ImportOptions(language=language, radius_m=radius)
    with tempfile.TemporaryDirectory(prefix="baladeur-convert-") as workdir:
        data = read_trail(src, options, Path(workdir))
        dropped = data.dropped + write_trail(data, dest, chosen, force=force, quiet=json_out)
    report_dropped(dropped, json_out)
    if json_out:
        emit_json(
            {
                "slug": data.trail.slug,
                "stops": len(data.trail.stops),
                "format": chosen,
                "path": str(dest),
                "dropped": dropped,
            }
        )
    else:
        show(
            nmsg(
                "trail {slug}: {count} stop written to {path} ({format})",
                "trail {slug}: {count} stops written to {path} ({format})",
                len(data.trail.stops),
                slug=data.trail.slug,
                path=dest,
                format=chosen,
            )
        )
