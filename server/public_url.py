"""The server's public address: the one place that decides what links, QR codes and posters say.

``BALADEUR_PUBLIC_BASE_URL`` wins when set (a deployment behind a proxy that rewrites the
host). Unset, the address is the one the request itself reached: its scheme (``https`` when a
trusted proxy says so through ``X-Forwarded-Proto``, see ``Settings.proxy_options``) and its
``Host``, so `make run` on any ``PORT`` prints links that open.
"""

from __future__ import annotations

from fastapi import Request

from server.settings import Settings


def public_base(request: Request, settings: Settings) -> str:
    """The absolute address, without a trailing slash, that links to this server start with."""
    if settings.public_base_url:
        return settings.public_base_url.rstrip("/")
    return str(request.base_url).rstrip("/")
