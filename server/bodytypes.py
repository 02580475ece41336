"""A request body must be of the media type its operation declares, or it is refused (415).

FastAPI reads a JSON route's body as JSON only when it is labelled JSON (and a form's only
when labelled a form); anything else reaches the route's validation as raw bytes or as no
fields at all, and failed as a 422 about a missing object, which tells a client nothing of
the real mistake. When validation fails, the one error map (``problems``) asks this module
first and answers 415 instead, naming the type the operation takes. The caller's access is
checked before (a stranger still gets 401 or 404), and a body that does validate is never
refused here. The rule, for every route with a body:

- a JSON operation takes ``application/json``, or a type with the ``+json`` suffix (RFC
  6839: the content is JSON), which FastAPI reads as JSON too. Parameters are ignored: RFC
  8259 defines no ``charset`` for JSON and JSON between systems is UTF-8, so
  ``charset=utf-8`` is harmless and any other charset is read as UTF-8 all the same (bytes
  that are not UTF-8 are a 400, "the body could not be read").
- a form operation takes the type the document declares for it (``multipart/form-data``
  for every one that carries files).
- a body without any ``Content-Type`` is refused too: guessing its type is how the bytes of
  one format get read as another.

A request with no body at all (an optional body left out) passes: there is nothing to label.
Routes that read their own body (the tus ``PATCH``) declare none and check their own type.
"""

from __future__ import annotations

from email.message import Message

from fastapi import Request
from fastapi.routing import APIRoute

from server.errors import UnsupportedContentType
from trails.messages import msg

JSON = "application/json"


def declared_type(route: object) -> str | None:
    """The media type an operation documents for its body, or None when it takes none."""
    if not isinstance(route, APIRoute) or route.body_field is None:
        return None
    media_type = getattr(route.body_field.field_info, "media_type", None)
    return media_type if isinstance(media_type, str) else None


def _essence(content_type: str) -> str:
    # type/subtype without parameters, lower case, as RFC 9110 compares them.
    message = Message()
    message["content-type"] = content_type
    return message.get_content_type()


def _has_body(request: Request) -> bool:
    if "transfer-encoding" in request.headers:
        return True
    length = request.headers.get("content-length", "0").strip()
    return not length.isdigit() or int(length) > 0


def refusal(declared: str, content_type: str | None) -> UnsupportedContentType | None:
    """Why a body labelled ``content_type`` cannot go to an operation taking ``declared``."""
    if content_type is None or not content_type.strip():
        return UnsupportedContentType(
            msg(
                "this request has a body but no Content-Type; send it as {declared}",
                declared=declared,
            )
        )
    sent = _essence(content_type)
    if declared == JSON and sent.startswith("application/") and sent.endswith("+json"):
        return None
    # A value that does not parse reads as text/plain, which no operation takes.
    if sent != declared:
        return UnsupportedContentType(
            msg(
                "this operation takes {declared}, not {value}",
                declared=declared,
                value=content_type.strip()[:100],
            )
        )
    return None


def wrong_type(request: Request) -> UnsupportedContentType | None:
    """The 415 due to a request whose body is not of the type its operation declares, if any."""
    declared = declared_type(request.scope.get("route"))
    if declared is None or not _has_body(request):
        return None
    return refusal(declared, request.headers.get("content-type"))
