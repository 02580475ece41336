"""The one place that maps errors to HTTP responses, all as RFC 9457 problem details."""

from __future__ import annotations

import errno
import logging
import math
import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from media.blobs import BlobStoreUnavailable
from media.errors import MediaProcessingFailed, MediaTimeout, MediaToolMissing, RejectedMedia
from server import bodytypes
from server.errors import (
    ChecksumMismatch,
    ContentTooLarge,
    DatabaseUnavailable,
    Forbidden,
    Gone,
    NotYetAvailable,
    PreconditionFailed,
    PreconditionRequired,
    RefusedBeforeBody,
    TooManyRequests,
    Unauthorized,
    UnsupportedContentType,
    UpstreamFailed,
    UpstreamTimeout,
)
from server.i18n import language_headers, request_language
from server.ranges import RangeNotSatisfiable
from server.schemas.problem import FieldProblem, Problem
from trails.errors import Conflict, DomainError, FieldError, InvalidInput, NotFound
from trails.i18n import render
from trails.messages import msg, nmsg, pydantic_message

log = logging.getLogger(__name__)

PROBLEM_TYPE = "application/problem+json"

# OpenAPI response tables: the problems the routes of an organisation may answer with.
ORG_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "Not signed in"},
    403: {"model": Problem, "description": "Role too low"},
    404: {"model": Problem, "description": "No such organisation (or not yours)"},
    409: {"model": Problem, "description": "Conflict"},
    412: {"model": Problem, "description": "Stale If-Match"},
    422: {"model": Problem, "description": "Invalid input"},
    428: {"model": Problem, "description": "If-Match required"},
}
# Routes that take a file other than audio (photos, signed consent forms).
ORG_FILE_PROBLEMS: dict[int | str, dict[str, Any]] = {
    **ORG_PROBLEMS,
    413: {"model": Problem, "description": "Larger than the size limit"},
    415: {"model": Problem, "description": "Not a file type accepted here"},
}

STATUS_BY_ERROR: dict[type[DomainError], int] = {
    InvalidInput: 422,
    NotFound: 404,
    Conflict: 409,
    DatabaseUnavailable: 503,
    RejectedMedia: 422,
    MediaProcessingFailed: 422,
    MediaTimeout: 504,
    MediaToolMissing: 503,
    RangeNotSatisfiable: 416,
    Gone: 410,
    NotYetAvailable: 403,
    BlobStoreUnavailable: 503,
    Unauthorized: 401,
    Forbidden: 403,
    PreconditionRequired: 428,
    PreconditionFailed: 412,
    TooManyRequests: 429,
    ChecksumMismatch: 460,
    UnsupportedContentType: 415,
    ContentTooLarge: 413,
    UpstreamFailed: 502,
    UpstreamTimeout: 504,
}


def problem_response(
    request: Request,
    status: int,
    detail: str,
    *,
    title: str | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    reason: str | None = None,
) -> JSONResponse:
    """A problem-details response, its ``detail`` and field messages in the request's language.

    Only the words for people are translated: ``type``, ``title``, ``status``, field names
    and ``reason`` stay the same in every language, for programs to rely on.
    """
    language = request_language(request)
    listed = (errors or [])[:LISTED_ERRORS]
    body = Problem(
        title=title or HTTPStatus(status).phrase,
        status=status,
        detail=scrubbed(render(detail, language)),
        instance=scrubbed(request.url.path),
        errors=[_field_problem(e, language) for e in listed],
        reason=reason,
    )
    content = body.model_dump(exclude_none=True)
    headers = {**(headers or {}), **language_headers(language)}
    try:
        return JSONResponse(content, status_code=status, media_type=PROBLEM_TYPE, headers=headers)
    except (TypeError, ValueError):
        # Never a 500 for want of writing an error down: the same problem without the echoes.
        log.exception("a problem could not be written with its field values")
        content["errors"] = [{**e, "value": None} for e in content.get("errors", [])]
        return JSONResponse(content, status_code=status, media_type=PROBLEM_TYPE, headers=headers)


def listed_detail(errors: list[FieldError], language: str) -> str:
    """The detail that sums up invalid fields: "field: message; ...", in ``language``."""
    detail = "; ".join(f"{e.field}: {render(e.message, language)}" for e in errors[:LISTED_ERRORS])
    if len(errors) > LISTED_ERRORS:
        more = len(errors) - LISTED_ERRORS
        detail += "; " + render(nmsg("and {count} more", "and {count} more", more), language)
    return detail


# A library's message can quote an object's repr ("cannot identify image file <_io.BytesIO
# object at 0x7f...>"): internal names and memory addresses, never for the client.
_OBJECT_REPR = re.compile(r"<[^<>\n]{0,200}? (?:object|at) (?:at )?0x[0-9a-fA-F]+>")

_SURROGATE = re.compile("[\ud800-\udfff]")

# How much of an invalid input a problem echoes back: enough to recognise it, never a copy
# of a large body (a 1 MB string, a list of 100 000 items, a document nested 500 deep).
ECHO_TEXT = 200
ECHO_ITEMS = 20
ECHO_DEPTH = 4
# At most this many invalid fields are listed; the detail counts the others.
LISTED_ERRORS = 50


def scrubbed(text: str) -> str:
    """The text with any object repr replaced by words a client can read, encodable as UTF-8."""
    text = _OBJECT_REPR.sub("the data sent", text)
    # A lone surrogate (JSON allows "\ud800") cannot be encoded: it becomes U+FFFD.
    return _SURROGATE.sub("\ufffd", text)


def _cut(text: str) -> str:
    text = scrubbed(text)
    return text if len(text) <= ECHO_TEXT else text[:ECHO_TEXT] + "…"


def echoable(value: Any, depth: int = 0) -> Any:
    """An invalid input as a problem may echo it: JSON values only, and only a little of each.

    Anything else (bytes, an upload, a number JSON cannot write such as NaN) is not echoed
    (None); long text is cut with an ellipsis, long lists and objects keep their first items.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if abs(value) < 2**63 else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        return _cut(value)
    if depth >= ECHO_DEPTH:
        return None
    if isinstance(value, list | tuple):
        return [echoable(item, depth + 1) for item in value[:ECHO_ITEMS]]
    if isinstance(value, dict):
        items = list(value.items())[:ECHO_ITEMS]
        return {_cut(str(k)): echoable(v, depth + 1) for k, v in items}
    return None


def _field_problem(error: FieldError, language: str) -> FieldProblem:
    return FieldProblem(
        field=_cut(error.field),
        value=echoable(error.value),
        message=scrubbed(render(error.message, language)),
    )


def status_for(exc: DomainError) -> int:
    """The HTTP status of a domain error (its nearest mapped class)."""
    for cls in type(exc).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 400


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    errors = None
    detail: str = exc.detail
    if isinstance(exc, InvalidInput):
        # Values as the domain reports them (an infinite number as text), then echoed.
        errors = [FieldError(e.field, e.as_dict()["value"], e.message) for e in exc.errors]
        if exc.summed_up:
            detail = listed_detail(errors, request_language(request))
    status = status_for(exc)
    headers = None
    if isinstance(exc, BlobStoreUnavailable):
        status = 507 if exc.full else 503
        headers = {"Retry-After": str(exc.retry_after_s)}
    elif status == 503:
        headers = {"Retry-After": "5"}
    elif isinstance(exc, RejectedMedia):
        # The size limit and "this is not audio" have their own statuses.
        status = {"too_large": 413, "not_audio": 415, "type_mismatch": 415}.get(exc.reason, status)
    elif isinstance(exc, TooManyRequests):
        headers = {"Retry-After": str(exc.retry_after_s)}
    elif isinstance(exc, Unauthorized):
        headers = {"WWW-Authenticate": 'Bearer realm="baladeur"'}
    elif isinstance(exc, RangeNotSatisfiable):
        headers = {"Content-Range": f"bytes */{exc.size}"}
    reason = exc.reason if isinstance(exc, Gone) else None
    return problem_response(
        request, status, detail, title=exc.title, errors=errors, headers=headers, reason=reason
    )


def _loc(loc: tuple[Any, ...]) -> str:
    # "query.radius_m" reads better than "('query', 'radius_m')"; a key sent may be huge.
    return _cut(".".join(str(p) for p in loc))


async def _request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # A body of another type failed because of its type: say that, not which field is missing.
    refused = bodytypes.wrong_type(request)
    if refused is not None:
        return await _domain_error(request, refused)
    errors = [FieldError(_loc(e["loc"]), e.get("input"), pydantic_message(e)) for e in exc.errors()]
    detail = listed_detail(errors, request_language(request))
    return problem_response(request, 422, detail, title="Invalid input", errors=errors)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail: str = str(exc.detail)
    # The router's own refusals carry only the status phrase: said in words, translatable.
    if detail == HTTPStatus(exc.status_code).phrase:
        if exc.status_code == 404:
            detail = msg("nothing is at this address")
        elif exc.status_code == 405:
            detail = msg("this address does not take {method} requests", method=request.method)
    return problem_response(request, exc.status_code, detail, headers=getattr(exc, "headers", None))


async def _refused_before_body(request: Request, exc: Exception) -> Response:
    # Answered exactly as its cause would be, had it been raised by the route itself.
    assert isinstance(exc, RefusedBeforeBody)
    handlers = request.app.exception_handlers
    for cls in type(exc.cause).__mro__:
        handler = handlers.get(cls)
        if handler is not None and cls is not RefusedBeforeBody:
            response: Response = await handler(request, exc.cause)
            return response
    return await _unexpected(request, exc.cause)


async def _stale(request: Request, exc: Exception) -> JSONResponse:
    # Two writers passed the If-Match check at once; the version counter caught the second.
    return problem_response(
        request,
        412,
        msg("someone changed this at the same moment; reload it and apply your change again"),
        title=PreconditionFailed.title,
    )


async def _database_lost(request: Request, exc: Exception) -> JSONResponse:
    # The connection dropped or the server went away mid-request: the transaction was rolled
    # back, so nothing of this request is stored, and the next request gets a fresh connection.
    log.warning("database error on %s %s: %s", request.method, request.url.path, exc)
    return problem_response(
        request,
        503,
        msg("the database did not answer; nothing was changed, try again in a moment"),
        title=DatabaseUnavailable.title,
        headers={"Retry-After": "5"},
    )


async def _os_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OSError)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        # The server's own disk (working files, a local blob directory) is full.
        log.error("disk full on %s %s: %s", request.method, request.url.path, exc)
        return problem_response(
            request,
            507,
            msg("the server has no space left to store this; nothing was changed, try again later"),
            title=BlobStoreUnavailable.title,
            headers={"Retry-After": "60"},
        )
    return await _unexpected(request, exc)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(request, 500, msg("An unexpected error occurred; it has been logged."))


def install(app: FastAPI) -> None:
    """Register the handlers on an application."""
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RefusedBeforeBody, _refused_before_body)
    app.add_exception_handler(StaleDataError, _stale)
    app.add_exception_handler(OperationalError, _database_lost)
    app.add_exception_handler(InterfaceError, _database_lost)
    app.add_exception_handler(OSError, _os_error)
    app.add_exception_handler(Exception, _unexpected)
    _document_problems(app)


# Schemas an error response is documented with: ours, and FastAPI's default for 422.
_ERROR_SCHEMAS = {"#/components/schemas/Problem", "#/components/schemas/HTTPValidationError"}


_UNREADABLE_BODY = {
    "description": "The body could not be read",
    "content": {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
}
_UNSUPPORTED_BODY = {
    "description": "The body is not of the media type this operation takes",
    "content": {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


def _document_problems(app: FastAPI) -> None:
    """Make the OpenAPI document say what errors are: ``application/problem+json`` Problems."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = build()  # FastAPI caches this very dict as app.openapi_schema
            for operations in spec.get("paths", {}).values():
                for operation in operations.values():
                    responses = operation.get("responses", {})
                    for response in responses.values():
                        _as_problem(response)
                    if "requestBody" in operation:
                        # FastAPI's own answer to a body it cannot parse (not UTF-8, say),
                        # and server.bodytypes' to a body of another type.
                        responses.setdefault("400", _UNREADABLE_BODY)
                        responses.setdefault("415", _UNSUPPORTED_BODY)
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]


def _as_problem(response: dict[str, Any]) -> None:
    content = response.get("content", {})
    body = content.get("application/json", {})
    if body.get("schema", {}).get("$ref") in _ERROR_SCHEMAS:
        del content["application/json"]
        content[PROBLEM_TYPE] = {"schema": {"$ref": "#/components/schemas/Problem"}}
