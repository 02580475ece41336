"""The ``baladeur`` commands that open the database or run server processes.

They are added to the one ``baladeur`` command (``authoring/cli.py``) through the entry-point
group ``baladeur.commands`` (see ``pyproject.toml``), so that neither side imports the other.
"""

from __future__ import annotations

from collections.abc import Callable

import typer

from trails.extras import missing_dependency, needs_server_extra

# Every command register() adds, in the order of --help.
COMMAND_NAMES = ("db", "users", "import", "serve", "worker", "export", "keys")


def register(app: typer.Typer) -> None:
    """Add the server's commands (db, users, import, serve, worker, export, keys)."""
    try:
        # Imported here, not at the top: without the server extra the command line still
        # loads, and these commands say what to install (see register_unavailable).
        from server.commands import db, export, importing, keys, serve, users, worker
    except ModuleNotFoundError as exc:
        missing = missing_dependency(exc)
        if missing is None:
            raise
        register_unavailable(app, missing)
        return
    app.add_typer(db.app, name="db")
    app.add_typer(users.app, name="users")
    app.command("import")(importing.import_folder)
    app.command("serve")(serve.serve)
    app.command("worker")(worker.worker)
    app.command("export")(export.export)
    app.add_typer(keys.app, name="keys")


def register_unavailable(app: typer.Typer, missing: str) -> None:
    """Add each server command as one that names the extra to install and exits with 1."""
    for name in COMMAND_NAMES:
        app.command(
            name,
            help=f"Needs the server extra: {missing} is not installed.",
            # Whatever followed the command (`db upgrade`, `--port 8000`) is not parsed.
            context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
            add_help_option=False,
        )(_unavailable(name, missing))


def _unavailable(name: str, missing: str) -> Callable[[typer.Context], None]:
    def command(ctx: typer.Context) -> None:
        typer.echo(needs_server_extra(f"baladeur {name}", missing), err=True)
        raise typer.Exit(1)

    return command
