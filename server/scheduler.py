"""A small background clock: scheduled releases go live, abandoned uploads are removed,
ended windows of the attempt limiter are forgotten."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from media.blobs import BlobStore
from server.auth.ratelimit import purge_expired
from server.db.session import Database
from server.gc import orphan_bundles
from server.releases import Activated, activate_due
from server.settings import Settings
from server.uploads import remove_expired

log = logging.getLogger(__name__)
COLLECT_EVERY_S = 3600.0


@dataclass(frozen=True)
class Tick:
    """What one tick did."""

    activated: list[Activated] = field(default_factory=list)
    uploads_removed: int = 0
    bundles_removed: list[str] = field(default_factory=list)


def tick(
    database: Database,
    uploads_root: Path | None,
    now: datetime | None = None,
    blobs: BlobStore | None = None,
) -> Tick:
    """Run the periodic duties once, at ``now`` (with ``blobs``, also collect orphan bundles)."""
    now = now or datetime.now(UTC)
    activated = activate_due(database, now)
    for item in activated:
        log.info("scheduled release %s of %s is live", item.number, item.slug)
    removed = 0
    if uploads_root is not None:
        with database.transaction() as session:
            removed = remove_expired(session, uploads_root, now)
    bundles = orphan_bundles(database, blobs, now=now) if blobs is not None else []
    # Ended windows of the attempt limiter: a new attempt would start them again anyway.
    purge_expired(database.engine, now.timestamp())
    return Tick(activated, removed, bundles)


def start(
    database: Database, settings: Settings, blobs: BlobStore | None = None
) -> Callable[[], None]:
    """Tick every ``scheduler_interval_s`` in a daemon thread; return a function that stops it.

    The first tick runs at once, so what a crash left behind is tidied at start-up. Orphan
    bundles are looked for at most once an hour (listing a bucket is not free).
    An interval of 0 disables the clock (another process runs it).
    """
    interval = settings.scheduler_interval_s
    if interval <= 0:
        return lambda: None
    stopping = threading.Event()
    uploads_root = settings.upload_dir

    def loop() -> None:
        last_collect = float("-inf")
        while True:
            collect = time.monotonic() - last_collect >= COLLECT_EVERY_S
            try:
                tick(database, uploads_root, blobs=blobs if collect else None)
                if collect:
                    last_collect = time.monotonic()
            except Exception:
                # A database hiccup must not stop the clock: the next tick tries again.
                log.exception("scheduler tick failed")
            if stopping.wait(interval):
                return

    thread = threading.Thread(target=loop, name="baladeur-scheduler", daemon=True)
    thread.start()

    def stop() -> None:
        stopping.set()
        thread.join(timeout=interval + 5)

    return stop
