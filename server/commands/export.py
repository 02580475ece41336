"""``baladeur export``: a trail from the local database to a folder, a zip or another format."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from sqlalchemy import select

from media.blobs import BlobStore
from server.blobs import make_blob_store
from server.commands.output import console, emit_json, err_console, report_dropped
from server.db.models import Organisation
from server.db.session import Database
from server.draft_source import load_trail, to_source
from server.settings import Settings
from trails.errors import NotFound
from trails.interchange.folder import MediaSource
from trails.interchange.transfer import (
    FORMATS,
    TrailData,
    choose_destination,
    media_files_written,
    text_chunks,
    write_trail,
)
from trails.storage_names import media_sha256, original_key, transcript_name


def read_from_database(
    slug: str, db: Database, blobs: BlobStore, organisation: str | None = None
) -> TrailData:
    """A trail as stored, with its original media (from the blob store) and transcripts.

    Slugs are unique per organisation: ``organisation`` (its slug) says whose trail, and
    is needed only when several organisations have a trail ``slug``.
    """
    with db.transaction() as session:
        organisation_id = None
        if organisation is not None:
            organisation_id = session.scalar(
                select(Organisation.id).where(Organisation.slug == organisation)
            )
            if organisation_id is None:
                raise NotFound(f"no organisation '{organisation}'")
        trail = load_trail(session, slug, organisation_id)
        source = to_source(session, trail)
        transcripts = {
            transcript_name(v.transcript_vtt): v.transcript_vtt
            for stop in trail.stops
            if stop.story is not None
            for v in stop.story.versions
            if v.transcript_vtt is not None
        }
    media: dict[str, MediaSource] = {}
    for relative in source.media_paths():
        if relative in transcripts:
            media[relative] = partial(text_chunks, transcripts[relative])
        else:
            # Audio and the cover are named by the hash of the original kept in storage.
            media[relative] = partial(blobs.open, original_key(media_sha256(relative)))
    return TrailData(source, media)


def export(
    slug: Annotated[str, typer.Argument(help="Slug of the trail in the local database.")],
    dest: Annotated[
        Path | None,
        typer.Argument(help="Where to write; by default <slug>, <slug>.zip, <slug>.gpx…"),
    ] = None,
    organisation: Annotated[
        str | None,
        typer.Option(
            "--org",
            help="Slug of the organisation that owns the trail; needed only when several "
            "have a trail of this slug.",
        ),
    ] = None,
    # The same two options as ``baladeur convert`` and ``pull`` on the authoring side.
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help=f"One of {', '.join(FORMATS)}; by default from DEST's extension, else folder.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing file (never a folder).")
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Export a trail from the local database, with its original media.

    A folder or zip holds trail.yaml and every media file: importing it into another
    Baladeur gives back the same trail. GeoJSON, GPX and Soundscape files keep the places
    (and, for Soundscape, links to the audio); what they cannot hold is listed.
    Exit codes: 0 done, 1 refused (the reason is printed), 2 usage error.
    """
    chosen, target = choose_destination(slug, dest, fmt)
    settings = Settings()
    db = Database.from_settings(settings)
    try:
        data = read_from_database(slug, db, make_blob_store(settings), organisation)
        total = media_files_written(data, chosen)
        with Progress(console=err_console, disable=json_out or total == 0, transient=True) as bar:
            task = bar.add_task(f"writing {target.name}", total=total)
            dropped = write_trail(
                data, target, chosen, force=force, on_file=lambda _name: bar.advance(task)
            )
    finally:
        db.dispose()
    report_dropped(dropped, json_out)
    if json_out:
        emit_json({"slug": slug, "format": chosen, "path": str(target), "dropped": dropped})
    else:
        console.print(f"trail {slug}: written to {target} ({chosen})", highlight=False)
