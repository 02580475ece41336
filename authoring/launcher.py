"""The ``baladeur`` console script: names the extra to install when the command line's
packages are absent (a core-only install), instead of a traceback."""

from __future__ import annotations

import sys

from trails.extras import missing_dependency, needs_server_extra


def main() -> None:
    """Run the command line, or say in one line which extra it needs, and exit with status 1."""
    args = sys.argv[1:]
    try:
        # The command line's packages (typer, rich, httpx, the audio tools) come with the
        # server extra; the core install has the `trails` library only.
        if args[:1] == ["media"]:
            # `baladeur media` needs nothing but media/: loading every command (the server's
            # too) would cost it about a second and 150 MB before ffmpeg starts.
            from authoring.commands.media import app as media_app
            from authoring.output import run_app
        else:
            from authoring.cli import main as run
    except ModuleNotFoundError as exc:
        missing = missing_dependency(exc)
        if missing is None:
            raise
        print(needs_server_extra("The baladeur command", missing), file=sys.stderr)
        sys.exit(1)
    if args[:1] == ["media"]:
        run_app(media_app, args[1:], "baladeur media")
    else:
        run()
