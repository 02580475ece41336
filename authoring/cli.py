"""The ``baladeur`` command line: thin commands over ``trails/``, ``media/`` and the server."""

from __future__ import annotations

import sys

import typer

from authoring.commands import (
    build,
    convert,
    db,
    export,
    importing,
    init,
    media,
    remote,
    serve,
    simulate,
    users,
    validate,
    verify,
    worker,
)
from authoring.output import report_error
from trails.errors import DomainError

app = typer.Typer(
    name="baladeur",
    help="Author, check, package and serve geolocated audio trails.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.command("import")(importing.import_folder)
app.command("serve")(serve.serve)
# Further command modules register here.
app.add_typer(media.app, name="media")
app.add_typer(users.app, name="users")
app.command("build")(build.build)
app.command("verify")(verify.verify)
app.command("simulate")(simulate.simulate)
app.command("validate")(validate.validate)
app.command("worker")(worker.worker)
app.command("init")(init.init)
app.command("export")(export.export)
app.command("convert")(convert.convert)
app.command("push")(remote.push)
app.command("pull")(remote.pull)
app.command("publish")(remote.publish)
app.command("login")(remote.login)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; user mistakes become one clear line (or a JSON object), never a traceback."""
    args = sys.argv[1:] if argv is None else argv
    as_json = "--json" in args
    try:
        # Typer handles usage errors itself (exit 2); only our own errors reach here.
        app(args=args, prog_name="baladeur")
    except DomainError as exc:
        report_error(exc, as_json)
        sys.exit(1)


if __name__ == "__main__":
    main()
