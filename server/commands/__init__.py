"""The ``baladeur`` commands that open the database or run server processes.

They are added to the one ``baladeur`` command (``authoring/cli.py``) through the entry-point
group ``baladeur.commands`` (see ``pyproject.toml``), so that neither side imports the other.
"""

from __future__ import annotations

import typer

from server.commands import db, export, importing, serve, users, worker


def register(app: typer.Typer) -> None:
    """Add the server's commands (db, users, import, serve, worker, export) to ``baladeur``."""
    app.add_typer(db.app, name="db")
    app.add_typer(users.app, name="users")
    app.command("import")(importing.import_folder)
    app.command("serve")(serve.serve)
    app.command("worker")(worker.worker)
    app.command("export")(export.export)
