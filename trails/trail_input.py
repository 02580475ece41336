"""Open what a command names as a trail: a source folder now, a bundle when its reader exists."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from trails.errors import invalid
from trails.source import SOURCE_FILE, LoadedSource, load_source

# A reader answers None when the path is not its kind, else the loaded trail.
TrailReader = Callable[[Path], LoadedSource | None]


def _source_folder(path: Path) -> LoadedSource | None:
    if path.is_dir():
        return load_source(path)
    return None


# Bundle support (issue 4) plugs in here, as a reader for verified bundle files.
READERS: list[TrailReader] = [_source_folder]


def open_trail(path: str | Path) -> LoadedSource:
    """Load a trail from the first reader that recognises the path."""
    target = Path(path)
    if not target.exists():
        raise invalid("src", str(target), "no such file or folder")
    for reader in READERS:
        loaded = reader(target)
        if loaded is not None:
            return loaded
    raise invalid(
        "src",
        str(target),
        f"not a trail source folder (a folder with {SOURCE_FILE}); "
        "reading bundles is not supported yet",
    )
