"""Open what a command names as a trail: a source folder or a verified bundle file."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from trails.bundle.source import BundleSource, trail_from_manifest
from trails.bundle.verify import read_bundle
from trails.errors import invalid
from trails.messages import msg
from trails.source import SOURCE_FILE, LoadedSource, load_source

# A reader answers None when the path is not its kind, else the loaded trail.
TrailReader = Callable[[Path], LoadedSource | None]
Keys = Mapping[str, Ed25519PublicKey] | None


def _source_folder(path: Path) -> LoadedSource | None:
    if path.is_dir():
        return load_source(path)
    return None


def read_bundle_file(path: Path, keys: Keys = None) -> BundleSource:
    """A bundle, verified in full (the signature too when ``keys`` are given), as a trail."""
    report = read_bundle(path, keys)
    if report.manifest is None:  # cannot happen for a report without problems
        raise invalid("src", str(path), msg("the bundle has no readable manifest"))
    return BundleSource(trail_from_manifest(report.manifest), path, report.manifest)


def _bundle_file(path: Path) -> LoadedSource | None:
    if not path.is_file():
        return None
    if not zipfile.is_zipfile(path):
        raise invalid(
            "src",
            str(path),
            msg(
                "not a trail source folder (a folder with {file}) nor a bundle (a zip archive)",
                file=SOURCE_FILE,
            ),
        )
    return read_bundle_file(path)


READERS: list[TrailReader] = [_source_folder, _bundle_file]


def open_trail(path: str | Path) -> LoadedSource:
    """Load a trail from the first reader that recognises the path."""
    target = Path(path)
    if not target.exists():
        raise invalid("src", str(target), msg("no such file or folder"))
    for reader in READERS:
        loaded = reader(target)
        if loaded is not None:
            return loaded
    raise invalid(
        "src",
        str(target),
        msg(
            "not a trail source folder (a folder with {file}) nor a bundle file",
            file=SOURCE_FILE,
        ),
    )
