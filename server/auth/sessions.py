"""The studio's sign-in session: an opaque token in an HttpOnly cookie, with CSRF checks.

The token is one of the ordinary opaque tokens (``server.auth.tokens``): the cookie only
changes where it travels. Page scripts cannot read an HttpOnly cookie, so a script injected
into the studio cannot carry the credential away; ``SameSite=Strict`` keeps browsers from
sending it with requests that other sites start, and every unsafe request that relies on the
cookie must also prove it comes from the studio's own pages (a custom header, which no other
site can add without a CORS preflight that is refused, and a same-origin ``Origin`` and
``Sec-Fetch-Site``).
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from fastapi import Request, Response

from server.errors import Forbidden
from server.settings import Settings
from trails.messages import msg

# Sent by the studio on every call; its value does not matter, its presence does.
CSRF_HEADER = "X-Baladeur-CSRF"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Browsers send these for requests a page of our own origin started (or a typed address).
_SAME_SITE_FETCH = frozenset({"same-origin", "none"})


def https(settings: Settings) -> bool:
    """Whether the configured public address (``BALADEUR_PUBLIC_BASE_URL``) is https."""
    return (settings.public_base_url or "").startswith("https://")


def secure_cookie(request: Request, settings: Settings) -> bool:
    """Whether the session cookie is ``Secure``: the browser reached this server over https.

    The request's scheme is the one uvicorn gives it: ``https`` when it terminated TLS itself,
    or when a proxy named in ``BALADEUR_FORWARDED_ALLOW_IPS`` says ``X-Forwarded-Proto:
    https`` (anyone else's header is ignored). An https public base URL says so too, for a
    proxy that forwards no scheme.
    """
    return request.url.scheme == "https" or https(settings)


def cookie_name(request: Request, settings: Settings) -> str:
    """The session cookie's name; a Secure one has the ``__Host-`` prefix (this host only)."""
    return "__Host-baladeur_session" if secure_cookie(request, settings) else "baladeur_session"


def session_token(request: Request, settings: Settings) -> str | None:
    """The raw session token the request's cookie carries, if any."""
    raw = request.cookies.get(cookie_name(request, settings), "").strip()
    return raw or None


def set_session_cookie(
    request: Request, response: Response, settings: Settings, raw: str, expires_at: datetime
) -> None:
    """Hand the browser the session cookie, for as long as its token lives."""
    response.set_cookie(
        cookie_name(request, settings),
        raw,
        max_age=settings.session_ttl_s,
        expires=expires_at,
        path="/",
        secure=secure_cookie(request, settings),
        httponly=True,
        samesite="strict",
    )


def clear_session_cookie(request: Request, response: Response, settings: Settings) -> None:
    """Make the browser forget the session cookie."""
    response.delete_cookie(
        cookie_name(request, settings),
        path="/",
        secure=secure_cookie(request, settings),
        httponly=True,
        samesite="strict",
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def require_same_origin(request: Request, settings: Settings) -> None:
    """Refuse (403) a request that a page of another site could have started.

    Used for every unsafe request authenticated by the cookie, and for the sign-in that
    sets it (so no other site can sign a browser into an account of its choosing).
    """
    if not request.headers.get(CSRF_HEADER, "").strip():
        raise Forbidden(
            msg(
                "a request signed in by the studio's cookie must carry the "
                "{header} header; programs should send 'Authorization: Bearer "
                "<token>' instead",
                header=CSRF_HEADER,
            )
        )
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site.lower() not in _SAME_SITE_FETCH:
        raise Forbidden(
            msg("cross-site request refused (Sec-Fetch-Site: {fetch_site})", fetch_site=fetch_site)
        )
    origin = request.headers.get("origin")
    if origin is None:
        return  # not sent by a browser page (browsers always send it on unsafe requests)
    host = request.headers.get("host", "").lower()
    allowed = {_origin(settings.public_base_url)} if settings.public_base_url else set()
    if origin.lower() not in allowed and urlsplit(origin.lower()).netloc != host:
        raise Forbidden(msg("cross-origin request refused: the Origin is not this server's"))
