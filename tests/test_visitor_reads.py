"""Visitors' reads run in a lane of threads of their own: a few at once, never held back by
the shared thread pool, and FastAPI reads their parameters as before."""

from __future__ import annotations

import asyncio
import inspect
import os
import threading
import time
from pathlib import Path

import anyio.to_thread
import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute

from server.app import create_app
from server.routes import delivery, trails
from server.settings import Settings
from server.visitor_reads import lane_threads, open_lane, visitor_read
from tests.support.loops import run_apart


def _app(running: list[int], peak: list[int], lock: threading.Lock) -> FastAPI:
    app = FastAPI()
    gate = threading.Event()
    app.state.gate = gate

    @app.get("/read/{n}")
    @visitor_read
    def read(n: int, word: str = "") -> dict[str, object]:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1
        return {"n": n, "word": word}

    @app.get("/slow")
    def slow() -> str:
        gate.wait(10)
        return "slow"

    return app


def test_at_most_the_lanes_threads_run_at_once_and_the_answers_are_whole() -> None:
    running, peak, lock = [0], [0], threading.Lock()
    app = _app(running, peak, lock)

    async def scenario() -> list[httpx.Response]:
        open_lane(3)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            return await asyncio.gather(*(http.get(f"/read/{n}?word=w{n}") for n in range(12)))

    answers = run_apart(scenario)
    assert [a.json() for a in answers] == [{"n": n, "word": f"w{n}"} for n in range(12)]
    assert peak[0] == 3


def test_a_visitor_is_answered_while_the_shared_pool_is_all_taken() -> None:
    running, peak, lock = [0], [0], threading.Lock()
    app = _app(running, peak, lock)

    async def scenario() -> tuple[int, str]:
        open_lane(2)
        # The shared pool's only thread is taken by a request that waits (an upload to a
        # slow store, say).
        anyio.to_thread.current_default_thread_limiter().total_tokens = 1
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            slow = asyncio.create_task(http.get("/slow"))
            await asyncio.sleep(0.1)
            try:
                read = await asyncio.wait_for(http.get("/read/1"), timeout=5)
            finally:
                app.state.gate.set()
            return read.status_code, (await slow).text

    assert run_apart(scenario) == (200, '"slow"')


def test_the_catalogue_the_trail_pages_and_the_bundles_are_visitors_reads(tmp_path: Path) -> None:
    in_lane = {
        (method, route.path)
        for route in [*trails.router.routes, *delivery.router.routes]
        if isinstance(route, APIRoute) and inspect.unwrap(route.endpoint) is not route.endpoint
        for method in route.methods or ()
    }
    assert {
        ("GET", "/v1/trails"),
        ("GET", "/v1/trails/{slug}"),
        ("GET", "/v1/trails/{slug}/bundle"),
        ("GET", "/v1/trails/{slug}/manifest"),
        ("GET", "/v1/bundles/{name}"),
        ("HEAD", "/v1/bundles/{name}"),
        ("GET", "/v1/media/{name}"),
    } <= in_lane
    # The catalogue's query parameters are still read from the function itself.
    app = create_app(Settings(data_dir=tmp_path))
    listing = app.openapi()["paths"]["/v1/trails"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"near", "radius_m", "q", "lang"}


def test_zero_threads_means_two_per_core() -> None:
    assert lane_threads(0) == 2 * (os.cpu_count() or 1)
    assert lane_threads(5) == 5
