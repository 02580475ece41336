"""Errors of the server's own making (infrastructure), mapped to HTTP in ``problems``."""

from __future__ import annotations

from trails.errors import DomainError


class DatabaseUnavailable(DomainError):
    """The database cannot be reached or lacks its spatial extension."""

    title = "Database unavailable"


class PayloadTooLarge(DomainError):
    """An upload is over the size limit."""

    title = "Payload too large"


class Gone(DomainError):
    """The resource existed but is no longer available (an expired festival route)."""

    title = "Gone"
