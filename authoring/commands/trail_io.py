"""Reading a trail from any source a command accepts, and writing it to any destination.

Sources: a trail folder, a trail zip, or a GPX / Soundscape / GeoJSON / KML / KMZ file.
Destinations: a folder, a zip, or a GeoJSON / GPX / Soundscape file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from authoring.output import err_console
from trails.archive import extract_trail, write_trail_zip
from trails.errors import Conflict, DomainError, invalid
from trails.files import atomic_file
from trails.interchange.folder import MediaSource, write_folder
from trails.interchange.formats import EXPORT_SUFFIX, export_trail, import_file, is_importable
from trails.interchange.model import ImportOptions
from trails.source import LoadedSource, TrailSource, load_source

FORMATS = ("folder", "zip", "geojson", "gpx", "soundscape")

# Options shared by every command that writes a trail (export, convert, pull).
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


def text_chunks(text: str) -> list[bytes]:
    """A transcript's text as the chunks a media reader yields."""
    return [text.encode("utf-8")]


EXIT_CODES = "Exit codes: 0 done, 1 refused (the reason is printed), 2 usage error."


@dataclass
class TrailData:
    """A trail, where each of its media files comes from, and what its reading left out."""

    trail: TrailSource
    media: Mapping[str, MediaSource]
    dropped: list[str] = field(default_factory=list)


def _from_loaded(loaded: LoadedSource) -> TrailData:
    media = {relative: loaded.media_file(relative) for relative in loaded.trail.media_paths()}
    return TrailData(loaded.trail, media)


def load_trail_source(
    src: Path, options: ImportOptions, workdir: Path
) -> tuple[LoadedSource, list[str]]:
    """A validated trail folder from a folder, a zip, or an interchange file.

    A zip is extracted safely under ``workdir``; a file is converted into a folder there.
    Also returns what the conversion left out.
    """
    try:
        return _load(src, options, workdir)
    except OSError as exc:
        raise DomainError(f"cannot read {src}: {exc.strerror or exc}") from None


def _load(src: Path, options: ImportOptions, workdir: Path) -> tuple[LoadedSource, list[str]]:
    if src.is_dir():
        return load_source(src), []
    if not src.exists():
        raise invalid("source", str(src), "no such file or folder")
    if src.suffix.lower() == ".zip":
        return extract_trail(src, workdir / "extracted"), []
    if is_importable(src):
        imported = import_file(src, options)
        folder = write_folder(imported.trail, imported.media, workdir / "converted")
        return load_source(folder), list(imported.dropped)
    raise invalid(
        "source",
        str(src),
        "not a trail folder, a .zip, or a .gpx, .geojson, .json, .kml or .kmz file",
    )


def read_trail(src: Path, options: ImportOptions, workdir: Path) -> TrailData:
    """Like :func:`load_trail_source`, as a trail and its media files."""
    loaded, dropped = load_trail_source(src, options, workdir)
    data = _from_loaded(loaded)
    data.dropped = dropped
    return data


def guess_format(dest: Path, fmt: str | None) -> str:
    """The output format: as given, else from the destination's extension, else a folder."""
    if fmt:
        if fmt not in FORMATS:
            raise invalid("format", fmt, f"unknown format; use one of {', '.join(FORMATS)}")
        return fmt
    suffix = dest.suffix.lower()
    by_suffix = {"": "folder", ".zip": "zip", ".geojson": "geojson", ".json": "geojson"}
    if suffix == ".gpx":
        return "soundscape" if dest.name.lower().endswith(".soundscape.gpx") else "gpx"
    if suffix not in by_suffix:
        raise invalid("dest", str(dest), f"cannot tell the format from '{suffix}': give --format")
    return by_suffix[suffix]


def write_trail(
    data: TrailData, dest: Path, fmt: str, *, force: bool = False, quiet: bool = False
) -> list[str]:
    """Write a trail to ``dest`` in ``fmt``; returns what the format could not hold."""
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        return _write(data, dest, fmt, force, quiet)
    except OSError as exc:
        raise DomainError(f"cannot write {dest}: {exc.strerror or exc}") from None


def _write(data: TrailData, dest: Path, fmt: str, force: bool, quiet: bool) -> list[str]:
    if fmt in ("folder", "zip"):
        if fmt == "zip" and dest.exists() and not force:
            raise Conflict(f"{dest} already exists; use --force to replace it")
        total = len(data.trail.media_paths())
        with Progress(console=err_console, disable=quiet or total == 0, transient=True) as bar:
            task = bar.add_task(f"writing {dest.name}", total=total)
            advance: Callable[[str], None] = lambda _name: bar.advance(task)  # noqa: E731
            if fmt == "zip":
                write_trail_zip(data.trail, data.media, dest, on_file=advance)
            else:
                write_folder(data.trail, data.media, dest, on_file=advance)
        return []
    if dest.exists() and not force:
        raise Conflict(f"{dest} already exists; use --force to replace it")
    exported = export_trail(data.trail, fmt)
    with atomic_file(dest) as fh:
        fh.write(exported.text.encode("utf-8"))
    return exported.dropped


def default_destination(slug: str, fmt: str) -> Path:
    """Where to write when no destination is named: in the current folder, by slug."""
    suffixes = {"folder": "", "zip": ".zip", "soundscape": ".soundscape.gpx"}
    return Path(slug + suffixes.get(fmt, EXPORT_SUFFIX.get(fmt, "")))


def report_dropped(dropped: list[str], quiet: bool) -> None:
    """Tell people what a conversion left out (scripts read it from the JSON)."""
    if quiet:
        return
    for item in dropped:
        err_console.print(f"[yellow]not kept:[/] {item}", highlight=False, soft_wrap=True)
