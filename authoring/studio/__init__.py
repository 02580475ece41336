"""The web studio for mediators, served by the server at /studio.

The app is built by esbuild (``npm run build:studio``) into ``authoring/studio/dist``; this
module serves those files, the same app shell for every page under /studio, and the map
settings the page needs.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from trails.errors import NotFound

DIST = Path(__file__).resolve().parent / "dist"
_ASSET = re.compile(r"^[a-z0-9][a-z0-9._-]{0,80}\.(js|css|svg|png|map|woff2)$")
_TYPES = {
    "js": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "svg": "image/svg+xml",
    "png": "image/png",
    "map": "application/json",
    "woff2": "font/woff2",
}
# Builds replace files in place under the same names; browsers must revalidate them.
_NO_CACHE = {"Cache-Control": "no-cache"}


class StudioNotBuilt(NotFound):
    """The studio's static files are missing (``npm run build:studio`` was not run)."""

    title = "Studio not built"


def _file(name: str) -> Path:
    path = DIST / name
    if not path.is_file():
        raise StudioNotBuilt(f"the studio is not built ({name} missing): run `npm run build`")
    return path


def _shell() -> Response:
    return FileResponse(
        _file("index.html"), media_type="text/html; charset=utf-8", headers=_NO_CACHE
    )


def mount(app: FastAPI) -> None:
    """Serve the studio's assets at /studio, its config, and the shell for deep links."""

    @app.get("/studio", include_in_schema=False)
    def studio_home() -> Response:
        return _shell()

    @app.get("/studio/config.json", include_in_schema=False)
    def studio_config(request: Request) -> Response:
        settings = request.app.state.settings
        body = {"tile_url": settings.tile_url, "tile_attribution": settings.tile_attribution}
        return JSONResponse(body, headers=_NO_CACHE)

    @app.get("/studio/assets/{name}", include_in_schema=False)
    def studio_asset(name: str) -> Response:
        match = _ASSET.match(name)
        if not match:
            raise NotFound(f"no studio asset '{name}'")
        return FileResponse(
            _file(f"assets/{name}"), media_type=_TYPES[match.group(1)], headers=_NO_CACHE
        )

    @app.get("/studio/{path:path}", include_in_schema=False)
    def studio_deep_link(path: str) -> Response:
        return _shell()
