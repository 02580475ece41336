"""Where to find a Unicode TrueType font for posters (DejaVu Sans)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

# Debian's fonts-dejavu-core first; matplotlib (a dependency) ships the same family.
_SYSTEM_DIR = Path("/usr/share/fonts/truetype/dejavu")
FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}


class FontMissing(RuntimeError):
    """No copy of DejaVu Sans could be found."""


def _matplotlib_dir() -> Path | None:
    try:
        import matplotlib
    except ImportError:
        return None
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@cache
def font_files() -> dict[str, Path]:
    """Paths of the regular ("") and bold ("B") DejaVu Sans files."""
    for folder in (_SYSTEM_DIR, _matplotlib_dir()):
        if folder is None:
            continue
        paths = {style: folder / name for style, name in FILES.items()}
        if all(p.is_file() for p in paths.values()):
            return paths
    raise FontMissing(
        "DejaVu Sans not found: install the Debian package fonts-dejavu-core (or matplotlib)"
    )
