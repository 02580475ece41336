"""What ``baladeur serve`` wraps around the application: its start-up objects are frozen out
of the garbage collector's full collections once, and only once it has started."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from starlette.types import Message, Receive, Scope, Send

from server.serving import FrozenAfterStartup
from tests.support.loops import run_apart


@pytest.fixture
def unfrozen() -> Iterator[None]:
    """Other tests of this process must not keep objects frozen: undo it afterwards."""
    gc.unfreeze()
    yield
    gc.unfreeze()


class Started:
    """An application that holds long-lived objects, made during its start-up."""

    def __init__(self) -> None:
        self.held: list[object] = []
        self.frozen_at_start = -1

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A lifespan that builds objects, then says it has started; requests answer 204."""
        if scope["type"] == "lifespan":
            await receive()
            self.frozen_at_start = gc.get_freeze_count()
            self.held = [{"n": i} for i in range(10_000)]
            await send({"type": "lifespan.startup.complete"})
            await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def _lifespan(app: FrozenAfterStartup) -> list[Message]:
    sent: list[Message] = []
    incoming = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])

    async def receive() -> Message:
        return next(incoming)

    async def send(message: Message) -> None:
        sent.append({**message, "frozen": gc.get_freeze_count()})

    run_apart(lambda: app({"type": "lifespan"}, receive, send))
    return sent


def test_what_start_up_made_is_frozen_when_start_up_completes(unfrozen: None) -> None:
    inner = Started()
    sent = _lifespan(FrozenAfterStartup(inner))
    assert inner.frozen_at_start == 0, "nothing is frozen before the application has started"
    started = next(m for m in sent if m["type"] == "lifespan.startup.complete")
    assert started["frozen"] >= len(inner.held), "the start-up's objects are frozen by then"
    assert any(m["type"] == "lifespan.shutdown.complete" for m in sent)


def test_requests_pass_through_untouched(unfrozen: None) -> None:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/", "headers": []}
    run_apart(lambda: FrozenAfterStartup(Started())(scope, receive, send))
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[0]["status"] == 204
    assert gc.get_freeze_count() == 0, "a request freezes nothing"
