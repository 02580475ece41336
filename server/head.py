"""HEAD is answered wherever GET is: the same status and headers, and no body (RFC 9110).

FastAPI routes take only the methods they name, so HEAD on a JSON route was a 405. The
:class:`HeadLikeGet` middleware answers it in one place for every route:

- a route that handles HEAD itself keeps it: downloads (``serve_bytes``, which then opens no
  file), the web apps' files, and the tus ``HEAD`` whose answer differs from its ``GET``;
- any other HEAD runs the route's GET, so the status and headers (``Content-Type``,
  ``Content-Length``, ``ETag``, ``Cache-Control``) are exactly GET's;
- whatever body the route produces is dropped before it leaves, and a streamed one stops
  being produced after its first chunk.

HEAD operations are not listed in the OpenAPI document: by RFC 9110 a HEAD is the GET
without its body, so listing each one would only repeat every GET. The tus ``HEAD``, which
means something else, is listed.
"""

from __future__ import annotations

from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def _handled_as_head(scope: Scope) -> bool:
    """Whether the route that would serve this path's GET takes HEAD itself.

    Asked of the route GET would reach, not of any route: a catch-all page that takes HEAD
    (``/studio/{path}``) must not answer for a more specific GET (``/studio/config.json``).
    """
    router = getattr(scope.get("app"), "router", None)
    as_get = {**scope, "method": "GET"}
    for route in getattr(router, "routes", []):
        if route.matches(as_get)[0] == Match.FULL:
            return bool(route.matches(scope)[0] == Match.FULL)
    return True  # nothing serves GET here: HEAD is answered as it stands (404, 405)


class _BodyNotWanted(BaseException):
    """Raised into a response that has more body to send: a HEAD needs none of it.

    A BaseException, so that no error handler takes it for a failure on its way out; the
    middleware catches it. A streamed file stops being read at its first chunk.
    """


def _without_body(send: Send) -> Send:
    async def send_headers_only(message: Message) -> None:
        if message["type"] == "http.response.start":
            await send(message)
            return
        # The first piece of body, whatever its form (bytes, a file): the response ends here.
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        if message.get("more_body", False):
            raise _BodyNotWanted

    return send_headers_only


class HeadLikeGet:
    """ASGI middleware: HEAD answered as GET would be, without the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one request; a HEAD one without its body."""
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        # Otherwise the route is chosen as for GET, in a copy of the scope: the server's own
        # (uvicorn's framing: a HEAD answer has no body) and the outer middleware (the log)
        # must still see HEAD.
        inner = scope if _handled_as_head(scope) else {**scope, "method": "GET"}
        try:
            await self.app(inner, receive, _without_body(send))
        except _BodyNotWanted:
            pass
        finally:
            if inner is not scope:
                # What routing found (the route the log names) is kept; the method is not.
                scope.update({k: v for k, v in inner.items() if k != "method"})
