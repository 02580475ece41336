"""The browser apps the server serves: the visitor player at /play, the studio at /studio,
the residents' pages at /contribute and the API documentation page at /docs.

Their sources live in ``web/``; ``npm run build`` writes them into ``server/static/player``,
``server/static/studio``, ``server/static/contribute`` and ``server/static/apidocs``, and this
module only serves those
files: every page of an app is the same shell, plus its assets and the few extras each needs.

/docs replaces FastAPI's own pages, which load Swagger UI from a CDN and start it with an
inline script: here the page, its start-up script and Swagger UI's files (the upstream's
build from the npm package ``swagger-ui-dist``, pinned with its integrity hash in
``package-lock.json``) all come from this server, under a CSP that names no other origin and
allows no inline script (``server.security``, like the apps' policies).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from trails.errors import NotFound
from trails.messages import Message, msg

STATIC = Path(__file__).resolve().parent / "static"
_JS = "text/javascript; charset=utf-8"
# Builds replace files in place under the same names (and the player's service worker keeps
# them offline): browsers must always revalidate them.
_NO_CACHE = {"Cache-Control": "no-cache"}


class AppNotBuilt(NotFound):
    """A web app's static files are missing (``npm run build`` was not run)."""

    def __init__(self, app: str, detail: str) -> None:
        super().__init__(detail)
        self.title = f"{app[0].upper()}{app[1:]} not built"


class WebApp:
    """One built web app: where its files are, which assets it has, and its page routes."""

    def __init__(
        self,
        name: str,
        prefix: str,
        dist: Path,
        types: dict[str, str],
        *,
        called: Message,
        label: str | None = None,
    ) -> None:
        self.name = name
        # How problems name the app: in their title ("Player not built"), and in their
        # detail, translated with its article ("the player is not built").
        self.label = label or name
        self.called = called
        self.prefix = prefix
        # Looked up on every request, so tests may point it at another folder.
        self.dist = dist
        self.types = types
        self.asset_name = re.compile(
            rf"^[a-z0-9][a-z0-9._-]{{0,80}}\.({'|'.join(map(re.escape, types))})$"
        )

    def file(self, name: str) -> Path:
        """The built file ``name``, or a 'not built' problem saying how to build it."""
        path = self.dist / name
        if not path.is_file():
            raise AppNotBuilt(
                self.label,
                msg(
                    "{app} is not built ({file} missing): run `npm run build`",
                    app=self.called,
                    file=name,
                ),
            )
        return path

    def shell(self) -> Response:
        """The app's one HTML page, whatever page of the app is asked for."""
        return FileResponse(
            self.file("index.html"), media_type="text/html; charset=utf-8", headers=_NO_CACHE
        )

    def asset(self, name: str) -> Response:
        """A file under ``assets/``, if its name and type are among the app's."""
        match = self.asset_name.match(name)
        if not match:
            raise NotFound(f"no {self.label} asset '{name}'")
        return FileResponse(
            self.file(f"assets/{name}"), media_type=self.types[match.group(1)], headers=_NO_CACHE
        )

    def mount(self, app: FastAPI, deep_link: str | None = None) -> None:
        """Serve the shell at the prefix (and at ``deep_link`` under it), and the assets.

        The app's own extra routes must be added before: ``deep_link`` may match any name.
        """
        routes: dict[str, tuple[str, Callable[..., Response]]] = {
            "home": (self.prefix, self.shell),
            "asset": (f"{self.prefix}/assets/{{name}}", self.asset),
        }
        if deep_link is not None:
            routes["page"] = (f"{self.prefix}{deep_link}", self.shell)
        for kind, (path, endpoint) in routes.items():
            app.add_api_route(
                path,
                endpoint,
                # HEAD here too: FileResponse then sends the headers without reading the file.
                methods=["GET", "HEAD"],
                include_in_schema=False,
                name=f"{self.name}_{kind}",
            )


PLAYER = WebApp(
    "player",
    "/play",
    STATIC / "player",
    {
        "js": _JS,
        "css": "text/css; charset=utf-8",
        "svg": "image/svg+xml",
        "png": "image/png",
        "webmanifest": "application/manifest+json",
        "map": "application/json",
    },
    called=msg("the player"),
)
STUDIO = WebApp(
    "studio",
    "/studio",
    STATIC / "studio",
    {
        "js": _JS,
        "css": "text/css; charset=utf-8",
        "svg": "image/svg+xml",
        "png": "image/png",
        "map": "application/json",
        "woff2": "font/woff2",
    },
    called=msg("the studio"),
)
# The residents' pages: /contribute/{invitation code} and /contribute/withdraw (the
# withdrawal code after '#', so it never reaches this server).
CONTRIBUTE = WebApp(
    "contribute",
    "/contribute",
    STATIC / "contribute",
    {"js": _JS, "css": "text/css; charset=utf-8", "svg": "image/svg+xml", "png": "image/png"},
    label="residents' page",
    called=msg("the residents' page"),
)
# The application is made with docs_url=None: this page is /docs.
APIDOCS = WebApp(
    "apidocs",
    "/docs",
    STATIC / "apidocs",
    {"js": _JS, "css": "text/css; charset=utf-8", "png": "image/png"},
    label="API documentation",
    called=msg("the API documentation"),
)


def mount(app: FastAPI) -> None:
    """Serve the player at /play (with its service worker), the studio at /studio, the
    residents' pages at /contribute and /docs."""

    @app.api_route("/play/sw.js", methods=["GET", "HEAD"], include_in_schema=False)
    def service_worker() -> Response:
        # Served under /play/ but controlling /play itself too, hence the wider allowance.
        headers = _NO_CACHE | {"Service-Worker-Allowed": "/play"}
        return FileResponse(PLAYER.file("sw.js"), media_type=_JS, headers=headers)

    # Trail pages are one segment deep; studio pages may be nested (/studio/trails/3/publish).
    PLAYER.mount(app, "/{slug}")

    @app.get("/studio/config.json", include_in_schema=False)
    def studio_config(request: Request) -> Response:
        settings = request.app.state.settings
        body = {
            "tile_url": settings.tile_url,
            "tile_attribution": settings.tile_attribution,
            # The studio offers a search by name only when a geocoder is configured.
            "place_search": bool(settings.geocoder_url),
        }
        return JSONResponse(body, headers=_NO_CACHE)

    STUDIO.mount(app, "/{path:path}")
    # One segment: an invitation code, or "withdraw".
    CONTRIBUTE.mount(app, "/{code}")
    APIDOCS.mount(app)
