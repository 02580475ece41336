"""HTTP byte ranges (RFC 9110): parse ``Range``, honour ``If-Range``, build responses.

A stored file's bytes never pass through the server when they need not: an object store's
presigned URL serves visitors' files itself (a redirect), a local file goes out by the kernel's
``sendfile`` when the server offers it (:mod:`server.zerocopy`); otherwise they are streamed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from fastapi import Request, Response
from fastapi.responses import RedirectResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from media.blobs.base import BlobStore
from server.zerocopy import ZEROCOPY
from trails.errors import DomainError

_SINGLE = re.compile(r"^bytes=(\d*)-(\d*)$")
IMMUTABLE = "public, max-age=31536000, immutable"


class RangeNotSatisfiable(DomainError):
    """The requested range starts past the end of the content."""

    title = "Range not satisfiable"

    def __init__(self, size: int) -> None:
        super().__init__(f"the range starts past the end of the {size} bytes")
        self.size = size


@dataclass(frozen=True)
class ByteRange:
    """An inclusive byte range within content of a known size."""

    start: int
    end: int

    @property
    def length(self) -> int:
        """Number of bytes in the range."""
        return self.end - self.start + 1


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The single range a ``Range`` header asks for, or ``None`` to send everything.

    Multiple ranges and malformed headers are answered with the whole content, which
    RFC 9110 allows; a range starting past the end raises :class:`RangeNotSatisfiable`.
    """
    if not header:
        return None
    match = _SINGLE.match(header.strip())
    if not match:
        return None
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":
        suffix = int(last)
        if suffix == 0:
            raise RangeNotSatisfiable(size)
        return ByteRange(max(0, size - suffix), size - 1)
    start = int(first)
    end = size - 1 if last == "" else min(int(last), size - 1)
    if start >= size:
        raise RangeNotSatisfiable(size)
    if end < start:
        return None
    return ByteRange(start, end)


class FileSpanResponse(Response):
    """A byte range of an open file, which the server sends without reading it here."""

    def __init__(
        self, file: BinaryIO, start: int, length: int, *, status_code: int,
        headers: dict[str, str], media_type: str, on_sent: Callable[[], None] | None = None,
    ) -> None:  # fmt: skip
        super().__init__(status_code=status_code, headers=headers, media_type=media_type)
        self.file, self.start, self.length = file, start, length
        self.on_sent = on_sent

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the headers, then the range as one zero-copy body; the file is closed after."""
        try:
            await send(
                {"type": "http.response.start", "status": self.status_code,
                 "headers": self.raw_headers}
            )  # fmt: skip
            body = {"type": ZEROCOPY, "file": self.file, "offset": self.start,
                     "count": self.length, "more_body": False}  # fmt: skip
            await send(body)
            # The protocol marks a body whose every byte went out (not one cut by the client).
            if self.on_sent is not None and body.get("sent"):
                await run_in_threadpool(self.on_sent)
        finally:
            self.file.close()


def serve_bytes(
    request: Request,
    *,
    blobs: BlobStore,
    key: str,
    size: int,
    etag: str,
    content_type: str,
    cache_control: str = IMMUTABLE,
    filename: str | None = None,
    from_store: bool = False,
    on_last_byte: Callable[[], None] | None = None,
) -> Response:
    """Answer GET or HEAD for a stored blob with a strong ETag, with Range and If-Range.

    With ``from_store`` (what visitors download, once allowed), an object store that gives
    URLs serves the bytes itself; otherwise (an author's own files) they come through here.
    ``on_last_byte`` is called once a GET has sent the blob's last byte (a whole file, or a
    range up to its end); when an object store serves the bytes, when such a GET is sent there.
    """
    quoted = f'"{etag}"'
    headers = {
        "ETag": quoted,
        "Accept-Ranges": "bytes",
        "Cache-Control": cache_control,
    }
    if filename:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if request.headers.get("if-none-match") in (quoted, "*"):
        return Response(status_code=304, headers=headers)
    direct = blobs.url(key) if from_store else None
    if direct is not None:
        # An object store serves the bytes (and ranges) itself, from a URL that expires: the
        # request that will fetch the last byte is the nearest this process sees to its end.
        if on_last_byte is not None and request.method == "GET" and reaches_end(request, size):
            on_last_byte()
        return RedirectResponse(direct, status_code=307, headers={"Cache-Control": "no-store"})
    wanted = parse_range(request.headers.get("range"), size)
    if_range = request.headers.get("if-range")
    if wanted is not None and if_range is not None and if_range != quoted:
        # A stale validator: the client's partial copy is of other bytes; send the new file.
        wanted = None
    if wanted is None:
        status, start, end = 200, 0, size - 1
    else:
        status, start, end = 206, wanted.start, wanted.end
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    headers["Content-Length"] = str(end - start + 1 if size else 0)
    if request.method == "HEAD" or size == 0:
        return Response(status_code=status, headers=headers, media_type=content_type)
    last = on_last_byte if end == size - 1 else None
    if ZEROCOPY in request.scope.get("extensions", {}):
        file = blobs.open_file(key)
        if file is not None:
            return FileSpanResponse(
                file, start, end - start + 1, status_code=status, headers=headers,
                media_type=content_type, on_sent=last,
            )  # fmt: skip
    chunks = blobs.open(key, start, end)
    return StreamingResponse(
        chunks if last is None else _then(chunks, last),
        status_code=status,
        headers=headers,
        media_type=content_type,
    )


def reaches_end(request: Request, size: int) -> bool:
    """Whether a GET asks for a blob's last byte (no range, or one that ends there)."""
    try:
        wanted = parse_range(request.headers.get("range"), size)
    except RangeNotSatisfiable:
        return False
    return wanted is None or wanted.end == size - 1


def _then(chunks: Iterator[bytes], done: Callable[[], None]) -> Iterator[bytes]:
    # The server asks for the next chunk only once it has sent the one before: running out
    # of chunks means the last byte went out (a client that hangs up stops the asking).
    yield from chunks
    done()


def file_responses(*media_types: str) -> dict[int | str, dict[str, Any]]:
    """What a served file answers (for OpenAPI): its bytes, a byte range of them, or no change."""
    from server.schemas.problem import Problem

    content: dict[str, Any] = {media_type: {} for media_type in media_types}
    return {
        200: {"description": "The whole file", "content": content},
        206: {"description": "The requested byte range", "content": content},
        304: {"description": "Not modified since the ETag given in If-None-Match"},
        416: {"model": Problem, "description": "The range starts past the end"},
    }
