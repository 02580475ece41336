"""A raster tile server on loopback for the base map tests: PNG tiles showing their z/x/y."""

from __future__ import annotations

import contextlib
import io
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image, ImageDraw

_PATH = re.compile(r"^/tiles/(\d+)/(\d+)/(\d+)\.png$")
# One colour per zoom, so that a screenshot or a pixel shows which zoom is drawn.
COLOURS = [(200, 230, 201), (187, 222, 251), (255, 224, 178), (225, 190, 231), (255, 205, 210)]


def tile_png(z: int, x: int, y: int) -> bytes:
    """A 256 px PNG tile: a zoom's colour, a border and its z/x/y written on it."""
    image = Image.new("RGB", (256, 256), COLOURS[z % len(COLOURS)])
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 255, 255), outline=(90, 90, 90), width=2)
    draw.text((12, 12), f"{z}/{x}/{y}", fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@dataclass
class TileServer:
    """What the test set and saw: ``mode`` is ok, fail (HTTP 500) or slow (``delay_s``)."""

    url: str
    mode: str = "ok"
    delay_s: float = 0.0
    requests: list[tuple[int, int, int]] = field(default_factory=list)


@contextmanager
def tile_server() -> Iterator[TileServer]:
    """Serve tiles at ``{url}/tiles/{z}/{x}/{y}.png`` on 127.0.0.1 until the block ends."""
    state = TileServer(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            match = _PATH.match(self.path)
            if not match:
                self.send_error(404)
                return
            z, x, y = (int(v) for v in match.groups())
            with lock:
                state.requests.append((z, x, y))
            if state.mode == "fail":
                self.send_error(500)
                return
            if state.mode == "slow":
                time.sleep(state.delay_s)
            body = tile_png(z, x, y)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
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
