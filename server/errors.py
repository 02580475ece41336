"""Errors of the server's own making (infrastructure), mapped to HTTP in ``problems``."""

from __future__ import annotations

from trails.errors import DomainError


class DatabaseUnavailable(DomainError):
    """The database cannot be reached or lacks its spatial extension."""

    title = "Database unavailable"


class Gone(DomainError):
    """The resource existed but is no longer available (an expired festival route)."""

    title = "Gone"


class NotYetAvailable(DomainError):
    """A scheduled trail before its validity window opens."""

    title = "Not yet available"
