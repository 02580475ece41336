"""``baladeur users``: create accounts on this server's database (the first administrator)."""

from __future__ import annotations

import typer

from server.accounts import adopt_unowned_organisations, create_user, ensure_first_admin
from server.commands.output import console, emit_json
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
    org_name: str | None = typer.Option(
        None,
        "--org-name",
        help="Name of the --org organisation if it is created now, e.g. 'Musée du Verre' "
        "(default: made from its slug).",
    ),
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
                organisation_name=org_name,
            )
            result = {"id": user.id, "email": user.email, "admin": user.is_admin, "org": org}
    finally:
        db.dispose()
    if json_out:
        emit_json(result)
    else:
        console.print(f"created account {result['email']} (id {result['id']})", highlight=False)


@app.command()
def bootstrap(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Make sure the server has an administrator: on an empty server, create one.

    The administrator also becomes owner of every organisation without members (the demo
    trail's, imported just before by `make run`), so the studio opens inside it. The
    password is generated and written, readable by you only, to ``first-admin.txt`` in the
    data directory; it is never printed. Exit codes: 0 done, 1 refused, 2 usage error.
    """
    settings = Settings()
    password_file = settings.resolved_data_dir / "first-admin.txt"
    db = Database.from_settings(settings)
    try:
        with db.transaction() as session:
            email, created = ensure_first_admin(session, password_file)
            adopted = adopt_unowned_organisations(session, email)
    finally:
        db.dispose()
    if json_out:
        emit_json(
            {
                "email": email,
                "created": created,
                "password_file": str(password_file),
                "owner_of": adopted,
            }
        )
        return
    if created:
        console.print(
            f"created administrator {email}; its password is in {password_file}", highlight=False
        )
    for slug in adopted:
        console.print(f"{email} is now an owner of organisation '{slug}'", highlight=False)
