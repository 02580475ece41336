"""``baladeur db``: create and migrate the database."""

from __future__ import annotations

import typer

from server.commands.output import console, emit_json
from server.db.engine import redacted
from server.db.session import Database
from server.settings import Settings

app = typer.Typer(help="Create and migrate the database.", no_args_is_help=True)


@app.command()
def upgrade(
    revision: str = typer.Argument("head", help="Target revision."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Create the database if needed and bring its schema up to date."""
    from server.db import migrate  # Alembic is slow to import; only the db commands need it.

    settings = Settings()
    db = Database.from_settings(settings)
    try:
        migrate.upgrade(db.engine, revision)
        current = migrate.current_revision(db.engine)
    finally:
        db.dispose()
    url = redacted(settings.resolved_database_url)
    if json_out:
        emit_json({"database": url, "revision": current})
    else:
        console.print(f"database {url} at revision {current}", highlight=False)


@app.command()
def downgrade(
    revision: str = typer.Argument(..., help="Target revision, or 'base' to drop everything."),
) -> None:
    """Take the database schema back to an earlier revision."""
    from server.db import migrate

    db = Database.from_settings(Settings())
    try:
        migrate.downgrade(db.engine, revision)
        console.print(f"database at revision {migrate.current_revision(db.engine)}")
    finally:
        db.dispose()


@app.command()
def current(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Show the schema revision of the database."""
    from server.db import migrate

    db = Database.from_settings(Settings())
    try:
        revision = migrate.current_revision(db.engine)
    finally:
        db.dispose()
    if json_out:
        emit_json({"revision": revision})
    else:
        console.print(revision or "empty database (run baladeur db upgrade)")
