"""``baladeur serve``: run the HTTP server."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

import typer

from server.commands.output import console
from server.db.engine import redacted
from server.db.session import Database
from server.logs import configure
from server.settings import Settings


def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(
        int(os.environ.get("PORT", "8000")), help="Port (default: $PORT or 8000)."
    ),
    workers: int | None = typer.Option(
        None,
        "--workers",
        min=1,
        help="HTTP worker processes (default: BALADEUR_SERVE_WORKERS, else 1).",
    ),
) -> None:
    """Serve the API, the studio (/studio) and the visitor player (/play) until interrupted.

    The embedded SpatiaLite database is created, or brought up to date, first. A PostgreSQL
    database (BALADEUR_DATABASE_URL) must already be: run `baladeur db upgrade` once before
    starting the replicas.
    """
    # Imported here: every `baladeur` command, even `--help`, would load the whole app.
    import uvicorn

    from server.app import create_app
    from server.db import migrate
    from server.serving import WORKER_APP, FrozenAfterStartup, uvicorn_options, worker_options

    settings = Settings()
    configure(settings.log_level, settings.log_format)
    # Alembic logs each migration step; the one line printed below says what happened.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # Fail here, with a clear message, rather than inside the server's start-up: the
    # database must answer and have the schema this version needs (the embedded SpatiaLite
    # file is brought up to date, an external database refused until migrated).
    db = Database.from_settings(settings)
    try:
        migrated = migrate.ready_to_serve(db.engine)
    finally:
        db.dispose()
    if migrated is not None:
        before, after = migrated
        console.print(
            f"database {redacted(settings.resolved_database_url)} brought up to date: "
            f"revision {after} (was {before or 'empty'})",
            highlight=False,
            soft_wrap=True,
        )
    base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    console.print("[bold]Baladeur[/] is starting:")
    console.print(f"  studio (authors)     {base}/studio", highlight=False, soft_wrap=True)
    admin_file = settings.resolved_data_dir / "first-admin.txt"
    if admin_file.exists():
        console.print(
            f"                       sign in with the account in {admin_file}",
            highlight=False,
            soft_wrap=True,
        )
    console.print(f"  player (visitors)    {base}/play", highlight=False, soft_wrap=True)
    console.print(f"  trails (public API)  {base}/v1/trails", highlight=False, soft_wrap=True)
    console.print(
        f"  demo trail           {base}/v1/trails/moulin-de-marchienne",
        highlight=False,
        soft_wrap=True,
    )
    console.print(
        f"  demo bundle          {base}/v1/trails/moulin-de-marchienne/bundle",
        highlight=False,
        soft_wrap=True,
    )
    console.print(f"  API documentation    {base}/docs", highlight=False, soft_wrap=True)
    console.print(f"  health               {base}/healthz", highlight=False, soft_wrap=True)
    processes = workers or settings.serve_workers
    if processes == 1:
        app = FrozenAfterStartup(create_app(settings))
        uvicorn.run(app, host=host, port=port, log_config=None, **uvicorn_options(settings))
        return
    console.print(f"  {processes} worker processes", highlight=False)
    stop_jobs = _jobs_in_this_process(settings)
    try:
        uvicorn.run(
            WORKER_APP, host=host, port=port, log_config=None, **worker_options(settings, processes)
        )
    finally:
        stop_jobs()


def _jobs_in_this_process(settings: Settings) -> Callable[[], None]:
    """With several worker processes, the embedded mode's job threads run here, once.

    Each worker process would otherwise start its own, and queue the unfinished jobs again
    at its start: N copies of each. The workers inherit the setting that turns theirs off.
    """
    if not settings.inprocess_worker:
        return lambda: None
    from server.jobs import Jobs, start_embedded

    os.environ["BALADEUR_INPROCESS_WORKER"] = "false"
    return start_embedded(Jobs(settings), settings.workers or os.cpu_count() or 1)
