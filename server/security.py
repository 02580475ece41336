"""Security headers on every response, and CORS limited to the configured origins."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.settings import Settings

# Headers a browser client may send and read (tus and conditional requests included).
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
_API_CSP = "default-src 'none'; frame-ancestors 'none'"


class SecurityHeaders:
    """ASGI middleware adding defensive headers that the response did not set itself."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.https = https

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
                    # Only the player asks for the position, and it stays on the phone.
                    b"permissions-policy": b"geolocation=(self), camera=(), microphone=(self)",
                }
                # Pages and scripts (the studio, the player and its service worker) carry
                # their own policy; a worker would inherit this one and be unable to fetch.
                if content_type.startswith(("application/json", "application/problem+json")):
                    extra[b"content-security-policy"] = _API_CSP.encode()
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
    app.add_middleware(SecurityHeaders, https=settings.public_base_url.startswith("https://"))
