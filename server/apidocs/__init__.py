"""The API documentation at /docs: Swagger UI served by this server, no CDN.

FastAPI's default page loads Swagger UI from a CDN and starts it with an inline script, so
it needs the network and a policy that allows a third-party origin. Here the page, its
start-up script and Swagger UI's two files all come from this server, under a CSP that
names no other origin and allows no inline script.

Swagger UI comes from the npm package ``swagger-ui-dist`` (the upstream's own build, pinned
to one version with its integrity hash in ``package-lock.json``), copied into ``dist/`` by
``npm run build:apidocs``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, Response

from trails.errors import NotFound

HERE = Path(__file__).resolve().parent
VENDOR = HERE / "dist"
_FILES = {
    "swagger-ui-bundle.js": (VENDOR, "text/javascript; charset=utf-8"),
    "swagger-ui.css": (VENDOR, "text/css; charset=utf-8"),
    "favicon-32x32.png": (VENDOR, "image/png"),
    "start.js": (HERE, "text/javascript; charset=utf-8"),
}
# Swagger UI draws its icons from data: URIs in its stylesheet; everything else is ours.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
_HEADERS = {"Content-Security-Policy": CSP, "Cache-Control": "no-cache"}


class DocsNotBuilt(NotFound):
    """Swagger UI's files are missing (``npm run build:apidocs`` was not run)."""

    title = "API documentation not built"


def mount(app: FastAPI) -> None:
    """Serve /docs and its files (the application is made with ``docs_url=None``)."""

    @app.get("/docs", include_in_schema=False)
    def docs_page() -> Response:
        return FileResponse(
            HERE / "index.html", media_type="text/html; charset=utf-8", headers=_HEADERS
        )

    @app.get("/docs/assets/{name}", include_in_schema=False)
    def docs_asset(name: str) -> Response:
        if name not in _FILES:
            raise NotFound(f"no documentation file '{name}'")
        folder, media_type = _FILES[name]
        if not (folder / name).is_file():
            raise DocsNotBuilt(
                f"the API documentation is not built ({name} missing): run `npm run build`"
            )
        return FileResponse(folder / name, media_type=media_type, headers=_HEADERS)
