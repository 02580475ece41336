"""Zero-copy file bodies: the kernel sends a file's bytes to the socket (``sendfile``).

Streaming a file through Python holds a buffer per connection (a chunk read, its copy in the
HTTP framing and what the socket has not taken yet), so a server's memory grew by megabytes
per client downloading a bundle. With ``sendfile`` no byte of the body passes through the
process: memory stays flat whatever the number of clients.

The application asks for it with the standard ASGI extension ``http.response.zerocopysend``
(:data:`ZEROCOPY`), which uvicorn does not offer; :class:`SendfileProtocol` is uvicorn's
httptools HTTP/1.1 protocol (a C parser: a request costs a fraction of the pure-Python h11's
CPU) with that extension added, and ``baladeur serve`` runs with it. Under any other server
the extension is absent and responses stream as before.

A client that stops reading is dropped once no slice of :data:`SLICE_BYTES` has gone out
for ``stall_timeout_s``: a stalled connection costs a socket and a file descriptor, never a
buffer, and not for ever.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, BinaryIO

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

ZEROCOPY = "http.response.zerocopysend"
# Small enough that a slow phone (a few kB/s) always finishes a slice within the timeout.
SLICE_BYTES = 256 * 1024
DEFAULT_STALL_TIMEOUT_S = 60.0
# What this module relies on in uvicorn's request cycle; a uvicorn without them keeps streaming.
_CYCLE_PARTS = (
    "transport",
    "flow",
    "scope",
    "send",
    "response_started",
    "disconnected",
    "chunked_encoding",
    "expected_content_length",
)
log = logging.getLogger("baladeur.zerocopy")


class _Span:
    """A file's byte range: ``count`` bytes from ``offset``."""

    def __init__(self, file: BinaryIO, offset: int, count: int) -> None:
        self.file, self.offset, self.count = file, offset, count


class SendfileProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol, offering ``http.response.zerocopysend`` to the app."""

    stall_timeout_s: float = DEFAULT_STALL_TIMEOUT_S

    def on_headers_complete(self) -> None:
        """A request's head is parsed; the request it starts gets the zero-copy extension."""
        before = self.cycle
        super().on_headers_complete()
        cycle = self.cycle
        # The request's task exists (or waits behind a pipelined one) but has not started:
        # its send may still be replaced.
        if cycle is not None and cycle is not before:
            self._offer(cycle)

    def _offer(self, cycle: Any) -> None:
        if not all(hasattr(cycle, part) for part in _CYCLE_PARTS):
            return
        if cycle.transport.get_extra_info("sslcontext") is not None:
            return  # TLS: the kernel cannot encrypt, so the bytes must pass through here
        streamed = cycle.send
        loop = self.loop
        stall = self.stall_timeout_s

        async def send(message: Any) -> None:
            if message["type"] != ZEROCOPY:
                await streamed(message)
                return
            if cycle.disconnected:
                # The client left before the response started (while its request waited
                # for a thread, say): uvicorn dropped the start, and there is nobody to send
                # to, as for any other message after a disconnection.
                return
            if not cycle.response_started:
                raise RuntimeError("a zero-copy body was sent before the response started")
            if cycle.flow.write_paused:
                await cycle.flow.drain()
            if not cycle.disconnected and cycle.scope["method"] != "HEAD":
                span = _span(message)
                if span.count:
                    await _send_span(loop, cycle, span, stall)
            if cycle.disconnected:
                return
            # Every byte went to the client's socket: the sender may count the body delivered.
            message["sent"] = True
            # uvicorn closes the body and the request cycle as after any last body message.
            more = bool(message.get("more_body", False))
            await streamed({"type": "http.response.body", "body": b"", "more_body": more})

        cycle.scope.setdefault("extensions", {})[ZEROCOPY] = {}
        cycle.send = send


def _span(message: Any) -> _Span:
    file: BinaryIO = message["file"]
    offset = message.get("offset")
    if offset is None:
        offset = file.tell()
    count = message.get("count")
    if count is None:
        count = max(0, file.seek(0, 2) - offset)
    return _Span(file, offset, count)


async def _send_span(
    loop: asyncio.AbstractEventLoop, cycle: Any, span: _Span, stall_timeout_s: float
) -> None:
    """Frame the span as the response's framing asks, then let the kernel send it, a slice
    at a time."""
    if cycle.chunked_encoding:
        cycle.transport.write(b"%x\r\n" % span.count)
    else:
        # The same guard as a body in bytes: never more than the Content-Length announced.
        if span.count > cycle.expected_content_length:
            raise RuntimeError("Response content longer than Content-Length")
        cycle.expected_content_length -= span.count
    try:
        sent = 0
        while sent < span.count:
            if cycle.transport.is_closing():
                # The client left between slices (sendfile would raise RuntimeError).
                raise ConnectionResetError("the client closed the connection")
            size = min(SLICE_BYTES, span.count - sent)
            async with asyncio.timeout(stall_timeout_s):
                await loop.sendfile(cycle.transport, span.file, span.offset + sent, size)
            sent += size
        if cycle.chunked_encoding:
            cycle.transport.write(b"\r\n")
    except (OSError, TimeoutError) as exc:
        # The client left or stopped reading: close, as a streamed body would on a reset.
        log.info("zero-copy body stopped: %s", type(exc).__name__)
        cycle.disconnected = True
        cycle.transport.abort()


def sendfile_protocol(stall_timeout_s: float) -> type[SendfileProtocol]:
    """The protocol class to give uvicorn (``http=``), dropping clients stalled that long."""
    return type("SendfileProtocol", (SendfileProtocol,), {"stall_timeout_s": stall_timeout_s})
