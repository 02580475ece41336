"""Collect bundle and base map blobs that no release refers to (left by a publish that was
interrupted), and render files whose row is gone (a deleted trail, a crash mid-withdrawal).

Publishing writes bundles and base maps before the transaction that makes them part of a release; a
crash in between leaves content-addressed blobs nobody can reach. They are deleted once
older than a grace period, so a publish in progress is never robbed of its bundles.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from media.blobs import BlobStore
from server.db.models import ReleaseBundle, Render
from server.db.session import Database
from trails.storage_names import (
    BASEMAP_PREFIX,
    BUNDLE_PREFIX,
    RENDER_PREFIX,
    basemap_sha256,
    bundle_sha256,
    render_id_of,
)

log = logging.getLogger(__name__)
DEFAULT_GRACE = timedelta(hours=1)


def orphan_bundles(
    database: Database,
    blobs: BlobStore,
    *,
    grace: timedelta = DEFAULT_GRACE,
    now: datetime | None = None,
) -> list[str]:
    """Delete unreferenced bundle blobs older than ``grace``; return their keys."""
    now = now or datetime.now(UTC)
    # Listed before reading the references: a bundle committed in between is then known.
    stored = list(blobs.scan(BUNDLE_PREFIX))
    with database.transaction() as session:
        referenced = set(session.scalars(select(ReleaseBundle.bundle_sha256)))
    removed = []
    for info in stored:
        sha = bundle_sha256(info.key)
        old_enough = info.modified_at is not None and info.modified_at <= now - grace
        if sha not in referenced and old_enough:
            blobs.delete(info.key)
            removed.append(info.key)
    if removed:
        log.info("removed %d unreferenced bundle(s)", len(removed))
    return removed


def orphan_basemaps(
    database: Database,
    blobs: BlobStore,
    *,
    grace: timedelta = DEFAULT_GRACE,
    now: datetime | None = None,
) -> list[str]:
    """Delete base map archives no release's manifest names, older than ``grace``; their keys."""
    now = now or datetime.now(UTC)
    stored = list(blobs.scan(BASEMAP_PREFIX))
    if not stored:
        return []
    referenced = set()
    with database.transaction() as session:
        for data in session.scalars(select(ReleaseBundle.manifest_bytes)):
            if b'"basemap"' in data:  # most manifests have none: skip parsing them
                referenced.add(json.loads(data)["basemap"]["sha256"])
    removed = []
    for info in stored:
        old_enough = info.modified_at is not None and info.modified_at <= now - grace
        if basemap_sha256(info.key) not in referenced and old_enough:
            blobs.delete(info.key)
            removed.append(info.key)
    if removed:
        log.info("removed %d unreferenced base map(s)", len(removed))
    return removed


def orphan_renders(
    database: Database,
    blobs: BlobStore,
    *,
    grace: timedelta = DEFAULT_GRACE,
    now: datetime | None = None,
) -> list[str]:
    """Delete render files whose render is no longer recorded, older than ``grace``."""
    now = now or datetime.now(UTC)
    stored = list(blobs.scan(RENDER_PREFIX))
    if not stored:
        return []
    with database.transaction() as session:
        recorded = set(session.scalars(select(Render.id)))
    removed = []
    for info in stored:
        old_enough = info.modified_at is not None and info.modified_at <= now - grace
        if render_id_of(info.key) not in recorded and old_enough:
            blobs.delete(info.key)
            removed.append(info.key)
    if removed:
        log.info("removed %d unrecorded render file(s)", len(removed))
    return removed
