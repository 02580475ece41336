"""Domain errors: what went wrong, in words a mediator can act on."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One invalid value: where it is, what it was, and why it is refused.

    ``message`` may be a :class:`trails.messages.Message`, which the server translates.
    """

    field: str
    value: Any
    message: str

    def as_dict(self) -> dict[str, Any]:
        """Return the error as a JSON-friendly mapping."""
        return {"field": self.field, "value": _jsonable(self.value), "message": self.message}

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def _jsonable(value: Any) -> Any:
    # JSON has no Infinity or NaN: such a value is reported as text, like any other odd one.
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


class DomainError(Exception):
    """Base of every error that the domain raises on purpose.

    ``detail`` may be a :class:`trails.messages.Message` (``msg(...)``), which the server
    renders in the request's language; any other text is shown as it is, in English.
    """

    title = "Request could not be completed"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidInput(DomainError):
    """One or more values are invalid; each one is listed."""

    title = "Invalid input"

    def __init__(self, errors: list[FieldError], detail: str | None = None) -> None:
        self.errors = errors
        # A detail made of the field errors is made again, translated, by the server.
        self.summed_up = not detail
        super().__init__(detail or "; ".join(str(e) for e in errors))


class NotFound(DomainError):
    """The named object does not exist (or is not visible to the caller)."""

    title = "Not found"


class Conflict(DomainError):
    """The request conflicts with the current state of an object."""

    title = "Conflict"


def invalid(field: str, value: Any, message: str) -> InvalidInput:
    """Build an :class:`InvalidInput` for a single field."""
    return InvalidInput([FieldError(field, value, message)])
