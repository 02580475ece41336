"""Logging set-up that keeps coordinates out of access logs."""

from __future__ import annotations

import logging
import re

_COORDINATE_PARAMS = re.compile(r"((?:near|bbox)=)[^&\s\"]*")


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


def configure(level: str) -> None:
    """Set the log level and install the redaction filter on uvicorn's access log."""
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    logging.getLogger("uvicorn.access").addFilter(RedactCoordinates())
