"""How uvicorn runs the application: the options ``baladeur serve`` gives it."""

from __future__ import annotations

from typing import Any

from server.settings import Settings
from server.zerocopy import sendfile_protocol


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options for these settings: zero-copy file bodies, trusted proxies."""
    return {"http": sendfile_protocol(settings.send_stall_timeout_s), **settings.proxy_options()}
