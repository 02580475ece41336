"""``baladeur worker``: run background jobs (scale mode, or beside a server)."""

from __future__ import annotations

import os

import typer

from server import scheduler
from server.commands.output import console
from server.db.session import Database
from server.jobs import Jobs
from server.logs import configure
from server.settings import Settings


def worker(
    workers: int = typer.Option(0, help="Worker threads (default: the setting, else per core)."),
) -> None:
    """Process jobs (audio ingest) until interrupted; unfinished jobs are queued again first.

    The worker also puts scheduled releases live when their time comes, while it holds the
    scheduler's lease (one process at a time does, among every worker and server).
    """
    settings = Settings()
    configure(settings.log_level, settings.log_format)
    jobs = Jobs(settings)
    count = workers or settings.workers or os.cpu_count() or 1
    requeued = jobs.requeue_unfinished()
    queue = "Redis" if settings.redis_url else "the embedded queue"
    console.print(f"worker: {count} threads on {queue}; {requeued} unfinished jobs queued again")
    database = Database.from_settings(settings)
    stop_clock = scheduler.start(database, settings, jobs.blobs)
    try:
        jobs.consumer(count).run()
    finally:
        stop_clock()
        database.dispose()
