"""``baladeur users``: create accounts on this server's database (the first administrator)."""

from __future__ import annotations

import typer

from authoring.output import console, emit_json
from server.accounts import create_user
from server.db.models import Role
from server.db.session import Database
from server.settings import Settings

app = typer.Typer(help="Manage accounts in the local database.", no_args_is_help=True)


@app.command()
def create(
    email: str = typer.Option(..., "--email", help="Sign-in email of the new account."),
    password: str = typer.Option(
        ...,
        "--password",
        envvar="BALADEUR_NEW_PASSWORD",
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="At least 10 characters; asked for when not given (or $BALADEUR_NEW_PASSWORD).",
    ),
    admin: bool = typer.Option(False, "--admin", help="Server administrator: owner everywhere."),
    name: str = typer.Option("", "--name", help="Display name."),
    org: str | None = typer.Option(
        None, "--org", help="Also make them a member of this organisation (created if missing)."
    ),
    role: Role = typer.Option(Role.owner, "--role", help="Their role in --org."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Create an account, for instance the first administrator.

    Exit codes: 0 created, 1 refused (the reason is printed), 2 usage error.
    """
    db = Database.from_settings(Settings())
    try:
        with db.transaction() as session:
            user = create_user(
                session,
                email,
                password,
                display_name=name,
                admin=admin,
                organisation=org,
                role=role,
            )
            result = {"id": user.id, "email": user.email, "admin": user.is_admin, "org": org}
    finally:
        db.dispose()
    if json_out:
        emit_json(result)
    else:
        console.print(f"created account {result['email']} (id {result['id']})", highlight=False)
