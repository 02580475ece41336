"""A small background clock: scheduled releases go live, abandoned uploads are removed,
ended windows of the attempt limiter are forgotten; one process at a time, under a lease."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from media.blobs import BlobStore
from server.auth.ratelimit import purge_expired
from server.db.session import Database
from server.gc import orphan_basemaps, orphan_bundles, orphan_renders
from server.lease import Lease
from server.releases import Activated, activate_due
from server.settings import Settings
from server.uploads import remove_expired

log = logging.getLogger(__name__)
COLLECT_EVERY_S = 3600.0
LEASE = "scheduler"


@dataclass(frozen=True)
class Tick:
    """What one tick did."""

    activated: list[Activated] = field(default_factory=list)
    uploads_removed: int = 0
    # Orphan blobs collected: bundles, base maps and render files.
    bundles_removed: list[str] = field(default_factory=list)


def tick(
    database: Database,
    blobs: BlobStore | None,
    now: datetime | None = None,
    *,
    collect: bool = False,
) -> Tick:
    """Run the periodic duties once, at ``now``.

    With ``blobs``, expired unfinished uploads are removed with their pieces, and with
    ``collect`` too, orphan bundles, base maps and render files are collected.
    """
    now = now or datetime.now(UTC)
    activated = activate_due(database, now)
    for item in activated:
        log.info("scheduled release %s of %s is live", item.number, item.slug)
    removed = 0
    if blobs is not None:
        with database.transaction() as session:
            removed = remove_expired(session, blobs, now)
    bundles = []
    if blobs is not None and collect:
        bundles = (
            orphan_bundles(database, blobs, now=now)
            + orphan_basemaps(database, blobs, now=now)
            + orphan_renders(database, blobs, now=now)
        )
    # Ended windows of the attempt limiter: a new attempt would start them again anyway.
    purge_expired(database.engine, now.timestamp())
    return Tick(activated, removed, bundles)


def start(
    database: Database, settings: Settings, blobs: BlobStore | None = None
) -> Callable[[], None]:
    """Tick every ``scheduler_interval_s`` in a daemon thread while holding the lease.

    Every ``serve`` and ``worker`` process starts this clock, but only the holder of the
    scheduler's lease (see ``server/lease.py``) ticks; the others try to take the lease over
    four times per lease length, and the one that gets it ticks at once, so what a dead
    holder (or a crash) left behind is tidied soon. Orphan bundles are looked for at most
    once an hour per holder (listing a bucket is not free). An interval of 0 disables the
    clock in this process. Returns a function that stops it and gives the lease up.
    """
    interval = settings.scheduler_interval_s
    if interval <= 0:
        return lambda: None
    stopping = threading.Event()
    lease = Lease(database.engine, LEASE, settings.scheduler_lease_s)
    period = min(interval, settings.scheduler_lease_s / 4)

    def loop() -> None:
        last_collect = float("-inf")
        next_tick = 0.0
        held = False
        while True:
            try:
                holding = lease.hold()
            except Exception:
                # An unreachable database: nobody can tick anyway; try again next period.
                log.exception("scheduler lease could not be renewed")
                holding = False
            if holding != held:
                held = holding
                next_tick = 0.0
                log.info("scheduler lease %s by %s", "taken" if held else "lost", lease.holder)
            if held and time.monotonic() >= next_tick:
                collect = time.monotonic() - last_collect >= COLLECT_EVERY_S
                try:
                    tick(database, blobs, collect=collect)
                    if collect:
                        last_collect = time.monotonic()
                except Exception:
                    # A database hiccup must not stop the clock: the next tick tries again.
                    log.exception("scheduler tick failed")
                next_tick = time.monotonic() + interval
            if stopping.wait(period):
                return

    thread = threading.Thread(target=loop, name="baladeur-scheduler", daemon=True)
    thread.start()

    def stop() -> None:
        stopping.set()
        thread.join(timeout=interval + 5)
        try:
            lease.release()
        except Exception:
            # Unreleased, the lease simply expires: another process takes over then.
            log.exception("scheduler lease could not be given up")

    return stop
