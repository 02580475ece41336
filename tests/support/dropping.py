"""An ASGI wrapper that cuts the connection after N bytes of the first matching response.

Tests use it to play a patchy network: the client must resume with a Range request.
"""

from __future__ import annotations

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

    def arm(self, after: int) -> None:
        """Drop the next matching response after ``after`` body bytes."""
        self.after, self.armed = after, True

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
            self.dropped += 1
            raise ConnectionDropped(f"connection dropped after {self.after} bytes")

        await self.app(scope, receive, cut)
