"""No coordinates reach the access log."""

from __future__ import annotations

import logging

from server.logs import RedactCoordinates


def test_access_log_redacts_near_and_bbox() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        (
            "127.0.0.1:5000",
            "GET",
            "/v1/trails?near=50.405,4.395&radius_m=500&bbox=4,50,5,51",
            "1.1",
            200,
        ),
        None,
    )
    assert RedactCoordinates().filter(record)
    line = record.getMessage()
    assert "50.405" not in line and "4,50,5,51" not in line
    assert "near=redacted&radius_m=500&bbox=redacted" in line
