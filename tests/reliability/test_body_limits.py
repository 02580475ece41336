"""Request bodies over a real socket: checked before they are read, capped while they stream.

A real uvicorn server in this process, spoken to byte by byte: a declared length over the
route's limit is answered 413 before the client sends any of the body; a refused invitation
link, a missing token or another team's address are answered without reading the body at
all; a chunked body without ``Content-Length`` is cut at the route's limit. Temporary files
(multipart spooling goes to the system's temporary directory) never grow.
"""

from __future__ import annotations

import os
import select
import socket
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from media.blobs.memory import MemoryBlobStore
from server import invitations
from server.app import create_app
from server.bodylimits import MULTIPART_SLACK
from server.consents import FORM_MAX_BYTES
from server.db.models import User
from server.db.session import Database
from server.jobs import Jobs, make_huey
from server.schemas.stories import TRANSCRIPT_MAX
from server.settings import Settings
from server.stories import PHOTO_MAX_BYTES
from tests.support.live import live_server
from tests.support.people import People, make_people

UPLOAD_LIMIT = 1024 * 1024
TIB = 1024**4
BOUNDARY = "baladeurboundary"


@dataclass
class Server:
    host: str
    port: int
    people: People
    code: str
    spool: Path


@pytest.fixture
def server(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    # Multipart parts over 1 MB roll over to files in the temporary directory: make it ours.
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    settings = Settings(
        data_dir=tmp_path / "data",
        inprocess_worker=False,
        scheduler_interval_s=0,
        max_upload_bytes=UPLOAD_LIMIT,
    )
    blobs = MemoryBlobStore()
    jobs = Jobs(settings, huey=make_huey(settings, immediate=True), database=db, blobs=blobs)
    app = create_app(settings, database=db, blobs=blobs, jobs=jobs)
    people = make_people(TestClient(app), db)
    with db.transaction() as session:
        editor = session.get_one(User, people.ids["editor"])
        org_id = editor.memberships[0].organisation_id
        code, _ = invitations.create(session, org_id, editor, "atelier", 3600, 5)
    with live_server(app) as base:
        url = urlsplit(base)
        assert url.hostname is not None and url.port is not None
        yield Server(url.hostname, url.port, people, code, spool)


def _spooled(root: Path) -> int:
    """Bytes in files under ``root``, open ones too (a spooled upload is unlinked at once)."""
    total = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}").startswith(str(root)):
                total += os.stat(f"/proc/self/fd/{fd}").st_size
        except OSError:
            continue  # closed meanwhile
    return total


def _connect(server: Server) -> socket.socket:
    sock = socket.create_connection((server.host, server.port), timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _head(path: str, headers: dict[str, str], method: str = "POST") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _answered(sock: socket.socket, wait_s: float = 0.0) -> bool:
    readable, _, _ = select.select([sock], [], [], wait_s)
    return bool(readable)


def _read_response(sock: socket.socket, timeout_s: float = 10) -> tuple[int, dict[str, str], bytes]:
    """The next response on the socket (skipping none: a 100 Continue is returned as is)."""
    sock.settimeout(timeout_s)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(status_line.split()[1]), headers, body


def _multipart_head(name: str = "audio", filename: str = "voice.wav") -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="data"\r\n\r\n{{}}\r\n'
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; "
        f'name="{name}"; filename="{filename}"\r\nContent-Type: audio/wav\r\n\r\n'
    ).encode()


MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def _stream_until_answered(
    sock: socket.socket, first: bytes, total: int, *, chunked: bool, spool: Path
) -> tuple[int, int]:
    """Send ``first`` then zeros up to ``total`` bytes until the server answers.

    Returns how many bytes were sent and the most spooled at any moment.
    """
    sent, most = 0, 0
    block = first
    while sent < total:
        if _answered(sock):
            break
        piece = block or b"\0" * 65536
        block = b""
        try:
            if chunked:
                sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            else:
                sock.sendall(piece)
        except (BrokenPipeError, ConnectionResetError):
            break  # the server answered and closed
        sent += len(piece)
        most = max(most, _spooled(spool))
    return sent, most


def test_a_huge_declared_length_is_refused_before_the_body_is_sent(server: Server) -> None:
    editor = server.people["editor"]
    cases = [
        # The case: 10 TiB to a (valid) invitation link.
        (f"/v1/invitations/{server.code}/contributions", {}, MULTIPART),
        ("/v1/orgs/mill/assets", editor, MULTIPART),
        ("/v1/orgs/mill/photos", editor, MULTIPART),
        ("/v1/orgs/mill/consent-forms", editor, MULTIPART),
        ("/v1/orgs/mill/trails", editor, "application/json"),
        ("/v1/auth/tokens", {}, "application/json"),
    ]
    for path, auth, content_type in cases:
        with _connect(server) as sock:
            headers = {
                **auth,
                "Content-Type": content_type,
                "Content-Length": str(10 * TIB),
                "Expect": "100-continue",
            }
            sock.sendall(_head(path, headers))
            # Nothing of the body is sent: the answer must come anyway, and it is not
            # "100 Continue" (which would invite the client to send its 10 TiB).
            assert _answered(sock, 10), f"{path}: no answer before the body"
            status, response_headers, body = _read_response(sock)
            assert status == 413, (path, status, body)
            assert response_headers["content-type"] == "application/problem+json"
            assert b"limit" in body
    assert _spooled(server.spool) == 0


def test_a_refused_link_or_caller_is_answered_without_reading_the_body(server: Server) -> None:
    stranger = server.people["stranger"]
    contributor = server.people["contributor"]
    cases = [
        ("/v1/invitations/inv_bogus/contributions", {}, 404),
        ("/v1/orgs/mill/assets", {}, 401),
        ("/v1/orgs/mill/assets", stranger, 404),
        ("/v1/orgs/mill/photos", {"Authorization": "Bearer bal_forged"}, 401),
        ("/v1/orgs/mill/consent-forms", stranger, 404),
        ("/v1/orgs/mill/trails/1/cover", contributor, 403),
    ]
    for path, auth, expected in cases:
        for framing in (
            {"Content-Length": str(UPLOAD_LIMIT // 2)},
            {"Transfer-Encoding": "chunked"},
        ):
            method = "PUT" if path.endswith("/cover") else "POST"
            with _connect(server) as sock:
                sock.sendall(_head(path, {**auth, "Content-Type": MULTIPART, **framing}, method))
                # No byte of the body is sent: a server that reads it first never answers.
                assert _answered(sock, 10), f"{path} {framing}: no answer before the body"
                status, headers, _ = _read_response(sock)
                assert status == expected, (path, framing, status)
                assert headers["content-type"] == "application/problem+json"


def test_a_bogus_link_spools_nothing_however_much_is_sent(server: Server) -> None:
    # The case, scaled down: a large multipart body (within the route's limit) to
    # a link that does not exist.
    total = 32 * UPLOAD_LIMIT
    with _connect(server) as sock:
        headers = {"Content-Type": MULTIPART, "Content-Length": str(total)}
        sock.sendall(_head("/v1/invitations/inv_bogus/contributions", headers))
        sent, most = _stream_until_answered(
            sock, _multipart_head(), total, chunked=False, spool=server.spool
        )
        status, _, _ = _read_response(sock)
    assert status == 404
    assert sent < total, "the server waited for the whole body before answering"
    assert most == 0


def test_a_chunked_body_is_cut_at_its_route_limit_while_it_streams(server: Server) -> None:
    # A chunked body declares no length: it is counted as it arrives.
    invited = UPLOAD_LIMIT + FORM_MAX_BYTES + PHOTO_MAX_BYTES + TRANSCRIPT_MAX + MULTIPART_SLACK
    routes = [
        (f"/v1/invitations/{server.code}/contributions", {}, invited),
        ("/v1/orgs/mill/assets", server.people["editor"], UPLOAD_LIMIT + MULTIPART_SLACK),
    ]
    for path, auth, limit in routes:
        total = limit + 16 * UPLOAD_LIMIT
        with _connect(server) as sock:
            headers = {**auth, "Content-Type": MULTIPART, "Transfer-Encoding": "chunked"}
            sock.sendall(_head(path, headers))
            sent, most = _stream_until_answered(
                sock, _multipart_head(), total, chunked=True, spool=server.spool
            )
            status, response_headers, body = _read_response(sock)
        assert status == 413, (path, status, body)
        assert response_headers["content-type"] == "application/problem+json"
        assert sent < total, f"{path}: the server read past its limit"
        # What was spooled never passed the route's limit (plus what was in flight).
        assert most <= limit + 1024 * 1024, (path, most)
    # Nothing of the refused bodies is left behind.
    time.sleep(0.2)
    assert _spooled(server.spool) == 0


def test_json_routes_take_small_bodies_only(server: Server) -> None:
    editor = server.people["editor"]
    with _connect(server) as sock:
        sock.sendall(
            _head(
                "/v1/orgs/mill/invitations",
                {**editor, "Content-Type": "application/json", "Transfer-Encoding": "chunked"},
            )
        )
        sent, _ = _stream_until_answered(
            sock, b'{"label": "', 64 * 1024 * 1024, chunked=True, spool=server.spool
        )
        status, headers, body = _read_response(sock)
    assert status == 413, body
    assert headers["content-type"] == "application/problem+json"
    # The limit is 1 MiB; what more was sent sat in the kernel's socket buffers.
    assert sent < 16 * 1024 * 1024
