"""Many visitors' connections to a real `baladeur serve`: slow, vanishing and tiny downloads
cost the server no buffer each, and leave nothing behind when they end.

The server runs as visitors' servers do (its own process, uvicorn, local blobs sent by the
kernel) with a short stall timeout; its memory and open files are read from /proc.
"""

from __future__ import annotations

import asyncio
import os
import socket
import struct
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import make_url

from bench.common import baladeur_server, rss_mb
from bench.download import prepare, raise_file_limit
from server.settings import Settings

pytestmark = pytest.mark.slow

SIZE = 16_000_000  # more than the kernel buffers of a stalled connection can hold
STALL_S = 2.0


@dataclass(frozen=True)
class Served:
    """The running server, the bundle it serves and that bundle's bytes."""

    base: str
    pid: int
    path: str
    body: bytes = field(repr=False)
    # The SQLite file: its descriptors belong to the database pool, which keeps up to its
    # size whatever the load, opened as the load asks, not to any one visitor.
    database: str = ""

    @property
    def port(self) -> int:
        """The server's loopback port."""
        return int(self.base.rsplit(":", 1)[1])


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    raise_file_limit(4096)
    with tempfile.TemporaryDirectory(prefix="baladeur-downloads-") as tmp:
        sha, blob = prepare(Path(tmp), SIZE)
        env = {"BALADEUR_DATA_DIR": tmp, "BALADEUR_SEND_STALL_TIMEOUT_S": str(STALL_S)}
        with baladeur_server(env) as (base, proc):
            database = make_url(Settings(data_dir=Path(tmp)).resolved_database_url).database
            assert database, "the embedded database is a file"
            path = f"/v1/bundles/{sha}.zip"
            yield Served(base, proc.pid, path, blob.read_bytes(), database)


def _open_files(served: Served) -> int:
    """The server's open files and sockets, but for the database pool's."""
    fds = Path(f"/proc/{served.pid}/fd")
    count = 0
    for fd in fds.iterdir():
        try:
            target = os.readlink(fd)
        except FileNotFoundError:
            continue  # closed while listed
        count += not target.startswith(served.database)
    return count


def _eventually(check: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


async def _ranges(served: Served, clients: int, wanted: str) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=served.base, limits=limits, timeout=120) as http:
        return await asyncio.gather(
            *(http.get(served.path, headers={"Range": wanted}) for _ in range(clients))
        )


def _settled(served: Served) -> tuple[int, float]:
    """Open files and RSS of the server once warm and with nothing open.

    Warm: a whole download has gone through, and a burst of requests has opened what the
    server keeps whatever its load (threads; the database pool's files are not counted).
    """
    assert {r.status_code for r in asyncio.run(_ranges(served, 64, "bytes=0-999"))} == {206}
    with httpx.Client(base_url=served.base, timeout=60) as http:
        assert http.get(served.path).content == served.body
    time.sleep(0.5)
    return _open_files(served), rss_mb(served.pid)


def _request(served: Served, *, receive_buffer: int | None = None) -> socket.socket:
    sock = socket.socket()
    if receive_buffer:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.connect(("127.0.0.1", served.port))
    sock.sendall(f"GET {served.path} HTTP/1.1\r\nHost: test\r\n\r\n".encode())
    return sock


def _drain(sock: socket.socket) -> int:
    """Read until the server ends the connection; the number of bytes that came."""
    sock.settimeout(10)
    got = 0
    try:
        while chunk := sock.recv(1 << 16):
            got += len(chunk)
    except ConnectionResetError:
        pass
    return got


def test_clients_that_never_read_hold_no_buffer_and_are_dropped(served: Served) -> None:
    files, rss = _settled(served)
    stalled = [_request(served, receive_buffer=4096) for _ in range(100)]
    try:
        # Every response has begun and filled what the kernel holds for it.
        time.sleep(1.0)
        assert _open_files(served) >= files + 100
        # Streamed through Python this was a megabyte or more per client.
        assert rss_mb(served.pid) - rss < 15
        # Past the stall timeout, the server lets go of every one of them.
        assert _eventually(lambda: _open_files(served) <= files, STALL_S + 15)
        got = _drain(stalled[0])
        assert 0 < got < SIZE
    finally:
        for sock in stalled:
            sock.close()
    with httpx.Client(base_url=served.base, timeout=60) as http:
        assert http.get(served.path).content == served.body


def test_clients_leaving_mid_body_leave_nothing_behind(served: Served) -> None:
    files, rss = _settled(served)
    for round_ in range(3):
        leaving = [_request(served) for _ in range(100)]
        for k, sock in enumerate(leaving):
            sock.settimeout(10)
            got = 0
            while got < 1_000_000:
                got += len(sock.recv(1 << 16))
            if k % 2:
                # Half reset the connection, half close it politely.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
        assert _eventually(lambda: _open_files(served) <= files, 15), round_
    assert rss_mb(served.pid) - rss < 15
    with httpx.Client(base_url=served.base, timeout=60) as http:
        assert http.get(served.path).content == served.body


def test_a_thousand_requests_for_the_last_byte(served: Served) -> None:
    files, _ = _settled(served)
    answers = asyncio.run(_ranges(served, 1000, "bytes=-1"))
    assert {r.status_code for r in answers} == {206}
    assert {r.content for r in answers} == {served.body[-1:]}
    assert {r.headers["content-range"] for r in answers} == {f"bytes {SIZE - 1}-{SIZE - 1}/{SIZE}"}
    assert _eventually(lambda: _open_files(served) <= files, 15)
