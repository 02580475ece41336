"""The public API over HTTP, on both backends: catalogue, health, problems, OpenAPI."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from media.blobs.memory import MemoryBlobStore
from server.app import create_app
from server.db.session import Database
from server.settings import Settings
from tests.support.factories import add_demo, add_trail, trail_source


@pytest.fixture
def blobs() -> MemoryBlobStore:
    return MemoryBlobStore()


@pytest.fixture
def client(db: Database, tmp_path: Path, blobs: MemoryBlobStore) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path, inprocess_worker=False)
    app = create_app(settings, database=db, blobs=blobs)
    with TestClient(app) as c:
        yield c


@pytest.fixture
def demo(db: Database, demo_folder: Path, blobs: MemoryBlobStore) -> None:
    add_demo(db, demo_folder, blobs)


def _assert_problem(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


def test_health(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


def test_demo_trail_end_to_end(client: TestClient, demo: None) -> None:
    """The demo, imported with its media, encoded and published, as a visitor finds it."""
    items = client.get("/v1/trails").json()["items"]
    assert [i["slug"] for i in items] == ["moulin-de-marchienne"]
    item = items[0]
    assert item["languages"] == ["fr", "en"]
    assert item["stop_count"] == 6
    assert 1500 <= item["length_m"] <= 3000
    assert item["release"] == 1
    assert item["distance_m"] is None

    body = client.get("/v1/trails/moulin-de-marchienne").json()
    assert body["stops"][0]["key"] == "moulin"
    assert {s["zone"]["type"] for s in body["stops"]} == {"circle", "polygon"}
    assert sum("en" in s["languages"] for s in body["stops"]) >= 2
    west, south, east, north = body["bbox"]
    lon, lat = body["start"]["coordinates"]
    assert west <= lon <= east and south <= lat <= north

    manifest = client.get("/v1/trails/moulin-de-marchienne/manifest").json()
    audio = [m for m in manifest["media"] if m["kind"] == "audio"]
    assert len(audio) == 12  # nine narrations, the ambience and two sound objects
    assert [o["key"] for o in manifest["objects"]] == ["roue", "courant"]
    assert all(m["mime_type"] == "audio/ogg" for m in audio)
    assert any(m["kind"] == "transcript" for m in manifest["media"])
    first = audio[0]
    got = client.get(f"/v1/{first['path']}")
    assert got.status_code == 200
    assert hashlib.sha256(got.content).hexdigest() == first["sha256"]
    part = client.get(f"/v1/{first['path']}", headers={"Range": "bytes=0-3"})
    assert part.status_code == 206 and part.content == b"OggS"

    bundle = client.get("/v1/trails/moulin-de-marchienne/bundle", params={"profile": "aac"})
    assert bundle.status_code == 200  # the test client follows the redirect
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as zf:
        names = zf.namelist()
        assert all(zf.getinfo(n).compress_type == zipfile.ZIP_STORED for n in names)
        aac = json.loads(zf.read("manifest.json"))
    assert aac["profile"] == "aac"
    assert {m["mime_type"] for m in aac["media"] if m["kind"] == "audio"} == {"audio/mp4"}


def test_near_and_radius(client: TestClient, db: Database) -> None:
    add_trail(db, trail_source("close", 50.4060, 4.3950))
    add_trail(db, trail_source("far", 50.4500, 4.3950))
    items = client.get("/v1/trails", params={"near": "50.405,4.395", "radius_m": 1000}).json()
    assert [i["slug"] for i in items["items"]] == ["close"]
    assert items["items"][0]["distance_m"] == pytest.approx(111.3, abs=1)
    both = client.get("/v1/trails", params={"near": "50.405,4.395", "radius_m": 10000}).json()
    assert [i["slug"] for i in both["items"]] == ["close", "far"]


def test_bbox_and_pagination(client: TestClient, db: Database) -> None:
    for i in range(3):
        add_trail(db, trail_source(f"t{i}", 50.40 + i * 0.01, 4.39))
    page = client.get("/v1/trails", params={"limit": 2, "offset": 1}).json()
    assert [i["slug"] for i in page["items"]] == ["t1", "t2"]
    boxed = client.get("/v1/trails", params={"bbox": "4.38,50.395,4.40,50.405"}).json()
    assert [i["slug"] for i in boxed["items"]] == ["t0"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"near": "91,4.39"}, "near"),
        ({"near": "north"}, "near"),
        ({"near": "50.4,4.3", "radius_m": 0}, "query.radius_m"),
        ({"radius_m": 100}, "radius_m"),
        ({"bbox": "5,50,4,51"}, "bbox"),
        ({"bbox": "1,2,3"}, "bbox"),
        ({"limit": 0}, "query.limit"),
    ],
)
def test_bad_queries_are_problems_naming_the_field(
    client: TestClient, params: dict[str, object], field: str
) -> None:
    body = _assert_problem(client.get("/v1/trails", params=params), 422)
    errors = body["errors"]
    assert isinstance(errors, list) and errors[0]["field"] == field


def test_unknown_trail_is_a_404_problem(client: TestClient) -> None:
    body = _assert_problem(client.get("/v1/trails/no-such-trail"), 404)
    assert "no-such-trail" in str(body["detail"])
    _assert_problem(client.get("/no/such/route"), 404)


def test_draft_is_not_public(client: TestClient, db: Database) -> None:
    add_trail(db, trail_source("draft", 50.4, 4.39), published=False)
    _assert_problem(client.get("/v1/trails/draft"), 404)


def test_openapi_and_docs(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/healthz", "/readyz", "/v1/trails", "/v1/trails/{slug}"} <= set(spec["paths"])
    assert "Problem" in spec["components"]["schemas"]
    assert client.get("/docs").status_code == 200


def test_signing_key_is_created_on_first_start_owner_only(db: Database, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, inprocess_worker=False)
    with TestClient(create_app(settings, database=db, blobs=MemoryBlobStore())) as client:
        listed = client.get("/v1/keys").json()["keys"]
    key_files = list((tmp_path / "keys").glob("*.key"))
    assert [f.stem for f in key_files] == [listed[0]["id"]]
    assert key_files[0].stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "keys").stat().st_mode & 0o777 == 0o700
    with TestClient(create_app(settings, database=db, blobs=MemoryBlobStore())) as client:
        assert client.get("/v1/keys").json()["keys"] == listed  # the same key after a restart
