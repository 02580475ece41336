"""Errors of the server's own making (infrastructure), mapped to HTTP in ``problems``."""

from __future__ import annotations

from starlette.exceptions import HTTPException as StarletteHTTPException

from trails.errors import DomainError


class DatabaseUnavailable(DomainError):
    """The database cannot be reached or lacks its spatial extension."""

    title = "Database unavailable"


class Gone(DomainError):
    """The resource existed but is no longer available (an expired festival route).

    ``reason``, when given, is a short word the problem carries for pages to translate.
    """

    title = "Gone"

    def __init__(self, detail: str, reason: str | None = None) -> None:
        super().__init__(detail)
        self.reason = reason


class NotYetAvailable(DomainError):
    """A scheduled trail before its validity window opens."""

    title = "Not yet available"


class Unauthorized(DomainError):
    """No valid credentials: missing, wrong, expired or revoked."""

    title = "Unauthorized"


class Forbidden(DomainError):
    """Signed in and a member, but the role does not allow this."""

    title = "Forbidden"


class PreconditionRequired(DomainError):
    """A write to an existing object came without ``If-Match``."""

    title = "Precondition required"


class PreconditionFailed(DomainError):
    """The object changed since the caller read it (a stale ``If-Match``)."""

    title = "Precondition failed"


class TooManyRequests(DomainError):
    """Too many attempts; try again after ``retry_after_s`` seconds."""

    title = "Too many requests"

    def __init__(self, detail: str, retry_after_s: int) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


class ChecksumMismatch(DomainError):
    """The bytes received do not match the checksum the client declared (tus answers 460)."""

    title = "Checksum mismatch"


class UnsupportedContentType(DomainError):
    """The request body is not of the media type this endpoint takes."""

    title = "Unsupported media type"


class ContentTooLarge(DomainError):
    """A request body over its route's limit, declared or counted as it arrives (413)."""

    title = "Content too large"


class RefusedBeforeBody(StarletteHTTPException):
    """A request refused while its body was about to be read, carrying the reason.

    Raised from the body's stream, where FastAPI re-raises only HTTP exceptions; the
    handler in ``problems`` answers it as its ``cause`` would have been answered.
    """

    def __init__(self, cause: Exception) -> None:
        super().__init__(status_code=400, detail=str(cause))
        self.cause = cause


class UpstreamFailed(DomainError):
    """A service the server asks on the caller's behalf (the geocoder) is down or answered
    something unusable (502)."""

    title = "Bad gateway"


class UpstreamTimeout(DomainError):
    """That service did not answer in time (504)."""

    title = "Gateway timeout"
