"""Logging: one JSON object per line with the request id, and never a visitor's position."""

from __future__ import annotations

import contextvars
import logging
import re

from pythonjsonlogger.json import JsonFormatter

# Positions, and private trails' access codes, never reach a log line.
_COORDINATE_PARAMS = re.compile(r"((?:near|bbox|code)=)[^&\s\"]*")
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


class RedactCoordinates(logging.Filter):
    """Replaces coordinate query values in log records, so no position is ever written."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; never drops it."""
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(
                _COORDINATE_PARAMS.sub(r"\1redacted", a) if isinstance(a, str) else a
                for a in record.args
            )
        if isinstance(record.msg, str):
            record.msg = _COORDINATE_PARAMS.sub(r"\1redacted", record.msg)
        return True


class AddRequestId(logging.Filter):
    """Stamps each record with the id of the request being served, if any."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add ``request_id``; never drops the record."""
        record.request_id = request_id.get()
        # uvicorn attaches a copy of each message with terminal colours; JSON needs none.
        record.__dict__.pop("color_message", None)
        return True


def configure(level: str, fmt: str = "json") -> None:
    """Log to stderr as JSON lines (or plain text), redacted, with request ids."""
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(
            JsonFormatter(
                "{asctime}{levelname}{name}{message}{request_id}",
                style="{",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(AddRequestId())
    handler.addFilter(RedactCoordinates())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Our own request log replaces uvicorn's, which would write full query strings.
    logging.getLogger("uvicorn.access").disabled = True
