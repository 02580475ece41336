"""``baladeur import``: load a trail source folder into the database."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy import select

from authoring.output import console, emit_json
from server.db.models import Trail
from server.db.session import Database
from server.settings import Settings
from server.trails_store import (
    get_or_create_organisation,
    import_source,
    publish,
    source_fingerprint,
)
from trails.source import load_source


def import_folder(
    folder: Path = typer.Argument(..., help="Trail source folder holding trail.yaml."),
    organisation: str = typer.Option("demo", "--org", help="Slug of the owning organisation."),
    do_publish: bool = typer.Option(False, "--publish", help="Publish a release afterwards."),
    if_changed: bool = typer.Option(
        False, "--if-changed", help="Do nothing if the same content was imported already."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Import (or re-import) a trail from a source folder, in one transaction."""
    loaded = load_source(folder)
    fingerprint = source_fingerprint(loaded)
    db = Database.from_settings(Settings())
    try:
        with db.transaction() as session:
            existing = session.scalar(select(Trail).where(Trail.slug == loaded.trail.slug))
            unchanged = (
                if_changed
                and existing is not None
                and existing.source_sha256 == fingerprint
                and (existing.current_release_id is not None or not do_publish)
            )
            release_number = None
            if not unchanged:
                org = get_or_create_organisation(session, organisation)
                trail = import_source(session, loaded, org, fingerprint)
                if do_publish:
                    release_number = publish(session, trail).number
    finally:
        db.dispose()
    result = {
        "slug": loaded.trail.slug,
        "imported": not unchanged,
        "release": release_number,
        "stops": len(loaded.trail.stops),
    }
    if json_out:
        emit_json(result)
    elif unchanged:
        console.print(f"trail {loaded.trail.slug}: unchanged, nothing to do", highlight=False)
    else:
        published = f", published as release {release_number}" if release_number else ""
        console.print(
            f"trail {loaded.trail.slug}: imported {len(loaded.trail.stops)} stops{published}",
            highlight=False,
        )
