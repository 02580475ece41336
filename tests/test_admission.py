"""Admission: bodiless requests wait at the door when the application's places are taken,
and give their place back as soon as their response starts."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from server.admission import Admission
from tests.support.loops import run_apart


class Gate:
    """An ASGI app that holds each request until told, before or after its response starts."""

    def __init__(self) -> None:
        self.inside = 0
        self.most_inside = 0
        self.start = asyncio.Event()
        self.finish = asyncio.Event()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.inside += 1
        self.most_inside = max(self.most_inside, self.inside)
        try:
            if scope["path"] == "/fail":
                raise RuntimeError("the route failed")
            await self.start.wait()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await self.finish.wait()
            await send({"type": "http.response.body", "body": b"done"})
        finally:
            self.inside -= 1


def _scope(path: str = "/", headers: list[tuple[bytes, bytes]] | None = None) -> dict[str, Any]:
    return {"type": "http", "method": "GET", "path": path, "headers": headers or []}


async def _nothing() -> dict[str, Any]:
    return {"type": "http.disconnect"}


async def _discard(message: dict[str, Any]) -> None:
    return None


async def _settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


def test_requests_beyond_the_places_wait_outside() -> None:
    async def scenario() -> None:
        gate = Gate()
        door = Admission(gate, places=2)
        tasks = [asyncio.create_task(door(_scope(), _nothing, _discard)) for _ in range(5)]
        await _settle()
        assert gate.inside == 2
        gate.start.set()
        gate.finish.set()
        await asyncio.gather(*tasks)
        assert gate.most_inside == 2 and gate.inside == 0

    run_apart(scenario)


def test_a_started_response_gives_its_place_back() -> None:
    async def scenario() -> None:
        gate = Gate()
        door = Admission(gate, places=1)
        gate.start.set()
        # The first one starts its response and then sends its body slowly (a download).
        first = asyncio.create_task(door(_scope(), _nothing, _discard))
        await _settle()
        second = asyncio.create_task(door(_scope(), _nothing, _discard))
        await _settle()
        assert gate.inside == 2
        gate.finish.set()
        await asyncio.gather(first, second)

    run_apart(scenario)


def test_requests_with_a_body_go_straight_in() -> None:
    async def scenario() -> None:
        gate = Gate()
        door = Admission(gate, places=1)
        held = asyncio.create_task(door(_scope(), _nothing, _discard))
        await _settle()
        uploads = [
            asyncio.create_task(door(_scope(headers=[header]), _nothing, _discard))
            for header in ((b"content-length", b"12"), (b"transfer-encoding", b"chunked"))
        ]
        waiting = asyncio.create_task(
            door(_scope(headers=[(b"content-length", b"0")]), _nothing, _discard)
        )
        await _settle()
        # The first request and both uploads are inside; the empty body waits its turn.
        assert gate.inside == 3
        gate.start.set()
        gate.finish.set()
        await asyncio.gather(held, waiting, *uploads)

    run_apart(scenario)


def test_a_failing_request_gives_its_place_back() -> None:
    async def scenario() -> None:
        gate = Gate()
        door = Admission(gate, places=1)
        for _ in range(3):
            with pytest.raises(RuntimeError):
                await door(_scope("/fail"), _nothing, _discard)
        gate.start.set()
        gate.finish.set()
        await asyncio.wait_for(door(_scope(), _nothing, _discard), 2)

    run_apart(scenario)


def test_an_app_served_again_on_another_loop_gets_fresh_places() -> None:
    gate = Gate()
    door = Admission(gate, places=1)

    async def twice() -> None:
        gate.start, gate.finish = asyncio.Event(), asyncio.Event()
        tasks = [asyncio.create_task(door(_scope(), _nothing, _discard)) for _ in range(2)]
        await _settle()
        gate.start.set()
        gate.finish.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 2)

    run_apart(twice)
    run_apart(twice)
