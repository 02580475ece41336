"""Request cost benchmark: what every request pays before and around its own work, in process.

Calls the real application as ASGI (no socket, no client library) one request at a time and
reports the median microseconds per request of: a trivial route (``/healthz``) and the
catalogue (``/v1/trails?near=...``), with and without our middleware; each middleware alone
around an application that answers at once; a thread-pool hop.
Run from the repository root: ``.venv/bin/python bench/request_cost.py``
(``--quick`` for fewer requests). See bench/README.md, section Request cost.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bench.catalogue import populate
from bench.common import Result, standalone
from server.admission import Admission
from server.app import create_app
from server.bodylimits import BodyLimits
from server.db.migrate import upgrade
from server.db.session import Database
from server.head import HeadLikeGet
from server.requestlog import RequestLog
from server.security import SecurityHeaders
from server.settings import Settings

TRAILS = 200
NEAR = "50.0,4.5"


def _scope(path: str, query: str = "", app: Any = None) -> Scope:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [(b"host", b"bench"), (b"user-agent", b"bench")],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 80),
        "state": {},
        **({"app": app} if app is not None else {}),
    }


async def call(app: ASGIApp, path: str, query: str = "") -> int:
    """One request through ``app``; its status."""
    status = 0

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(_scope(path, query), receive, send)
    return status


async def median_us(run: Callable[[], Awaitable[Any]], n: int) -> float:
    """Median microseconds of ``run`` over ``n`` calls, after a warm-up."""
    for _ in range(max(5, n // 10)):
        await run()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        await run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


async def _answer(scope: Scope, receive: Receive, send: Send) -> None:
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"{}"})


async def measure(n: int) -> dict[str, float]:
    """Every figure of the table, microseconds per request."""
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-request-cost-") as tmp:
        settings = Settings(data_dir=Path(tmp), inprocess_worker=False, log_level="WARNING")
        db = Database.from_settings(settings)
        upgrade(db.engine)
        populate(db, TRAILS)
        app = create_app(settings, database=db)
        # The same application without our middleware: what the stack adds to a request.
        bare = create_app(settings, database=db)
        bare.user_middleware = []
        async with app.router.lifespan_context(app), bare.router.lifespan_context(bare):
            routes: dict[str, tuple[str, str]] = {
                "healthz": ("/healthz", ""),
                "catalogue near": ("/v1/trails", f"near={NEAR}&radius_m=5000"),
            }
            for name, (path, query) in routes.items():
                assert await call(app, path, query) == 200, name
                out[f"{name}: whole app"] = await median_us(partial(call, app, path, query), n)
                out[f"{name}: without our middleware"] = await median_us(
                    partial(call, bare, path, query), n
                )
            layers: dict[str, ASGIApp] = {
                "nothing (bare answer)": _answer,
                "Admission": Admission(_answer),
                "RequestLog": RequestLog(_answer),
                "SecurityHeaders": SecurityHeaders(_answer, settings=settings),
                "HeadLikeGet": HeadLikeGet(_answer),
                "BodyLimits": BodyLimits(_answer),
            }
            for name, layer in layers.items():
                out[f"middleware {name}"] = await median_us(partial(call, layer, "/x"), n)
            out["thread-pool hop (no-op)"] = await median_us(lambda: run_in_threadpool(int), n)
        db.dispose()
    return out


def run(quick: bool = False) -> list[Result]:
    """One informative row per figure."""
    figures = asyncio.run(measure(100 if quick else 1000))
    return [
        Result(name=f"request cost: {name}", metric="median", unit="µs", value=round(us, 1))
        for name, us in figures.items()
    ]


def main() -> int:
    """Command-line entry."""
    return standalone(run, __doc__, quick="100 requests per figure")


if __name__ == "__main__":
    raise SystemExit(main())
