"""``baladeur import``: load a trail (folder, zip or GPX/GeoJSON/KML file) into the database."""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer
from rich.progress import Progress
from sqlalchemy import select
from sqlalchemy.orm import Session

from media.blobs import BlobStore
from server.accounts import get_or_create_organisation
from server.basemap import BasemapConfig
from server.blobs import make_blob_store
from server.commands.output import console, emit_json, err_console, report_dropped
from server.db.models import Asset, AssetStatus, Organisation, Release, Trail
from server.db.session import Database
from server.folder_media import MediaContext
from server.ingest import process_many
from server.keys import keyring
from server.publishing import publish, release_size_report
from server.releases import PENDING
from server.settings import Settings
from server.source_import import import_source
from trails.errors import DomainError
from trails.interchange.model import DEFAULT_RADIUS_M, ImportOptions
from trails.interchange.transfer import load_trail_source
from trails.source import LoadedSource, source_fingerprint


def import_folder(
    source: Path = typer.Argument(
        ...,
        help="A trail folder holding trail.yaml, a zip of one, or a .gpx (plain or "
        "Soundscape activity), .geojson, .kml or .kmz file.",
    ),
    organisation: str = typer.Option("demo", "--org", help="Slug of the owning organisation."),
    do_publish: bool = typer.Option(
        False,
        "--publish",
        help="Publish a release afterwards (awaiting approval if the organisation requires it).",
    ),
    if_changed: bool = typer.Option(
        False, "--if-changed", help="Do nothing if the same content was imported already."
    ),
    language: str = typer.Option(
        "en", "--language", help="Language of the names in a GPX, GeoJSON or KML file."
    ),
    radius: float = typer.Option(
        DEFAULT_RADIUS_M, "--radius", help="Radius (m) of the stops made from points."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Import (or re-import) a trail, encode its audio, and publish.

    The import is one transaction: a source with any invalid value or refused media file
    changes nothing. A zip is checked entry by entry before anything is extracted. What a
    GPX, GeoJSON or KML file holds that a trail cannot is listed as "not kept".
    Exit codes: 0 done, 1 refused (the reason is printed), 2 usage error.
    """
    options = ImportOptions(language=language, radius_m=radius)
    with tempfile.TemporaryDirectory(prefix="baladeur-import-") as workdir:
        loaded, dropped = load_trail_source(source, options, Path(workdir))
        report_dropped(dropped, json_out)
        result = _import(loaded, organisation, do_publish, if_changed, json_out)
    if dropped:
        result["dropped"] = dropped
    _report(result, json_out)


def _import(
    loaded: LoadedSource, organisation: str, do_publish: bool, if_changed: bool, json_out: bool
) -> dict[str, object]:
    fingerprint = source_fingerprint(loaded)
    settings = Settings()
    db = Database.from_settings(settings)
    blobs = make_blob_store(settings)
    limits = settings.media_limits()
    result: dict[str, object] = {"slug": loaded.trail.slug, "stops": len(loaded.trail.stops)}
    organisation_id: int | None = None
    needs_approval = False
    try:
        with db.transaction() as session:
            # This organisation's trail: another one's of the same slug is not ours.
            existing = session.scalar(
                select(Trail)
                .join(Organisation, Organisation.id == Trail.organisation_id)
                .where(Trail.slug == loaded.trail.slug, Organisation.slug == organisation)
            )
            unchanged = (
                if_changed
                and existing is not None
                and existing.source_sha256 == fingerprint
                and (not do_publish or _published(session, existing))
            )
            if not unchanged:
                org = get_or_create_organisation(session, organisation)
                import_source(session, loaded, org, fingerprint, MediaContext(blobs, limits))
                # Slugs are unique per organisation: publish this one's trail.
                organisation_id = org.id
                # The organisation's rule holds here too: no release goes live unapproved.
                needs_approval = org.requires_second_approval
            pending = session.scalars(
                select(Asset.id).where(Asset.status == AssetStatus.pending)
            ).all()
        result["imported"] = not unchanged
        _encode(db, blobs, list(pending), settings, quiet=json_out)
        result["release"] = None
        if do_publish and not unchanged:
            release = publish(
                db,
                blobs,
                keyring(settings),
                loaded.trail.slug,
                publisher=organisation,
                organisation_id=organisation_id,
                needs_approval=needs_approval,
                basemap=BasemapConfig.from_settings(settings),
            )
            result["release"] = release.number
            result["state"] = release.state.value
            with db.transaction() as session:
                report = release_size_report(
                    session.get_one(Release, release.id), settings.bundle_warning_bytes
                )
            result["size"] = report
    finally:
        db.dispose()
    return result


def _published(session: Session, trail: Trail) -> bool:
    """Whether the trail has a live release, or one that waits for approval or its time."""
    if trail.current_release_id is not None:
        return True
    waiting = select(Release.id).where(Release.trail_id == trail.id, Release.state.in_(PENDING))
    return session.scalar(waiting.limit(1)) is not None


def _encode(
    db: Database, blobs: BlobStore, pending: list[int], settings: Settings, quiet: bool
) -> None:
    if not pending:
        return
    with Progress(console=err_console, disable=quiet, transient=True) as progress:
        task = progress.add_task("encoding audio", total=len(pending))
        statuses = process_many(
            db,
            blobs,
            pending,
            limits=settings.media_limits(),
            timeout_s=settings.job_timeout_s,
            workers=settings.workers or None,
            on_done=lambda _id, _status: progress.advance(task),
        )
    failed = sorted(
        asset_id for asset_id, status in statuses.items() if status != AssetStatus.ready
    )
    if failed:
        with db.transaction() as session:
            reasons = [
                f"{a.filename}: {a.failure_reason}"
                for a in session.scalars(select(Asset).where(Asset.id.in_(failed)))
            ]
        raise DomainError("; ".join(reasons))


def _report(result: dict[str, object], json_out: bool) -> None:
    if json_out:
        emit_json(result)
        return
    slug = result["slug"]
    if not result["imported"]:
        console.print(f"trail {slug}: unchanged, nothing to do", highlight=False)
        return
    published = f", published as release {result['release']}" if result["release"] else ""
    if result.get("state") == "awaiting":
        published += " (it awaits a second editor's approval)"
    console.print(f"trail {slug}: imported {result['stops']} stops{published}", highlight=False)
    size = result.get("size")
    if isinstance(size, dict):
        for profile, entry in size["profiles"].items():
            console.print(f"  {profile} bundle: {entry['bytes'] / 1e6:.1f} MB", highlight=False)
        for warning in size["warnings"]:
            console.print(f"  [yellow]warning:[/] {warning}", highlight=False)
