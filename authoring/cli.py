"""The ``baladeur`` command line: thin commands over ``trails/`` and ``media/``, and the HTTP
client; the server adds its own commands (see :func:`add_installed_commands`)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import cast

import typer

from authoring.commands import build, convert, init, media, remote, simulate, validate, verify
from authoring.output import run_app

# Installed packages add their commands here: ``register(app: typer.Typer) -> None``.
COMMANDS_GROUP = "baladeur.commands"

app = typer.Typer(
    name="baladeur",
    help="Author, check, package and serve geolocated audio trails.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def add_installed_commands(group: typer.Typer) -> None:
    """Add the commands that installed packages declare in the ``baladeur.commands`` group."""
    # Found by entry point, never imported: the authoring side does not depend on the server,
    # whose commands (db, users, import, serve, worker, export) are there when it is installed.
    for entry in sorted(entry_points(group=COMMANDS_GROUP), key=lambda e: e.name):
        register = cast(Callable[[typer.Typer], None], entry.load())
        register(group)


# The server's commands first, so that `import` and `serve` still head the list in --help.
add_installed_commands(app)
app.add_typer(media.app, name="media")
app.command("build")(build.build)
app.command("verify")(verify.verify)
app.command("simulate")(simulate.simulate)
app.command("validate")(validate.validate)
app.command("init")(init.init)
app.command("convert")(convert.convert)
app.command("push")(remote.push)
app.command("pull")(remote.pull)
app.command("publish")(remote.publish)
app.command("login")(remote.login)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; user mistakes become one clear line (or a JSON object), never a traceback."""
    run_app(app, sys.argv[1:] if argv is None else argv, "baladeur")


if __name__ == "__main__":
    main()
