"""``baladeur keys``: list, rotate and endorse the server's bundle signing keys."""

from __future__ import annotations

import typer

from server.commands.output import console, emit_json
from server.keys import keyring
from server.settings import Settings

app = typer.Typer(help="Manage the server's bundle signing keys.", no_args_is_help=True)


@app.command("list")
def list_keys(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Print the key list that GET /v1/keys serves, oldest first."""
    document = keyring(Settings()).document()
    if json_out:
        emit_json(document)
        return
    for item in document["keys"]:
        endorsement = item["endorsement"]
        by = f"endorsed by {endorsement['key_id']}" if endorsement else "not endorsed"
        mark = "current" if item["current"] else "       "
        console.print(f"{item['id']}  {mark}  {item['created_at']}  {by}", highlight=False)


@app.command()
def rotate(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Make a new key current, endorsed by the current one; earlier keys stay listed.

    Apps that pinned the server's keys follow the rotation through the endorsement. A key set
    by BALADEUR_SIGNING_KEY is changed there instead (keep the previous key's file in the
    key directory so that the new one is endorsed).
    """
    ring = keyring(Settings())
    previous = ring.current()
    new = ring.rotate()
    if json_out:
        emit_json({"previous": previous.id, "current": new.id})
    else:
        console.print(f"current key: {new.id} (endorsed by {previous.id})", highlight=False)


@app.command()
def endorse(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Endorse keys rotated before endorsements existed, each by the key listed before it.

    Only keys whose predecessor's private file is still in the key directory can be.
    """
    done = keyring(Settings()).endorse_missing()
    if json_out:
        emit_json({"endorsed": done})
    else:
        console.print(f"endorsed: {', '.join(done) or 'nothing to do'}", highlight=False)
