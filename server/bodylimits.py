"""Request bodies are checked before they are read, and capped by their route's limit.

Every route takes a body of at most :data:`DEFAULT_LIMIT` bytes (JSON) unless it declares
another limit with :func:`body_limit`; upload routes take theirs from the settings
(``BALADEUR_MAX_UPLOAD_BYTES``). The :class:`BodyLimits` middleware holds the body back
until the route asks for its first byte, and then, before passing any on:

1. refuses a declared ``Content-Length`` over the limit (413), so a client that sent
   ``Expect: 100-continue`` never sends the body at all;
2. runs the route's check, if it declares one (an invitation link that must be usable, a
   token that must belong to a member), so that a refused request is answered without its
   body being read, not even into a temporary file.

It then counts the bytes as they arrive, chunked bodies without ``Content-Length`` too,
and refuses the request (413) the moment they pass the limit. Refusals are problem details
like every other error (see ``problems``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from media.limits import human_bytes
from server.auth.access import organisation_for
from server.db.models import Role
from server.db.session import Database
from server.deps import get_caller
from server.errors import ContentTooLarge, RefusedBeforeBody
from server.settings import Settings
from trails.messages import msg

DEFAULT_LIMIT = 1024 * 1024
"""Largest body of a route that declares nothing: JSON objects of a few fields."""

DOCUMENT_LIMIT = 16 * 1024 * 1024
"""Largest JSON document: a story with its transcripts, a trail with its route."""

MULTIPART_SLACK = 256 * 1024
"""Room for multipart boundaries, part headers and small text fields beside the files."""

Limit = int | Callable[[Settings], int]
Check = Callable[[Request], None]
F = TypeVar("F", bound=Callable[..., Any])

_ATTRIBUTE = "__baladeur_body__"


@dataclass(frozen=True)
class BodyRule:
    """What a route's body may be: its largest size, and a check to pass before reading it."""

    limit: Limit = DEFAULT_LIMIT
    check: Check | None = None

    def bytes_for(self, settings: Settings | None) -> int:
        """The limit in bytes under these settings."""
        if callable(self.limit):
            return self.limit(settings or Settings())
        return self.limit


def body_limit(limit: Limit, *, check: Check | None = None) -> Callable[[F], F]:
    """Declare the largest body a route takes (bytes, or computed from the settings).

    ``check`` runs in a worker thread before the first byte of the body is read; it
    refuses the request by raising (``NotFound``, ``Unauthorized``...), as a route would.
    """

    def mark(endpoint: F) -> F:
        setattr(endpoint, _ATTRIBUTE, BodyRule(limit, check))
        return endpoint

    return mark


def upload_limit(extra: int = MULTIPART_SLACK) -> Limit:
    """The settings' upload limit, plus ``extra`` for what comes with the file."""
    return lambda settings: settings.max_upload_bytes + extra


def member_first(minimum: Role) -> Check:
    """A check that the caller is signed in and a member of the path's ``{org}``, at ``minimum``.

    FastAPI reads a multipart body before it solves a route's dependencies (which check the
    same again): without this, anyone could make the server store an upload's worth of
    bytes before being told to sign in.
    """

    def check(request: Request) -> None:
        # Called before any dependency is solved: the app's objects straight from its state.
        database: Database = request.app.state.database
        settings: Settings = request.app.state.settings
        with database.transaction() as session:
            caller = get_caller(request, session, settings, request.headers.get("authorization"))
            organisation_for(session, caller.user, request.path_params["org"], minimum)

    return check


CONTRIBUTOR_FIRST = member_first(Role.contributor)
EDITOR_FIRST = member_first(Role.editor)


def rule_of(endpoint: object) -> BodyRule:
    """The body rule a route's endpoint declared, or the default one."""
    rule = getattr(endpoint, _ATTRIBUTE, None)
    return rule if isinstance(rule, BodyRule) else BodyRule()


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class _Guard:
    """The body of one request: held back until checked, then counted as it streams."""

    def __init__(self, scope: Scope, receive: Receive) -> None:
        self.scope = scope
        self.inner = receive
        self.lock = anyio.Lock()
        self.checked = False
        self.refused: RefusedBeforeBody | None = None
        self.limit = DEFAULT_LIMIT
        self.received = 0

    def _too_large(self, size: int, *, declared: bool) -> RefusedBeforeBody:
        limit = human_bytes(self.limit)
        if declared:
            text = msg(
                "this request's body is {size}; the limit here is {limit}",
                size=human_bytes(size),
                limit=limit,
            )
        else:
            text = msg(
                "this request's body passed {size}; the limit here is {limit}",
                size=human_bytes(size),
                limit=limit,
            )
        return RefusedBeforeBody(ContentTooLarge(text))

    async def _before_first_byte(self) -> None:
        # The router has chosen the route by now: it is the route that asks for the body.
        endpoint = getattr(self.scope.get("route"), "endpoint", None)
        rule = rule_of(endpoint)
        app = self.scope.get("app")
        settings = getattr(getattr(app, "state", None), "settings", None)
        self.limit = rule.bytes_for(settings)
        declared = _declared_length(self.scope)
        if declared is not None and declared > self.limit:
            raise self._too_large(declared, declared=True)
        if rule.check is not None:
            try:
                await run_in_threadpool(rule.check, Request(self.scope))
            except Exception as exc:
                raise RefusedBeforeBody(exc) from None

    async def receive(self) -> Message:
        """The next message of the body, once the request has passed its checks."""
        async with self.lock:
            if not self.checked:
                try:
                    await self._before_first_byte()
                except RefusedBeforeBody as refused:
                    self.refused = refused
                self.checked = True
        if self.refused is not None:
            raise self.refused
        message = await self.inner()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                self.refused = self._too_large(self.received, declared=False)
                raise self.refused
        return message


class BodyLimits:
    """ASGI middleware: every request body checked before it is read and capped by its route."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one request with its body guarded."""
        if scope["type"] == "http":
            receive = _Guard(scope, receive).receive
        await self.app(scope, receive, send)
