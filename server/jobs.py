"""Background jobs on huey: an embedded SQLite queue by default, Redis in the scale mode."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from huey.api import Task
from huey.consumer import Consumer
from sqlalchemy import select

from media.blobs import BlobStore
from media.limits import MediaLimits
from server.blobs import make_blob_store
from server.db.models import Asset, AssetStatus
from server.db.session import Database
from server.ingest import Transient, clean_stale_workdirs, process_asset
from server.renders import run_render, unfinished
from server.settings import Settings

log = logging.getLogger(__name__)

INGEST_RETRIES = 3


def make_huey(settings: Settings, *, immediate: bool = False) -> Huey:
    """The queue the settings ask for; ``immediate`` runs tasks at once (tests)."""
    if immediate:
        return MemoryHuey("baladeur", immediate=True)
    if settings.redis_url:
        return RedisHuey("baladeur", url=settings.redis_url)
    return SqliteHuey("baladeur", filename=str(settings.resolved_data_dir / "jobs.db"))


class Jobs:
    """The application's job queue and its tasks, bound to one set of resources."""

    def __init__(
        self,
        settings: Settings,
        *,
        huey: Huey | None = None,
        database: Database | None = None,
        blobs: BlobStore | None = None,
    ) -> None:
        self.settings = settings
        self.huey = huey or make_huey(settings)
        self._database = database
        self._blobs = blobs
        self._ingest = self.huey.task(
            retries=INGEST_RETRIES, retry_delay=2, context=True, name="ingest_asset"
        )(self._run_ingest)
        # No retries: a failed render says why, and the author asks again.
        self._render = self.huey.task(name="render_walk")(self._run_render)

    @cached_property
    def database(self) -> Database:
        """The database; opened on first use so that producers stay light."""
        return self._database or Database.from_settings(self.settings)

    @cached_property
    def blobs(self) -> BlobStore:
        """The blob store."""
        return self._blobs or make_blob_store(self.settings)

    @property
    def limits(self) -> MediaLimits:
        """Media limits from the settings."""
        return self.settings.media_limits()

    @property
    def work_root(self) -> Path:
        """Where jobs keep their working files."""
        return self.settings.resolved_data_dir / "work"

    def ingest(self, asset_id: int) -> Any:
        """Queue the ingest of an asset (loudness and renditions)."""
        return self._ingest(asset_id)

    def render(self, render_id: str) -> Any:
        """Queue the offline render of a simulated walk."""
        return self._render(render_id)

    def _run_render(self, render_id: str) -> str:
        return run_render(self.database, self.blobs, render_id, self.work_root)

    def _run_ingest(self, asset_id: int, task: Task | None = None) -> str:
        final = task is None or task.retries == 0
        try:
            status = process_asset(
                self.database,
                self.blobs,
                asset_id,
                limits=self.limits,
                timeout_s=self.settings.job_timeout_s,
                final_attempt=final,
                work_root=self.work_root,
            )
        except Transient:
            log.warning("ingest of asset %s will be retried", asset_id)
            raise
        return status.value

    def requeue_unfinished(self) -> int:
        """Queue every pending asset and unfinished render again: a worker killed mid-job
        loses its message.

        Working files that killed workers left behind are removed first.
        """
        clean_stale_workdirs(self.work_root)
        with self.database.transaction() as session:
            pending = session.scalars(
                select(Asset.id).where(Asset.status == AssetStatus.pending)
            ).all()
            renders = unfinished(session)
        for asset_id in pending:
            self.ingest(asset_id)
        for render_id in renders:
            self.render(render_id)
        return len(pending) + len(renders)

    def consumer(self, workers: int) -> Consumer:
        """A huey consumer running ``workers`` threads."""
        return self.huey.create_consumer(workers=workers, worker_type="thread", periodic=False)


class _EmbeddedConsumer(Consumer):
    """A consumer that leaves signal handling to the web server it runs inside."""

    def _set_signal_handlers(self) -> None:
        pass


def start_embedded(jobs: Jobs, workers: int) -> Callable[[], None]:
    """Run job workers as threads of this process (embedded mode); returns a stop function."""
    consumer = _EmbeddedConsumer(jobs.huey, workers=workers, worker_type="thread", periodic=False)
    jobs.requeue_unfinished()
    consumer.start()

    def stop() -> None:
        consumer.stop(graceful=True)

    return stop
