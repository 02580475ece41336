"""A Nominatim-compatible geocoder on loopback: ``/search?format=jsonv2&q=...`` answers from a
small gazetteer of places around Charleroi, as Nominatim writes them (coordinates as strings,
the bounding box as south, north, west, east)."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# name -> (lat, lon); each answers to any word of its name.
GAZETTEER = {
    "Moulin de Marchienne, Rue du Moulin, Marchienne-au-Pont, Charleroi, Belgique": (
        50.40482,
        4.39961,
    ),
    "Charleroi, Hainaut, Wallonie, Belgique": (50.41136, 4.44448),
    "Rue du Moulin, Mons, Hainaut, Belgique": (50.45413, 3.95229),
}


@dataclass
class Geocoder:
    """What a test sets and sees: ``mode`` is ok, slow (``delay_s``), garbage, html or error."""

    url: str
    mode: str = "ok"
    delay_s: float = 0.0
    requests: list[dict[str, object]] = field(default_factory=list)


def _answer(query: str) -> list[dict[str, object]]:
    words = [w for w in query.lower().replace(",", " ").split() if w]
    found = []
    for n, (name, (lat, lon)) in enumerate(GAZETTEER.items()):
        if words and all(w in name.lower() for w in words):
            found.append(
                {
                    "place_id": 1000 + n,
                    "lat": f"{lat:.7f}",
                    "lon": f"{lon:.7f}",
                    "display_name": name,
                    "boundingbox": [
                        f"{lat - 0.001:.7f}",
                        f"{lat + 0.001:.7f}",
                        f"{lon - 0.0015:.7f}",
                        f"{lon + 0.0015:.7f}",
                    ],
                    "category": "place",
                    "type": "yes",
                }
            )
    return found


@contextmanager
def geocoder_server() -> Iterator[Geocoder]:
    """Serve the gazetteer on 127.0.0.1 until the block ends."""
    state = Geocoder(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path != "/search":
                self.send_error(404)
                return
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            with lock:
                state.requests.append({"query": query, "headers": dict(self.headers)})
            if state.mode == "slow":
                time.sleep(state.delay_s)
            if state.mode == "error":
                self.send_error(503)
                return
            body = {
                "garbage": b'{"not": "a list"',
                "html": b"<html><body>Service temporarily unavailable</body></html>",
            }.get(state.mode) or json.dumps(_answer(query.get("q", ""))).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the client gave up (a timeout test)
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def closed_port_url() -> str:
    """The URL of a loopback port nothing listens on (a geocoder that is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
