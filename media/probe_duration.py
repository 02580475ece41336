"""Duration of an audio file, as the upload pipeline measures it.

``baladeur validate`` and ``simulate`` read the files of a source folder here; they take the
length from :func:`media.probe.probe`, so a folder's checks and an upload agree on it (a
container that overstates its length, for instance, counts for what it decodes to).
"""

from __future__ import annotations

from pathlib import Path

from media.errors import RejectedMedia
from media.probe import probe
from trails.errors import invalid
from trails.messages import msg


def probe_duration(path: str | Path) -> float:
    """Seconds of audio in a file; an error names the file and why it cannot be read."""
    file = Path(path)
    if not file.is_file():
        raise invalid("audio", str(file), msg("no such file"))
    try:
        return probe(file).duration_s
    except RejectedMedia as exc:
        raise invalid(
            "audio", str(file), msg("not a readable audio file: {detail}", detail=exc.detail)
        ) from None
