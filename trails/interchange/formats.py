"""Which converter reads or writes which file: chosen by extension, checked by content."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from trails.errors import invalid
from trails.interchange.geojson import export_geojson, import_geojson
from trails.interchange.gpx import export_gpx, import_gpx
from trails.interchange.kml import import_kml, kml_from_kmz
from trails.interchange.model import Exported, Imported, ImportOptions
from trails.interchange.soundscape import export_soundscape, import_soundscape, is_soundscape
from trails.messages import msg
from trails.source import TrailSource

ExportFormat = Literal["geojson", "gpx", "soundscape"]
EXPORT_SUFFIX: dict[str, str] = {"geojson": ".geojson", "gpx": ".gpx", "soundscape": ".gpx"}
IMPORT_SUFFIXES = (".gpx", ".geojson", ".json", ".kml", ".kmz")
MAX_FILE_BYTES = 50 * 1024 * 1024

_EXPORTERS: dict[str, Callable[[TrailSource], Exported]] = {
    "geojson": export_geojson,
    "gpx": export_gpx,
    "soundscape": export_soundscape,
}


def is_importable(path: Path) -> bool:
    """Whether a file's extension names a format that can be imported."""
    return path.suffix.lower() in IMPORT_SUFFIXES


def import_file(path: Path, options: ImportOptions) -> Imported:
    """Read a GPX (plain or Soundscape), GeoJSON, KML or KMZ file as a trail."""
    suffix = path.suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        raise invalid(
            "file",
            str(path),
            msg(
                "unknown format '{suffix}': use {formats}",
                suffix=suffix,
                formats=", ".join(IMPORT_SUFFIXES),
            ),
        )
    if not path.is_file():
        raise invalid("file", str(path), msg("no such file"))
    if path.stat().st_size > MAX_FILE_BYTES:
        raise invalid("file", str(path), msg("larger than {size} MB", size=MAX_FILE_BYTES // 2**20))
    data = path.read_bytes()
    name = path.stem
    if suffix == ".gpx" and is_soundscape(data):
        return import_soundscape(data, name, options, media_dir=path.parent)
    if suffix == ".gpx":
        return import_gpx(data, name, options)
    if suffix in (".geojson", ".json"):
        return import_geojson(data, name, options)
    if suffix == ".kmz":
        data = kml_from_kmz(data)
    return import_kml(data, name, options)


def export_trail(trail: TrailSource, fmt: str) -> Exported:
    """A trail written as GeoJSON, GPX or a Soundscape activity."""
    try:
        exporter = _EXPORTERS[fmt]
    except KeyError:
        raise invalid(
            "format", fmt, msg("unknown format; use {formats}", formats=", ".join(_EXPORTERS))
        ) from None
    return exporter(trail)
