"""A request's database session gives its connection back even when every worker thread is
taken: more requests at once than threads and pooled connections all finish."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from server.db.session import Database
from tests.support.live import live_server, walk_app
from tests.support.loops import run_apart

# More than the thread pool's 40 threads and the database pool's 15 connections.
CLIENTS = 100


def test_more_downloads_at_once_than_threads_and_connections(db: Database, tmp_path: Path) -> None:
    app = walk_app(db, tmp_path)

    async def all_at_once(base: str, path: str) -> list[httpx.Response | BaseException]:
        limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=20) as http:
            calls = (http.get(path) for _ in range(CLIENTS))
            return await asyncio.gather(*calls, return_exceptions=True)

    with live_server(app) as base:
        path = httpx.get(f"{base}/v1/trails/walk/bundle").headers["location"]
        answers = run_apart(lambda: all_at_once(base, path))
    outcomes = [a.status_code if isinstance(a, httpx.Response) else repr(a) for a in answers]
    assert outcomes == [200] * CLIENTS
