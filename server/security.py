"""Security headers on every response, and CORS limited to the configured origins."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.auth.sessions import https
from server.settings import Settings

# Headers a browser client of another origin may send and read (tus and conditional requests
# included). Never X-Baladeur-CSRF: only the studio's own pages may send it (its session
# cookie is refused on changes without it), and CORS never allows credentials.
ALLOWED_HEADERS = [
    "Authorization",
    "Content-Type",
    "If-Match",
    "If-None-Match",
    "If-Range",
    "Range",
    "X-Access-Code",
    "X-Request-ID",
    "Tus-Resumable",
    "Upload-Length",
    "Upload-Offset",
    "Upload-Metadata",
    "Upload-Checksum",
]
EXPOSED_HEADERS = [
    "ETag",
    "Location",
    "Retry-After",
    "X-Request-ID",
    "Upload-Offset",
    "Upload-Length",
    "Upload-Expires",
    "Tus-Resumable",
    "Tus-Version",
    "Tus-Extension",
    "Tus-Max-Size",
    "Baladeur-Asset-Id",
    "Content-Range",
    "Accept-Ranges",
]
# API answers are data, never pages: nothing in them may run or be framed.
_API_CSP = b"default-src 'none'; frame-ancestors 'none'"
# Anything else that is not one of the apps (images, audio, SVG, zips...) is never a page
# either; if someone opens one as a page, it runs nothing and reaches nothing.
_FILE_CSP = b"default-src 'none'; frame-ancestors 'none'; sandbox"
# Left as they are: any other page (there is none) and PDFs (a sandboxed PDF does not open
# in Chromium's viewer; its scripts never reach this origin anyway).
_OWN_PAGES = ("text/html", "application/pdf")
# The web apps and where they are served (pages, assets, the player's service worker).
APP_PREFIXES = ("/studio", "/play", "/contribute")
# The API documentation page (server/webapps.py): Swagger UI's files come from this server,
# no CDN, and no inline script; Swagger UI draws its icons from data: URIs in its stylesheet.
DOCS_PREFIX = "/docs"
DOCS_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
_DOCS_CSP = DOCS_POLICY.encode()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def tile_source(tile_url: str) -> str | None:
    """The CSP source of the studio's map tiles, from ``BALADEUR_TILE_URL``.

    Leaflet fills ``{s}`` in the host name with a subdomain: a placeholder in the first label
    becomes CSP's ``*.`` wildcard. A placeholder deeper in the host name (which CSP cannot
    express) allows the whole scheme, for images only. A relative URL is already 'self'.
    """
    parts = urlsplit(tile_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    first, _, rest = parts.netloc.partition(".")
    if "{" in rest:
        return f"{parts.scheme}:"
    if "{" in first:
        return f"{parts.scheme}://*.{rest}"
    return _origin(tile_url)


def blob_sources(settings: Settings) -> list[str]:
    """Where a browser may be sent to fetch a bundle or a media file directly (S3 presigned
    URLs)."""
    if settings.blob_backend != "s3":
        return []
    if settings.s3_endpoint_url:
        return [_origin(settings.s3_endpoint_url)]
    # Path-style presigned URLs (media/blobs/s3.py) name the regional endpoint, or the
    # global one in us-east-1.
    region = settings.s3_region or "us-east-1"
    return ["https://s3.amazonaws.com", f"https://s3.{region}.amazonaws.com"]


def app_policy(app: str, settings: Settings) -> str:
    """The Content-Security-Policy of the studio's, the player's or the residents' pages.

    Only the apps' own files run (no inline script, no eval); styles come from their own
    stylesheets (Leaflet and Geoman set positions through the CSSOM, which CSP allows). The
    residents' pages play back their own recording and show their photo from blob: URLs,
    and talk to this origin only.
    """
    img = ["'self'", "data:", "blob:"]
    connect = ["'self'"]
    workers = "'none'"
    if app == "studio":
        img += [source] if (source := tile_source(settings.tile_url)) else []
    elif app != "contribute":
        # The player's service worker, and bundles and media (covers too) redirected to
        # object storage.
        workers = "'self'"
        connect += blob_sources(settings)
        img += blob_sources(settings)
    directives = [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        f"img-src {' '.join(img)}",
        "media-src 'self' blob:",
        f"connect-src {' '.join(connect)}",
        "font-src 'self'",
        f"worker-src {workers}",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
    return "; ".join(directives)


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(f"{prefix}/")


def _app_of(path: str) -> str | None:
    for prefix in APP_PREFIXES:
        if _under(path, prefix):
            return prefix.strip("/")
    return None


class SecurityHeaders:
    """ASGI middleware adding defensive headers that the response did not set itself."""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.https = https(settings)
        self.app_policies = {
            name.strip("/"): app_policy(name.strip("/"), settings).encode() for name in APP_PREFIXES
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one request, adding headers to its response."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                content_type = next(
                    (v.decode("latin-1") for n, v in headers if n.lower() == b"content-type"), ""
                )
                extra = {
                    b"x-content-type-options": b"nosniff",
                    b"referrer-policy": b"no-referrer",
                    b"x-frame-options": b"DENY",
                    b"cross-origin-opener-policy": b"same-origin",
                    # Only the player asks for the position, and it stays on the phone; the
                    # residents' pages record from the microphone (this origin only).
                    b"permissions-policy": b"geolocation=(self), camera=(), microphone=(self)",
                }
                # Pages and scripts of the studio, the player (its service worker too: a
                # worker obeys the policy its script came with) and the residents' pages
                # carry the app's policy.
                path = scope.get("path", "")
                web_app = _app_of(path)
                if web_app is not None:
                    extra[b"content-security-policy"] = self.app_policies[web_app]
                elif _under(path, DOCS_PREFIX):
                    extra[b"content-security-policy"] = _DOCS_CSP
                elif content_type.startswith(("application/json", "application/problem+json")):
                    extra[b"content-security-policy"] = _API_CSP
                elif content_type and not content_type.startswith(_OWN_PAGES):
                    extra[b"content-security-policy"] = _FILE_CSP
                if self.https:
                    extra[b"strict-transport-security"] = b"max-age=31536000"
                headers += [(k, v) for k, v in extra.items() if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI, settings: Settings) -> None:
    """Add CORS (only for configured origins) and security headers to the application."""
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=ALLOWED_HEADERS,
            expose_headers=EXPOSED_HEADERS,
            max_age=600,
        )
    app.add_middleware(SecurityHeaders, settings=settings)
