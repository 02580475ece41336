"""The visitor player web app, served at /play.

The app is built by esbuild (``npm run build``) into ``server/player/dist``; this module only
serves those files. Every page of the app (``/play``, ``/play/{slug}``) is the same shell.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, Response

from trails.errors import NotFound

DIST = Path(__file__).resolve().parent / "dist"
_ASSET = re.compile(r"^[a-z0-9][a-z0-9._-]{0,80}\.(js|css|svg|png|webmanifest|map)$")
_TYPES = {
    "js": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "svg": "image/svg+xml",
    "png": "image/png",
    "webmanifest": "application/manifest+json",
    "map": "application/json",
}
# The service worker keeps the app offline; the browser must always revalidate these.
_NO_CACHE = {"Cache-Control": "no-cache"}


class PlayerNotBuilt(NotFound):
    """The player's static files are missing (``npm run build`` was not run)."""

    title = "Player not built"


def _file(name: str) -> Path:
    path = DIST / name
    if not path.is_file():
        raise PlayerNotBuilt(f"the player is not built ({name} missing): run `npm run build`")
    return path


def _shell() -> Response:
    return FileResponse(
        _file("index.html"), media_type="text/html; charset=utf-8", headers=_NO_CACHE
    )


def mount(app: FastAPI) -> None:
    """Serve the player's static assets at /play, the app shell and its service worker."""

    @app.get("/play", include_in_schema=False)
    def play_home() -> Response:
        return _shell()

    @app.get("/play/sw.js", include_in_schema=False)
    def service_worker() -> Response:
        # Served under /play/ but controlling /play itself too, hence the wider allowance.
        headers = _NO_CACHE | {"Service-Worker-Allowed": "/play"}
        return FileResponse(_file("sw.js"), media_type=_TYPES["js"], headers=headers)

    @app.get("/play/assets/{name}", include_in_schema=False)
    def asset(name: str) -> Response:
        match = _ASSET.match(name)
        if not match:
            raise NotFound(f"no player asset '{name}'")
        return FileResponse(
            _file(f"assets/{name}"), media_type=_TYPES[match.group(1)], headers=_NO_CACHE
        )

    @app.get("/play/{slug}", include_in_schema=False)
    def play_trail(slug: str) -> Response:
        return _shell()
