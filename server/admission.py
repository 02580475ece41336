"""Admission: requests wait at the door, not inside the application, when all its places are taken.

Every request the application handles holds its whole handling stack (middleware, routing,
dependencies, a database session) while it waits for one of the thread pool's threads, about
40 kB each. When a festival poster brings two thousand phones at once, that was 80 MB of
requests doing nothing. A request without a body now waits here first, holding only its
connection, until one of ``places`` is free; it gives its place back as soon as its response
starts, so a long download or a slow client never keeps others out.

Requests with a body (uploads, forms) go straight in: they are authenticated and limited
elsewhere, and a body being received must not wait behind the door.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# A few more than the thread pool's threads, so that a thread never waits for a request.
DEFAULT_PLACES = 64


def _has_body(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"transfer-encoding" or (name == b"content-length" and value.strip() != b"0"):
            return True
    return False


class Admission:
    """ASGI middleware: at most ``places`` bodiless requests in the application at once."""

    def __init__(self, app: ASGIApp, places: int = DEFAULT_PLACES) -> None:
        self.app = app
        self.count = places
        self._loop: asyncio.AbstractEventLoop | None = None
        self._places = asyncio.Semaphore(places)

    def _places_here(self) -> asyncio.Semaphore:
        # A semaphore belongs to one event loop; an app served again on another loop (tests
        # start a server per test) gets fresh places there.
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop, self._places = loop, asyncio.Semaphore(self.count)
        return self._places

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Wait for a place, serve, and give the place back when the response starts."""
        if scope["type"] != "http" or _has_body(scope):
            await self.app(scope, receive, send)
            return
        places = self._places_here()
        await places.acquire()
        held = True

        def give_back() -> None:
            nonlocal held
            if held:
                held = False
                places.release()

        async def send_starting(message: Message) -> None:
            if message["type"] == "http.response.start":
                give_back()
            await send(message)

        try:
            await self.app(scope, receive, send_starting)
        finally:
            give_back()
