"""An ASGI wrapper that cuts the connection after N bytes of the first matching response.

Tests use it to play a patchy network: the client must resume with a Range request.

A cut connection errors the browser's response stream, and an errored stream drops the chunks
the page had not read yet (Streams spec: erroring a stream resets its queue). On a busy machine
the page may read late, so how much of the cut response it sees would be left to chance. With
``hold``, the wrapper sends its N bytes, then waits for ``release()`` before it cuts: the test
releases once the page has shown it read all N bytes, so what the page keeps is exactly N.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


class ConnectionDropped(Exception):
    """Raised inside the server to abort a response half-way (the socket is then closed)."""


@dataclass
class DropOnce:
    """Wraps an app; when armed, the next response under ``prefix`` stops after ``after`` bytes."""

    app: App
    prefix: str = "/v1/bundles/"
    after: int = 0
    armed: bool = False
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    dropped: int = 0
    hold: bool = False
    _released: threading.Event = field(default_factory=threading.Event)

    def arm(self, after: int, *, hold: bool = False) -> None:
        """Drop the next matching response after ``after`` bytes (once released, with ``hold``)."""
        self.after, self.armed, self.hold = after, True, hold
        self._released.clear()

    def release(self) -> None:
        """Let a held response be cut now."""
        self._released.set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass requests through, cutting one response short when armed."""
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        headers = {k.decode().lower(): v.decode() for k, v in scope.get("headers", [])}
        self.requests.append((path, headers.get("range")))
        if not self.armed:
            await self.app(scope, receive, send)
            return
        self.armed = False
        budget = self.after

        async def cut(message: Message) -> None:
            nonlocal budget
            if message["type"] != "http.response.body":
                await send(message)
                return
            body = message.get("body", b"")
            if len(body) < budget:
                budget -= len(body)
                await send(message)
                return
            await send({"type": "http.response.body", "body": body[:budget], "more_body": True})
            deadline = time.monotonic() + 60
            while self.hold and not self._released.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            self.dropped += 1
            raise ConnectionDropped(f"connection dropped after {self.after} bytes")

        await self.app(scope, receive, cut)
