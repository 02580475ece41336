"""How uvicorn runs the application: the options ``baladeur serve`` gives it.

With one process, uvicorn is handed the application and a protocol class made for these
settings. With several (``--workers``), uvicorn starts each worker process afresh and
imports both by name, so each worker builds them from the same ``BALADEUR_*`` environment:
:func:`worker_app` and :class:`WorkerSendfileProtocol`.
"""

from __future__ import annotations

import gc
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.logs import configure
from server.settings import Settings
from server.zerocopy import SendfileProtocol, sendfile_protocol

# What uvicorn imports in each worker process.
WORKER_APP = "server.serving:worker_app"
WORKER_PROTOCOL = "server.serving:WorkerSendfileProtocol"


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options for these settings: zero-copy file bodies, trusted proxies."""
    return {"http": sendfile_protocol(settings.send_stall_timeout_s), **settings.proxy_options()}


def worker_options(settings: Settings, processes: int) -> dict[str, Any]:
    """The same options for ``processes`` worker processes, each importing the app by name."""
    return {
        "factory": True,
        "workers": processes,
        **uvicorn_options(settings),
        "http": WORKER_PROTOCOL,
    }


def worker_app() -> ASGIApp:
    """The application of one worker process, from the environment's settings."""
    from server.app import create_app

    settings = Settings()
    # A worker process starts with nothing configured: log as the parent does.
    configure(settings.log_level, settings.log_format)
    WorkerSendfileProtocol.stall_timeout_s = settings.send_stall_timeout_s
    return FrozenAfterStartup(create_app(settings))


class FrozenAfterStartup:
    """ASGI wrapper: once the application has started, what it holds is frozen out of the
    garbage collector's sight (``gc.freeze``).

    A started server holds about 300,000 objects the collector tracks (modules, routes,
    models, catalogues, pools). Each full collection walked them all: a pause of about
    100 ms that stalled every request in flight, several times a minute under load
    (bench/README.md, Catalogue). Frozen, they are never walked again; what requests
    create is collected as before.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve; freeze once the application says it has started."""
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def send_then_freeze(message: Message) -> None:
            if message["type"] == "lifespan.startup.complete":
                gc.collect()
                gc.freeze()
            await send(message)

        await self.app(scope, receive, send_then_freeze)


class WorkerSendfileProtocol(SendfileProtocol):
    """The zero-copy protocol of a worker process; :func:`worker_app` sets its stall timeout
    from the environment's settings (read per connection, so it may come after the class)."""
