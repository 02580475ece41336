"""Reading a trail from any source, and writing it to any destination, with its media.

Sources: a trail folder, a trail zip, or a GPX / Soundscape / GeoJSON / KML / KMZ file.
Destinations: a folder, a zip, or a GeoJSON / GPX / Soundscape file. The commands of both
sides (``convert`` and ``pull`` offline, ``import`` and ``export`` on the database) use these,
so that every one of them reads and writes a trail the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from trails.archive import extract_trail, write_trail_zip
from trails.errors import Conflict, DomainError, invalid
from trails.files import atomic_file
from trails.interchange.folder import MediaSource, write_folder
from trails.interchange.formats import EXPORT_SUFFIX, export_trail, import_file, is_importable
from trails.interchange.model import ImportOptions
from trails.messages import msg
from trails.source import LoadedSource, TrailSource, load_source

FORMATS = ("folder", "zip", "geojson", "gpx", "soundscape")
# The formats that hold the media files themselves (the others link to them, at most).
WITH_MEDIA = ("folder", "zip")


def text_chunks(text: str) -> list[bytes]:
    """A transcript's text as the chunks a media reader yields."""
    return [text.encode("utf-8")]


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
        raise DomainError(
            msg("cannot read {src}: {problem}", src=src, problem=exc.strerror or exc)
        ) from None


def _load(src: Path, options: ImportOptions, workdir: Path) -> tuple[LoadedSource, list[str]]:
    if src.is_dir():
        return load_source(src), []
    if not src.exists():
        raise invalid("source", str(src), msg("no such file or folder"))
    if src.suffix.lower() == ".zip":
        return extract_trail(src, workdir / "extracted"), []
    if is_importable(src):
        imported = import_file(src, options)
        folder = write_folder(imported.trail, imported.media, workdir / "converted")
        return load_source(folder), list(imported.dropped)
    raise invalid(
        "source",
        str(src),
        msg("not a trail folder, a .zip, or a .gpx, .geojson, .json, .kml or .kmz file"),
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
            raise invalid(
                "format",
                fmt,
                msg("unknown format; use one of {formats}", formats=", ".join(FORMATS)),
            )
        return fmt
    suffix = dest.suffix.lower()
    by_suffix = {"": "folder", ".zip": "zip", ".geojson": "geojson", ".json": "geojson"}
    if suffix == ".gpx":
        return "soundscape" if dest.name.lower().endswith(".soundscape.gpx") else "gpx"
    if suffix not in by_suffix:
        raise invalid(
            "dest",
            str(dest),
            msg("cannot tell the format from '{suffix}': give --format", suffix=suffix),
        )
    return by_suffix[suffix]


def default_destination(slug: str, fmt: str) -> Path:
    """Where to write when no destination is named: in the current folder, by slug."""
    suffixes = {"folder": "", "zip": ".zip", "soundscape": ".soundscape.gpx"}
    return Path(slug + suffixes.get(fmt, EXPORT_SUFFIX.get(fmt, "")))


def choose_destination(slug: str, dest: Path | None, fmt: str | None) -> tuple[str, Path]:
    """The format and the path to write the trail ``slug`` to, from what a command was given.

    Without a destination, the format (a folder by default) names the file after the slug.
    """
    chosen = guess_format(dest, fmt) if dest else (fmt or "folder")
    # Checked again so that an unknown --format is refused when no destination was given.
    chosen = guess_format(Path(), chosen)
    return chosen, dest or default_destination(slug, chosen)


def media_files_written(data: TrailData, fmt: str) -> int:
    """How many media files writing the trail in this format copies (for a progress bar)."""
    return len(data.trail.media_paths()) if fmt in WITH_MEDIA else 0


def write_trail(
    data: TrailData,
    dest: Path,
    fmt: str,
    *,
    force: bool = False,
    on_file: Callable[[str], None] | None = None,
) -> list[str]:
    """Write a trail to ``dest`` in ``fmt``; returns what the format could not hold.

    ``on_file`` is called with each media file's path once it is written.
    """
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        return _write(data, dest, fmt, force, on_file)
    except OSError as exc:
        raise DomainError(
            msg("cannot write {dest}: {problem}", dest=dest, problem=exc.strerror or exc)
        ) from None


def _write(
    data: TrailData, dest: Path, fmt: str, force: bool, on_file: Callable[[str], None] | None
) -> list[str]:
    if fmt == "folder":
        # A folder is never replaced, even with --force: write_folder refuses all but an empty one.
        write_folder(data.trail, data.media, dest, on_file=on_file)
        return []
    if dest.exists() and not force:
        raise Conflict(msg("{dest} already exists; use --force to replace it", dest=dest))
    if fmt == "zip":
        write_trail_zip(data.trail, data.media, dest, on_file=on_file)
        return []
    exported = export_trail(data.trail, fmt)
    with atomic_file(dest) as fh:
        fh.write(exported.text.encode("utf-8"))
    return exported.dropped
