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
from server.draft_source import load_trail, to_source
from server.releases import PENDING, initial_state, make_current, release_of
from trails.bundle.canonical import canonical_json
from trails.bundle.manifest import build_manifest
from trails.bundle.model import BundleMedia
from trails.bundle.package import package_bundle
from trails.bundle.signing import Keyring
from trails.bundle.size import profile_size, size_report
from trails.bundle.writer import bytes_chunks
from trails.errors import Conflict, FieldError, InvalidInput
from trails.source import TrailSource
from trails.storage_names import (
    audio_name,
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
            found.append(FieldError(field, named, f"processing failed: {asset.failure_reason}"))
        elif asset.status == AssetStatus.pending:
            found.append(FieldError(field, named, "still being processed; try again shortly"))
        else:
            have = {r.profile for r in asset.renditions}
            for profile in AUDIO_PROFILES:
                if profile not in have:
                    found.append(FieldError(field, named, f"no {profile} rendition"))
    if not trail.stops:
        found.append(FieldError("stops", [], "a trail needs at least one stop"))
    for stop in trail.stops:
        reason = why_not_publishable(stop.story) if stop.story is not None else None
        if reason is not None:
            named = {"stop": stop.key, "story_id": stop.story_id}
            found.append(FieldError(f"stops.{stop.key}.story", named, reason))
    return found


def _bundle_media(
    profile: str, sources: _MediaSource, blobs: BlobStore
) -> tuple[Callable[[str], BundleMedia], dict[str, Callable[[], Iterator[bytes]]]]:
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
    sources: _MediaSource,
    blobs: BlobStore,
    keyring: Keyring,
    publisher: str,
    now: datetime,
) -> StoredBundle:
    key = keyring.current()
    lookup, readers = _bundle_media(profile, sources, blobs)
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
    for row in manifest["media"]:
        # Renditions are already stored under their media path; these are not.
        if row["kind"] in ("transcript", "image"):
            blobs.put(
                published_media_key(row["path"]),
                readers[row["path"]](),
                content_type=row["mime_type"],
            )
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


def publish(
    database: Database,
    blobs: BlobStore,
    keyring: Keyring,
    slug: str,
    *,
    publisher: str,
    now: datetime | None = None,
    notes: str | None = None,
    publish_at: datetime | None = None,
    needs_approval: bool = False,
    published_by: str | None = None,
    on_commit: Callable[[Session, Release], object] | None = None,
) -> Release:
    """Publish the trail's draft as a new release; refuse, listing why, if it can't.

    By default the release goes live at once. With ``needs_approval`` it waits for a second
    editor; with a future ``publish_at`` it waits for that time (``server.releases``).
    ``on_commit`` runs in the transaction that records the release (for an audit entry).
    """
    now = now or datetime.now(UTC)
    with database.transaction() as session:
        trail = load_trail(session, slug)
        source = to_source(session, trail)
        sources = _media_sources(session, trail)
        found = problems(trail, sources)
        for path, sha in sources.images.items():
            if not blobs.exists(cover_key(sha)):
                found.append(
                    FieldError("cover", path, "the cover is no longer stored; choose it again")
                )
        if found:
            raise NotPublishable(found)
        last = session.scalar(select(func.max(Release.number)).where(Release.trail_id == trail.id))
        number = (last or 0) + 1
        trail_id, trail_pk = f"trail-{trail.id}", trail.id
        # Renditions are read while building; keep them loaded past the session.
        for asset in sources.audio.values():
            list(asset.renditions)
    # One thread per profile: each streams its own zip (I/O and hashing release the GIL).
    with ThreadPoolExecutor(max_workers=len(AUDIO_PROFILES)) as pool:
        built = list(
            pool.map(
                lambda profile: _build(
                    source,
                    trail_id=trail_id,
                    number=number,
                    profile=profile,
                    sources=sources,
                    blobs=blobs,
                    keyring=keyring,
                    publisher=publisher,
                    now=now,
                ),
                AUDIO_PROFILES,
            )
        )
    summary = summarise(source)
    public = dict(summary.public)
    if source.cover:
        public["cover"] = source.cover  # the catalogue links to it under /v1/media/
    with database.transaction() as session:
        trail = session.get_one(Trail, trail_pk)
        release = Release(
            trail_id=trail_pk,
            number=number,
            manifest=public,
            manifest_sha256=hashlib.sha256(canonical_json(public)).hexdigest(),
            start_point=from_shape(Point(summary.start), srid=SRID),
            extent=from_shape(box(*summary.bbox.as_tuple()), srid=SRID),
            visibility=trail.visibility,
            valid_from=trail.valid_from,
            valid_until=trail.valid_until,
            created_at=now,
            state=initial_state(needs_approval=needs_approval, publish_at=publish_at, now=now),
            notes=notes,
            publish_at=publish_at,
            published_by=published_by,
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
            ReleaseMedia(
                sha256=sha, path=row["path"], bytes=row["bytes"], mime_type=row["mime_type"]
            )
            for sha, row in sorted(media.items())
        ]
        session.add(release)
        try:
            session.flush()
        except IntegrityError:
            raise Conflict(
                "another release of this trail was published at the same moment; try again"
            ) from None
        if release.state == ReleaseState.live:
            make_current(session, trail, release, now)
        if on_commit is not None:
            on_commit(session, release)
        session.flush()
    return release


def release_size_report(release: Release, warn_bytes: int) -> dict[str, Any]:
    """The size report of a release: bytes per profile, per stop and per minute of audio."""
    manifests = {b.profile: json.loads(b.manifest_bytes) for b in release.bundles}
    sizes = {b.profile: b.bundle_bytes for b in release.bundles}
    return size_report(manifests, sizes, warn_bytes=warn_bytes)


def rollback(database: Database, slug: str, number: int) -> Release:
    """Make an earlier (immutable) release of a trail, one that has been live, current again."""
    with database.transaction() as session:
        trail = load_trail(session, slug)
        release = release_of(session, trail, number)
        if release.state in PENDING:
            raise Conflict(f"release {number} of '{slug}' has never been live")
        make_current(session, trail, release, datetime.now(UTC))
        return release
