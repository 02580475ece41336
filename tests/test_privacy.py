"""No coordinates, codes or ids reach the logs; each request is logged once, with its id."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from media.blobs import BlobStoreUnavailable
from media.blobs.memory import MemoryBlobStore
from server.app import create_app
from server.db.session import Database
from server.logs import RedactCoordinates, configure
from server.settings import Settings


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


class _DownStore(MemoryBlobStore):
    def exists(self, key: str) -> bool:
        raise BlobStoreUnavailable("the object store does not answer")


@pytest.fixture
def log_lines(tmp_path: Path) -> Iterator[io.StringIO]:
    configure("INFO", "json")
    buffer = io.StringIO()
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    yield buffer
    logging.getLogger().handlers.clear()


def _records(buffer: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.startswith("{")]


def test_request_log_is_json_with_ids_and_no_query_or_path_values(
    db: Database, tmp_path: Path, log_lines: io.StringIO
) -> None:
    app = create_app(
        Settings(data_dir=tmp_path, inprocess_worker=False), database=db, blobs=MemoryBlobStore()
    )
    with TestClient(app) as client:
        listed = client.get("/v1/trails?near=50.405,4.395&radius_m=500")
        assert listed.status_code == 200
        given = client.get(
            "/v1/trails/secret-looking-slug", headers={"X-Request-ID": "proxy-id-1234"}
        )
        assert given.headers["x-request-id"] == "proxy-id-1234"
        forged = client.get("/healthz", headers={"X-Request-ID": 'bad id" injected'})
        assert forged.headers["x-request-id"] != 'bad id" injected'
    # The test's own HTTP client logs its URLs; the server's loggers are what is checked.
    server_side = [r for r in _records(log_lines) if r["logger"] != "httpx"]
    text = json.dumps(server_side)
    assert "50.405" not in text and "secret-looking-slug" not in text
    requests = [r for r in server_side if r["logger"] == "baladeur.request"]
    routes = [(r["route"], r["status"]) for r in requests]
    assert ("/v1/trails", 200) in routes and ("/v1/trails/{slug}", 404) in routes
    assert {r["request_id"] for r in requests} >= {listed.headers["x-request-id"], "proxy-id-1234"}


def test_readyz_names_unreachable_storage(db: Database, tmp_path: Path) -> None:
    app = create_app(
        Settings(data_dir=tmp_path, inprocess_worker=False), database=db, blobs=_DownStore()
    )
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.headers["retry-after"]
    assert "does not answer" in ready.json()["detail"]
