"""Security headers on every answer, and CORS only for configured origins."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from media.blobs.memory import MemoryBlobStore
from server.app import create_app
from server.db.session import Database
from server.settings import Settings


def _client(db: Database, tmp_path: Path, **settings: object) -> TestClient:
    app = create_app(
        Settings(data_dir=tmp_path, inprocess_worker=False, **settings),  # type: ignore[arg-type]
        database=db,
        blobs=MemoryBlobStore(),
    )
    return TestClient(app)


def test_api_answers_carry_defensive_headers(db: Database, tmp_path: Path) -> None:
    with _client(db, tmp_path) as client:
        for response in (
            client.get("/healthz"),
            client.get("/v1/trails/none"),
            client.get("/v1/me"),
        ):
            headers = response.headers
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["referrer-policy"] == "no-referrer"
            assert headers["x-frame-options"] == "DENY"
            assert (
                headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
            )
            assert "strict-transport-security" not in headers


def test_hsts_only_behind_https(db: Database, tmp_path: Path) -> None:
    with _client(db, tmp_path, public_base_url="https://trails.example") as client:
        assert client.get("/healthz").headers["strict-transport-security"].startswith("max-age=")


def test_cors_is_closed_by_default(db: Database, tmp_path: Path) -> None:
    with _client(db, tmp_path) as client:
        preflight = client.options(
            "/v1/me",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
        )
        plain = client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in plain.headers


def test_cors_allows_only_configured_origins(db: Database, tmp_path: Path) -> None:
    with _client(db, tmp_path, cors_origins=["https://festival.example"]) as client:
        ok = client.options(
            "/v1/orgs",
            headers={
                "Origin": "https://festival.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,if-match",
            },
        )
        other = client.options(
            "/v1/orgs",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        read = client.get("/healthz", headers={"Origin": "https://festival.example"})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == "https://festival.example"
    assert "if-match" in ok.headers["access-control-allow-headers"].lower()
    assert other.status_code == 400 and "access-control-allow-origin" not in other.headers
    assert "etag" in read.headers["access-control-expose-headers"].lower()
