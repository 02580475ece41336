"""Publishing: check a trail, build and sign one bundle per profile, then make it current.

The order is what keeps visitors safe: bundles are written to the blob store under their
hash first, and only then, in one transaction, does the new release become current. A
crash at any point before that commit leaves the previous release current and serving;
what it leaves behind is unreferenced content-addressed blobs, never a half release.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from geoalchemy2.shape import from_shape
from shapely.geometry import Point, box
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from media.blobs import BlobStore
from media.renditions import ENCODINGS
from server import covers
from server.basemap import BasemapConfig, Outcome, build_basemap
from server.catalogue import catalogue_columns
from server.consents import why_not_publishable
from server.db.models import (
    SRID,
    Asset,
    AssetStatus,
    Release,
    ReleaseBundle,
    ReleaseMedia,
    ReleaseState,
    Trail,
)
from server.db.session import Database
from server.draft_checks import check_draft, errors_of
from server.draft_source import load_trail, to_source
from server.releases import PENDING, initial_state, make_current, release_of
from trails.bundle.canonical import canonical_json
from trails.bundle.manifest import build_manifest
from trails.bundle.model import BundleMedia
from trails.bundle.package import package_bundle
from trails.bundle.signing import Keyring
from trails.bundle.size import profile_size, size_report
from trails.bundle.source import trail_from_manifest
from trails.bundle.writer import bytes_chunks
from trails.errors import Conflict, FieldError, InvalidInput
from trails.messages import msg
from trails.source import TrailSource
from trails.storage_names import (
    audio_name,
    basemap_key,
    bundle_key,
    cover_key,
    cover_path,
    published_media_key,
    rendition_key,
    transcript_name,
)
from trails.summary import summarise
from trails.vocabulary import AUDIO_PROFILES, DEFAULT_TARGET_LUFS


class NotPublishable(Conflict, InvalidInput):
    """The trail cannot be published yet (a conflict with its state); every reason is listed."""

    title = "Trail cannot be published"

    def __init__(self, errors: list[FieldError]) -> None:
        InvalidInput.__init__(self, errors)


@dataclass
class _MediaSource:
    """How to describe and read each media path of a trail source, per profile."""

    audio: dict[str, Asset]
    transcripts: dict[str, bytes]
    images: dict[str, str] = field(default_factory=dict)  # media path -> cover hash


def _media_sources(session: Session, trail: Trail) -> _MediaSource:
    audio: dict[str, Asset] = {}
    transcripts: dict[str, bytes] = {}
    assets = []
    for stop in trail.stops:
        for version in stop.story.versions if stop.story else []:
            if version.audio is not None:
                assets.append(version.audio)
            if version.transcript_vtt is not None:
                data = version.transcript_vtt.encode("utf-8")
                transcripts[transcript_name(data)] = data
    assets.extend(layer.asset for layer in trail.ambience)
    assets.extend(obj.asset for obj in trail.objects)
    for asset in assets:
        audio[audio_name(asset.sha256, asset.filename)] = asset
    images = {}
    if trail.cover_sha256 is not None:
        images[cover_path(trail.cover_sha256)] = trail.cover_sha256
    return _MediaSource(audio, transcripts, images)


def problems(trail: Trail, sources: _MediaSource) -> list[FieldError]:
    """Everything that stops a trail from being published, listed at once."""
    found = []
    for _, asset in sorted(sources.audio.items()):
        field = f"media.{asset.filename}"
        # The asset's id lets the studio point at the file to replace.
        named = {"asset_id": asset.id, "filename": asset.filename, "status": asset.status.value}
        if asset.status == AssetStatus.failed:
            found.append(
                FieldError(
                    field,
                    named,
                    msg("processing failed: {failure_reason}", failure_reason=asset.failure_reason),
                )
            )
        elif asset.status == AssetStatus.pending:
            found.append(FieldError(field, named, msg("still being processed; try again shortly")))
        else:
            have = {r.profile for r in asset.renditions}
            for profile in AUDIO_PROFILES:
                if profile not in have:
                    found.append(
                        FieldError(field, named, msg("no {profile} rendition", profile=profile))
                    )
    if not trail.stops:
        found.append(FieldError("stops", [], msg("a trail needs at least one stop")))
    for stop in trail.stops:
        reason = why_not_publishable(stop.story) if stop.story is not None else None
        if reason is not None:
            named = {"stop": stop.key, "story_id": stop.story_id}
            found.append(FieldError(f"stops.{stop.key}.story", named, reason))
    return found


def _check_errors(trail: Trail, source: TrailSource) -> list[FieldError]:
    """The checks' errors, each naming its stop so that the studio can point at it."""
    ids = {stop.key: stop.id for stop in trail.stops}
    return [
        FieldError(
            f"stops.{item.stop}" if item.stop else "trail",
            {"check": item.code, "stop": item.stop, "stop_id": ids.get(item.stop or "")},
            item.message,
        )
        for item in errors_of(check_draft(trail, source))
    ]


_Media = tuple[Callable[[str], BundleMedia], dict[str, Callable[[], Iterator[bytes]]]]
"""How a bundle's media are described (by path) and read."""


def _bundle_media(profile: str, sources: _MediaSource, blobs: BlobStore) -> _Media:
    readers: dict[str, Callable[[], Iterator[bytes]]] = {}

    def lookup(path: str) -> BundleMedia:
        if path in sources.transcripts:
            data = sources.transcripts[path]
            item = BundleMedia(
                sha256=hashlib.sha256(data).hexdigest(),
                bytes=len(data),
                mime_type="text/vtt",
                extension="vtt",
                kind="transcript",
            )
            readers[item.path] = bytes_chunks(data)
            return item
        if path in sources.images:
            sha = sources.images[path]
            key = cover_key(sha)
            item = BundleMedia(
                sha256=sha,
                bytes=blobs.stat(key).size,
                mime_type=covers.MIME_TYPE,
                extension=covers.EXTENSION,
                kind="image",
            )
            readers[item.path] = lambda: blobs.open(key)
            return item
        asset = sources.audio[path]
        rendition = next(r for r in asset.renditions if r.profile == profile)
        extension = ENCODINGS[profile].extension.lstrip(".")
        item = BundleMedia(
            sha256=rendition.sha256,
            bytes=rendition.bytes,
            mime_type=rendition.mime_type,
            extension=extension,
            kind="audio",
            duration_s=rendition.duration_s,
            loudness_lufs=None if asset.loudness_lufs is None else DEFAULT_TARGET_LUFS,
        )
        key = rendition_key(rendition.sha256, f".{extension}")
        readers[item.path] = lambda: blobs.open(key)
        return item

    return lookup, readers


@dataclass(frozen=True)
class StoredBundle:
    """A bundle written to the blob store, not yet part of any release."""

    profile: str
    manifest: dict[str, Any]
    manifest_bytes: bytes
    signature: dict[str, str]
    sha256: str
    bytes: int
    report: dict[str, Any]


def _build(
    source: TrailSource,
    *,
    trail_id: str,
    number: int,
    profile: str,
    media: _Media,
    blobs: BlobStore,
    keyring: Keyring,
    publisher: str,
    now: datetime,
    basemap: dict[str, Any] | None = None,
) -> StoredBundle:
    key = keyring.current()
    lookup, readers = media
    manifest = build_manifest(
        source,
        trail_id=trail_id,
        release=number,
        profile=profile,
        media=lookup,
        publisher=publisher,
        key_id=key.id,
        built_at=now,
    )
    if basemap is not None:
        # Format 1.1's member; without a base map the manifest stays a 1.0 one, unchanged.
        # A 1.2 manifest (sound objects) keeps its higher minor.
        minor = max(manifest.get("format_minor", 0), 1)
        manifest = {**manifest, "format_minor": minor, "basemap": basemap}
    with tempfile.TemporaryDirectory(prefix="publish-") as tmp:
        out = Path(tmp) / "bundle.zip"
        # Renditions come from content-addressed storage, hashed when stored: the writer checks
        # their sizes and does not hash them again (phones verify every hash on arrival).
        built = package_bundle(
            out, manifest, key, lambda media: readers[media.path], verify_hashes=False
        )
        written = built.written
        with out.open("rb") as fh:
            blobs.put(bundle_key(written.sha256), fh, content_type="application/zip")
    manifest_bytes, signature = built.manifest_bytes, built.signature
    report = profile_size(manifest, written.bytes)
    return StoredBundle(
        profile, manifest, manifest_bytes, signature, written.sha256, written.bytes, report
    )


def _store_draft_copies(
    built: list[StoredBundle],
    media: dict[str, _Media],
    blobs: BlobStore,
) -> None:
    """Store the draft's transcripts and cover under their media path, once each.

    Renditions are already stored there; these come from the draft and are the same in
    every profile's bundle. A cut (:func:`cut_release`) reads them back from there.
    """
    stored: set[str] = set()
    for bundle in built:
        readers = media[bundle.profile][1]
        for row in bundle.manifest["media"]:
            if row["kind"] in ("transcript", "image") and row["path"] not in stored:
                stored.add(row["path"])
                blobs.put(
                    published_media_key(row["path"]),
                    readers[row["path"]](),
                    content_type=row["mime_type"],
                )


def address_taken(session: Session, slug: str, trail_id: int | None = None) -> bool:
    """Whether another trail has claimed ``slug`` as its public address (by publishing)."""
    query = select(Trail.id).where(Trail.address == slug)
    if trail_id is not None:
        query = query.where(Trail.id != trail_id)
    return session.scalar(query.limit(1)) is not None


def claim_address(session: Session, trail: Trail) -> None:
    """Make the trail's slug its public address, unless another trail has it (409).

    Addresses are server-wide because visitors reach trails by them alone; drafts' slugs
    are per organisation, so a name is only ever refused here for a *published* trail,
    whose address is public anyway. The unique index settles two first publishes at once.
    """
    if trail.address is not None:
        return
    if address_taken(session, trail.slug, trail.id):
        raise Conflict(
            msg(
                "the address '{slug}' is used by another published trail: duplicate "
                "this trail under another address to publish it",
                slug=trail.slug,
            )
        )
    trail.address = trail.slug
    try:
        session.flush()
    except IntegrityError:  # the caller's transaction is rolled back with this error
        raise Conflict(
            msg("the address '{slug}' was just taken by another trail", slug=trail.slug)
        ) from None


def _release_row(
    source: TrailSource, built: list[StoredBundle], trail_pk: int, number: int, now: datetime
) -> Release:
    """A release of stored bundles, its catalogue entry from ``source``; not yet added."""
    summary = summarise(source)
    public = dict(summary.public)
    if source.cover:
        public["cover"] = source.cover  # the catalogue links to it under /v1/media/
    release = Release(
        trail_id=trail_pk,
        number=number,
        manifest=public,
        manifest_sha256=hashlib.sha256(canonical_json(public)).hexdigest(),
        start_point=from_shape(Point(summary.start), srid=SRID),
        extent=from_shape(box(*summary.bbox.as_tuple()), srid=SRID),
        created_at=now,
        **catalogue_columns(public),
    )
    media: dict[str, dict[str, Any]] = {}
    for bundle in built:
        release.bundles.append(
            ReleaseBundle(
                profile=bundle.profile,
                manifest_bytes=bundle.manifest_bytes,
                manifest_sha256=hashlib.sha256(bundle.manifest_bytes).hexdigest(),
                signature=bundle.signature,
                bundle_sha256=bundle.sha256,
                bundle_bytes=bundle.bytes,
                size_report=bundle.report,
            )
        )
        for row in bundle.manifest["media"]:
            media[row["sha256"]] = row
    release.media = [
        ReleaseMedia(sha256=sha, path=row["path"], bytes=row["bytes"], mime_type=row["mime_type"])
        for sha, row in sorted(media.items())
    ]
    return release


def _add(session: Session, release: Release) -> None:
    session.add(release)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(
            msg("another release of this trail was published at the same moment; try again")
        ) from None


def publish(
    database: Database,
    blobs: BlobStore,
    keyring: Keyring,
    slug: str,
    *,
    publisher: str,
    organisation_id: int | None = None,
    now: datetime | None = None,
    notes: str | None = None,
    publish_at: datetime | None = None,
    needs_approval: bool = False,
    published_by: str | None = None,
    on_commit: Callable[[Session, Release], object] | None = None,
    basemap: BasemapConfig | None = None,
) -> Release:
    """Publish the trail's draft as a new release; refuse, listing why, if it can't.

    With ``basemap`` set, the tiles around the trail are packed and stored beside the
    bundles; a tile server that fails leaves the release without a map, never unpublished.

    By default the release goes live at once. With ``needs_approval`` it waits for a second
    editor; with a future ``publish_at`` it waits for that time (``server.releases``).
    ``on_commit`` runs in the transaction that records the release (for an audit entry).
    The first publish claims the trail's address server-wide (409 if another trail has it).
    """
    now = now or datetime.now(UTC)
    with database.transaction() as session:
        trail = load_trail(session, slug, organisation_id)
        claim_address(session, trail)
        source = to_source(session, trail)
        sources = _media_sources(session, trail)
        found = problems(trail, sources) + _check_errors(trail, source)
        for path, sha in sources.images.items():
            if not blobs.exists(cover_key(sha)):
                found.append(
                    FieldError("cover", path, msg("the cover is no longer stored; choose it again"))
                )
        if found:
            raise NotPublishable(found)
        last = session.scalar(select(func.max(Release.number)).where(Release.trail_id == trail.id))
        number = (last or 0) + 1
        trail_id, trail_pk = f"trail-{trail.id}", trail.id
        # Renditions are read while building; keep them loaded past the session.
        for asset in sources.audio.values():
            list(asset.renditions)
    media: dict[str, _Media] = {p: _bundle_media(p, sources, blobs) for p in AUDIO_PROFILES}
    outcome = _store_basemap(basemap, source, blobs)
    member = outcome.basemap.member if outcome and outcome.basemap else None
    # One thread per profile: each streams its own zip (I/O and hashing release the GIL).
    with ThreadPoolExecutor(max_workers=len(AUDIO_PROFILES)) as pool:
        built = list(
            pool.map(
                lambda profile: _build(
                    source,
                    trail_id=trail_id,
                    number=number,
                    profile=profile,
                    media=media[profile],
                    blobs=blobs,
                    keyring=keyring,
                    publisher=publisher,
                    now=now,
                    basemap=member,
                ),
                AUDIO_PROFILES,
            )
        )
    if outcome is not None:
        for bundle in built:
            bundle.report["basemap"] = outcome.report()
    _store_draft_copies(built, media, blobs)
    with database.transaction() as session:
        trail = session.get_one(Trail, trail_pk)
        release = _release_row(source, built, trail_pk, number, now)
        release.visibility = trail.visibility
        release.valid_from, release.valid_until = trail.valid_from, trail.valid_until
        release.state = initial_state(needs_approval=needs_approval, publish_at=publish_at, now=now)
        release.notes, release.publish_at = notes, publish_at
        release.published_by = published_by
        _add(session, release)
        if release.state == ReleaseState.live:
            make_current(session, trail, release, now)
        if on_commit is not None:
            on_commit(session, release)
        session.flush()
    return release


def _store_basemap(
    config: BasemapConfig | None, source: TrailSource, blobs: BlobStore
) -> Outcome | None:
    """Pack and store the release's base map (content-addressed, before the release commits)."""
    if config is None:
        return None
    outcome = build_basemap(config, list(summarise(source).bbox.as_tuple()))
    if outcome.basemap is not None:
        key = basemap_key(outcome.basemap.member["sha256"])
        if not blobs.exists(key):
            blobs.put(key, [outcome.basemap.data], content_type="application/vnd.pmtiles")
    return outcome


def release_size_report(release: Release, warn_bytes: int) -> dict[str, Any]:
    """The size report of a release: bytes per profile, per stop and per minute of audio.

    With the base map's outcome when publishing tried to pack one (``basemap``; a map left
    out, or zooms dropped for the size cap, is also a warning).
    """
    manifests = {b.profile: json.loads(b.manifest_bytes) for b in release.bundles}
    sizes = {b.profile: b.bundle_bytes for b in release.bundles}
    report = size_report(manifests, sizes, warn_bytes=warn_bytes)
    outcomes = [b.size_report["basemap"] for b in release.bundles if "basemap" in b.size_report]
    outcome = outcomes[0] if outcomes else None
    if outcome is not None:
        report["basemap"] = outcome
        if outcome["reason"]:
            report["warnings"].append(f"base map: {outcome['reason']}")
    return report


def manifest_without(manifest: dict[str, Any], withheld: set[str]) -> dict[str, Any]:
    """A release's manifest less every story and ambience that plays any of ``withheld``.

    The stop itself stays, silent, as it stays in the draft. All the cues of a stop are one
    story's, so one withheld file takes the whole story out, its other languages too.
    """
    sha_of = {row["path"]: row["sha256"] for row in manifest["media"]}

    def plays(*paths: str | None) -> bool:
        return any(path is not None and sha_of.get(path) in withheld for path in paths)

    stops = []
    for stop in manifest["stops"]:
        cues = list(stop["cues"].values())
        if plays(*(c["audio"] for c in cues), *(c["transcript"] for c in cues)):
            stop = {**stop, "role": None, "credits": [], "licence": None, "cues": {}}
        stops.append(stop)
    ambience = [layer for layer in manifest["ambience"] if not plays(layer["audio"])]
    return {**manifest, "stops": stops, "ambience": ambience}


def _stored_media(table: dict[str, BundleMedia], blobs: BlobStore) -> _Media:
    """Media of a published bundle, described by its table and read from where it is stored."""
    readers: dict[str, Callable[[], Iterator[bytes]]] = {
        path: partial(blobs.open, published_media_key(path)) for path in table
    }
    return table.__getitem__, readers


def cut_release(
    database: Database,
    blobs: BlobStore,
    keyring: Keyring,
    release_id: int,
    withheld: set[str],
    *,
    notes: str,
    now: datetime | None = None,
    on_commit: Callable[[Session, Release, Release], object] | None = None,
) -> Release | None:
    """Build a release again without the media ``withheld``, to stand in its place.

    The content is the release's own, less what :func:`manifest_without` takes out: never
    the draft, whose changes may still wait for a second editor. A live release is replaced
    at once and leaves the releases waiting for approval or for their time waiting; a waiting
    one is replaced by a cut in the same state, with its time, publisher and approval (its
    content is a part of what was approved). Returns None, building nothing, when the
    release is neither live nor waiting any more; raises :class:`NotPublishable` when a file
    the cut needs is no longer stored. ``on_commit(session, original, cut)`` runs in the
    transaction that records the cut.
    """
    now = now or datetime.now(UTC)
    with database.transaction() as session:
        original = session.get_one(Release, release_id)
        trail = session.get_one(Trail, original.trail_id)
        if trail.current_release_id != original.id and original.state not in PENDING:
            return None
        trail_pk = trail.id
        manifests = {
            b.profile: manifest_without(json.loads(b.manifest_bytes), withheld)
            for b in original.bundles
        }
        last = session.scalar(select(func.max(Release.number)).where(Release.trail_id == trail_pk))
        number = (last or 0) + 1
    if not manifests:
        raise NotPublishable(
            [FieldError("bundles", release_id, msg("this release has no bundles"))]
        )
    try:
        sources = {profile: trail_from_manifest(m) for profile, m in manifests.items()}
    except InvalidInput as exc:
        raise NotPublishable(exc.errors) from None
    tables = {
        profile: {row["path"]: BundleMedia.from_dict(row) for row in m["media"]}
        for profile, m in manifests.items()
    }
    needed = {path for source in sources.values() for path in source.media_paths()}
    missing = sorted(path for path in needed if not blobs.exists(published_media_key(path)))
    if missing:
        raise NotPublishable(
            [FieldError("media", path, msg("this file is no longer stored")) for path in missing]
        )
    profiles = sorted(manifests)
    with ThreadPoolExecutor(max_workers=max(len(profiles), 1)) as pool:
        built = list(
            pool.map(
                lambda profile: _build(
                    sources[profile],
                    trail_id=manifests[profile]["trail"]["id"],
                    number=number,
                    profile=profile,
                    media=_stored_media(tables[profile], blobs),
                    blobs=blobs,
                    keyring=keyring,
                    # The publisher the release was approved under, as everything else.
                    publisher=manifests[profile]["publisher"],
                    now=now,
                    basemap=manifests[profile].get("basemap"),
                ),
                profiles,
            )
        )
    with database.transaction() as session:
        original = session.get_one(Release, release_id, with_for_update=True)
        trail = session.get_one(Trail, trail_pk)
        live = trail.current_release_id == original.id
        if not live and original.state not in PENDING:
            return None  # approved, gone live or superseded meanwhile; its bundles are orphans
        cut = _release_row(sources[profiles[0]], built, trail_pk, number, now)
        cut.visibility = original.visibility
        cut.valid_from, cut.valid_until = original.valid_from, original.valid_until
        cut.notes = f"{original.notes}\n{notes}" if original.notes else notes
        cut.publish_at = original.publish_at
        cut.published_by, cut.approved_by = original.published_by, original.approved_by
        cut.state = ReleaseState.live if live else original.state
        _add(session, cut)
        if live:
            make_current(session, trail, cut, now, supersede_waiting=False)
        else:
            original.state = ReleaseState.superseded
        if on_commit is not None:
            on_commit(session, original, cut)
        session.flush()
    return cut


def rollback(
    database: Database, slug: str, number: int, organisation_id: int | None = None
) -> Release:
    """Make an earlier (immutable) release of a trail, one that has been live, current again."""
    with database.transaction() as session:
        trail = load_trail(session, slug, organisation_id)
        release = release_of(session, trail, number)
        if release.state in PENDING:
            raise Conflict(
                msg("release {number} of '{slug}' has never been live", number=number, slug=slug)
            )
        make_current(session, trail, release, datetime.now(UTC))
        return release
