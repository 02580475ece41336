"""Collect bundle and base map blobs that no release refers to (left by a publish that was
interrupted), and render files whose row is gone (a deleted trail, a crash mid-withdrawal).

Publishing writes bundles and base maps before the transaction that makes them part of a release; a
crash in between leaves content-addressed blobs nobody can reach. They are deleted once
older than a grace period, so a publish in progress is never robbed of its bundles.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from media.blobs import BlobInfo, BlobStore
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


def _sweep(
    blobs: BlobStore,
    stored: list[BlobInfo],
    kept: Callable[[str], bool],
    *,
    grace: timedelta,
    now: datetime | None,
    what: str,
) -> list[str]:
    """Delete the stored blobs ``kept`` refuses that are older than ``grace``; their keys."""
    cutoff = (now or datetime.now(UTC)) - grace
    removed = []
    for info in stored:
        old_enough = info.modified_at is not None and info.modified_at <= cutoff
        if old_enough and not kept(info.key):
            blobs.delete(info.key)
            removed.append(info.key)
    if removed:
        log.info("removed %d %s", len(removed), what)
    return removed


def orphan_bundles(
    database: Database,
    blobs: BlobStore,
    *,
    grace: timedelta = DEFAULT_GRACE,
    now: datetime | None = None,
) -> list[str]:
    """Delete unreferenced bundle blobs older than ``grace``; return their keys."""
    # Listed before reading the references: a bundle committed in between is then known.
    stored = list(blobs.scan(BUNDLE_PREFIX))
    with database.transaction() as session:
        referenced = set(session.scalars(select(ReleaseBundle.bundle_sha256)))
    return _sweep(
        blobs,
        stored,
        lambda key: bundle_sha256(key) in referenced,
        grace=grace,
        now=now,
        what="unreferenced bundle(s)",
    )


def orphan_basemaps(
    database: Database,
    blobs: BlobStore,
    *,
    grace: timedelta = DEFAULT_GRACE,
    now: datetime | None = None,
) -> list[str]:
    """Delete base map archives no release's manifest names, older than ``grace``; their keys."""
    stored = list(blobs.scan(BASEMAP_PREFIX))
    if not stored:
        return []
    referenced = set()
    with database.transaction() as session:
        for data in session.scalars(select(ReleaseBundle.manifest_bytes)):
            if b'"basemap"' in data:  # most manifests have none: skip parsing them
                referenced.add(json.loads(data)["basemap"]["sha256"])
    return _sweep(
        blobs,
        stored,
        lambda key: basemap_sha256(key) in referenced,
        grace=grace,
        now=now,
        what="unreferenced base map(s)",
    )


def orphan_renders(
    database: Database,
    blobs: BlobStore,
    *,
    grace: timedelta = DEFAULT_GRACE,
    now: datetime | None = None,
) -> list[str]:
    """Delete render files whose render is no longer recorded, older than ``grace``."""
    stored = list(blobs.scan(RENDER_PREFIX))
    if not stored:
        return []
    with database.transaction() as session:
        recorded = set(session.scalars(select(Render.id)))
    return _sweep(
        blobs,
        stored,
        lambda key: render_id_of(key) in recorded,
        grace=grace,
        now=now,
        what="unrecorded render file(s)",
    )
