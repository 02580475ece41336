"""Collect bundle blobs that no release refers to (left by a publish that was interrupted).

Publishing writes bundles before the transaction that makes them part of a release; a
crash in between leaves content-addressed blobs nobody can reach. They are deleted once
older than a grace period, so a publish in progress is never robbed of its bundles.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from media.blobs import BlobStore
from server.db.models import ReleaseBundle
from server.db.session import Database
from trails.storage_names import BUNDLE_PREFIX, bundle_sha256

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
