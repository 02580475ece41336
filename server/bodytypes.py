"""A request body must be of the media type its operation declares, or it is refused (415).

FastAPI reads a JSON route's body as JSON only when it is labelled JSON; anything else
reached the route's validation as raw bytes and came back as a 422 about a missing object,
which tells a client nothing about the real mistake. The rule here answers 415 instead,
naming the type the operation takes, for every route with a body:

- a JSON operation takes ``application/json``. Parameters are ignored: RFC 8259 defines no
  ``charset`` for it and JSON between systems is UTF-8, so ``charset=utf-8`` is harmless and
  any other charset is read as UTF-8 all the same (bytes that are not UTF-8 are a 400, "the
  body could not be read"). Other JSON-based types (``application/merge-patch+json``...)
  mean other semantics and are refused.
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
            f"this request has a body but no Content-Type; send it as {declared}"
        )
    # A value that does not parse reads as text/plain, which no operation takes.
    if _essence(content_type) != declared:
        return UnsupportedContentType(
            f"this operation takes {declared}, not {content_type.strip()[:100]}"
        )
    return None


async def require_declared_type(request: Request) -> None:
    """Refuse (415) a body whose Content-Type is not the one its operation declares."""
    declared = declared_type(request.scope.get("route"))
    if declared is None or not _has_body(request):
        return
    problem = refusal(declared, request.headers.get("content-type"))
    if problem is not None:
        raise problem
