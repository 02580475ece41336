"""Visitors' reads run in a few threads of their own, first come, first served.

The catalogue, a trail's page and a bundle's look-up are short database reads that every
visitor's phone makes, the API's busiest calls. A route written as a plain function runs in
the shared thread pool (40 threads): under load, 32 of them at once contended for the GIL
and the cores in no order, and the unluckiest request waited through many others' turns
(SpatiaLite ``near`` at 32 connections: p99 86 ms for a p50 of 48; bench/README.md,
Catalogue). In a lane of a few threads they queue in the event loop instead, where waiting
costs nothing and the order is the order of arrival: p99 55 ms, with as many answers per
second or more. The shared pool stays as it was for the rest (uploads, imports, the studio), whose
long waits on storage must not hold visitors back, nor be held back by them.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from anyio.lowlevel import RunVar

P = ParamSpec("P")
T = TypeVar("T")

# Per event loop, as anyio's own default limiter: tests run several loops in one process.
_LANE: RunVar[CapacityLimiter] = RunVar("baladeur_visitor_reads")


def lane_threads(configured: int) -> int:
    """How many threads the lane has: the setting, or two per core when it is 0.

    Two per core keeps a core busy while the other thread of its pair waits on the database;
    more only adds contention (4 against 8 and 40 on two cores, bench/README.md).
    """
    return configured or 2 * (os.cpu_count() or 1)


def open_lane(configured: int) -> None:
    """Give this event loop's visitors' reads their threads (at start-up, in the loop)."""
    _LANE.set(CapacityLimiter(lane_threads(configured)))


def _lane() -> CapacityLimiter:
    try:
        return _LANE.get()
    except LookupError:
        # An application served without its start-up (a bare ASGI mount): the default.
        open_lane(0)
        return _LANE.get()


def visitor_read(endpoint: Callable[P, T]) -> Callable[P, Awaitable[T]]:
    """A route's plain function, run in the visitors' lane instead of the shared pool.

    FastAPI reads the route's parameters and answer type through the wrapper, as from the
    function itself.
    """

    @functools.wraps(endpoint)
    async def in_lane(*args: P.args, **kwargs: P.kwargs) -> T:
        call = functools.partial(endpoint, *args, **kwargs)
        return await anyio.to_thread.run_sync(call, limiter=_lane())

    return in_lane
