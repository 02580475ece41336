"""A real uvicorn server on loopback, in a thread, for tests that need real HTTP."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from media.blobs.local import LocalBlobStore
from server.app import create_app
from server.db.session import Database
from server.jobs import Jobs, make_huey
from server.serving import uvicorn_options
from server.settings import Settings
from tests.support.factories import add_trail, trail_source
from trails.bundle.signing import Keyring


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(app: FastAPI, **config: Any) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 until the block ends; yields the base URL.

    The server runs with the options ``baladeur serve`` gives uvicorn (zero-copy file bodies,
    forwarded headers) for the app's settings; ``config`` adds or overrides uvicorn options.
    """
    port = free_port()
    settings = getattr(getattr(app, "state", None), "settings", None)
    served = uvicorn_options(settings) if settings is not None else {}
    options = {"log_level": "warning", "lifespan": "on", **served, **config}
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def walk_app(db: Database, tmp_path: Path) -> FastAPI:
    """An application serving one published trail, ``walk``, from local blobs in ``tmp_path``
    (files sent by the kernel once served by :func:`live_server`); jobs run at once."""
    blobs = LocalBlobStore(tmp_path / "blobs")
    keys = Keyring(tmp_path / "keys")
    add_trail(db, trail_source("walk", 50.405, 4.395), blobs=blobs, keys=keys)
    settings = Settings(data_dir=tmp_path, inprocess_worker=False)
    jobs = Jobs(settings, huey=make_huey(settings, immediate=True), database=db, blobs=blobs)
    return create_app(settings, database=db, blobs=blobs, jobs=jobs, keys=keys)
