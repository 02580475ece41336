"""Uploads: one multipart request, and resumable tus uploads, becoming assets."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from media.blobs.memory import MemoryBlobStore
from server.db.models import Asset, Upload
from server.db.session import Database
from server.settings import Settings
from tests.support.audio import ffmpeg_make, tone
from tests.support.people import People
from tests.support.problems import problem
from tests.support.tus import patch
from trails.storage_names import UPLOAD_PREFIX

LIMIT = 400_000


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, inprocess_worker=False, max_upload_bytes=LIMIT)


@pytest.fixture(scope="module")
def wav(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("audio") / "voice.wav"
    return ffmpeg_make(out, *tone(1.0, rate=16000), "-ac", "1").read_bytes()


def _pieces(blobs: MemoryBlobStore) -> list[str]:
    return [info.key for info in blobs.scan(UPLOAD_PREFIX)]


def _assets(db: Database) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Asset)) or 0


def _upload(client: TestClient, who: dict[str, str], data: bytes, content_type: str = "audio/wav"):
    return client.post(
        "/v1/orgs/mill/assets",
        files={"file": ("voice.wav", data, content_type)},
        data={"role": "voice"},
        headers=who,
    )


def test_multipart_upload_becomes_a_ready_asset_once(
    client: TestClient, people: People, wav: bytes
) -> None:
    first = _upload(client, people["contributor"], wav)
    assert first.status_code == 201, first.text
    asset = first.json()
    assert asset["sha256"] == hashlib.sha256(wav).hexdigest()
    polled = client.get(f"/v1/orgs/mill/assets/{asset['id']}", headers=people["contributor"]).json()
    assert polled["status"] == "ready"
    assert {r["profile"] for r in polled["renditions"]} == {"opus", "aac"}
    again = _upload(client, people["editor"], wav)
    assert again.status_code == 200 and again.json()["id"] == asset["id"]
    peaks = client.get(f"/v1/orgs/mill/assets/{asset['id']}/waveform", headers=people["editor"])
    assert peaks.status_code == 200 and peaks.json()


def test_upload_over_the_limit_is_413_and_stores_nothing(
    client: TestClient, people: People, db: Database, blobs: MemoryBlobStore
) -> None:
    body = problem(_upload(client, people["editor"], b"\0" * (LIMIT + 100_000)), 413)
    assert "limit" in body["detail"]
    assert _assets(db) == 0 and not list(blobs.keys())


def test_declared_type_contradicting_the_bytes_is_415(
    client: TestClient, people: People, wav: bytes, db: Database, blobs: MemoryBlobStore
) -> None:
    body = problem(_upload(client, people["editor"], wav, "audio/mpeg"), 415)
    assert "audio/wav" in body["detail"]
    problem(_upload(client, people["editor"], b"%PDF-1.7 not audio at all" * 50, "audio/wav"), 415)
    assert _assets(db) == 0 and not list(blobs.keys())


def test_assets_are_private_to_their_organisation_and_uploader(
    client: TestClient, people: People, wav: bytes, db: Database
) -> None:
    asset_id = _upload(client, people["editor"], wav).json()["id"]
    problem(client.get(f"/v1/orgs/mill/assets/{asset_id}", headers=people["contributor"]), 404)
    problem(client.get(f"/v1/orgs/festival/assets/{asset_id}", headers=people["stranger"]), 404)
    problem(client.get(f"/v1/orgs/mill/assets/{asset_id}", headers=people["stranger"]), 404)
    assert client.get("/v1/orgs/mill/assets", headers=people["contributor"]).json()["total"] == 0
    assert (
        client.get("/v1/orgs/mill/assets?status=ready", headers=people["owner"]).json()["total"]
        == 1
    )
    problem(client.delete(f"/v1/orgs/mill/assets/{asset_id}", headers=people["contributor"]), 403)
    assert (
        client.delete(f"/v1/orgs/mill/assets/{asset_id}", headers=people["editor"]).status_code
        == 204
    )
    assert _assets(db) == 0


def _meta(**items: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in items.items())


def _create(client: TestClient, who: dict[str, str], length: int, **meta: str) -> str:
    r = client.post(
        "/v1/orgs/mill/uploads",
        headers={
            **who,
            "Tus-Resumable": "1.0.0",
            "Upload-Length": str(length),
            "Upload-Metadata": _meta(**meta),
        },
    )
    assert r.status_code == 201, r.text
    return r.headers["location"]


def test_tus_upload_resumes_and_becomes_an_asset(
    client: TestClient, people: People, wav: bytes, blobs: MemoryBlobStore
) -> None:
    who = people["contributor"]
    options = client.options("/v1/orgs/mill/uploads", headers=who)
    assert "creation" in options.headers["tus-extension"]
    url = _create(
        client,
        who,
        len(wav),
        filename="voice.wav",
        filetype="audio/wav",
        sha256=hashlib.sha256(wav).hexdigest(),
    )
    half = len(wav) // 2
    assert client.head(url, headers=who).headers["upload-offset"] == "0"
    r = patch(client, url, who, 0, wav[:half])
    assert r.status_code == 204 and r.headers["upload-offset"] == str(half)
    # A client that lost track of where it stands is told, and nothing moves.
    problem(patch(client, url, who, 0, wav[:half]), 409)
    assert client.head(url, headers=who).headers["upload-offset"] == str(half)
    checksum = "sha256 " + base64.b64encode(hashlib.sha256(wav[half:]).digest()).decode()
    done = patch(client, url, who, half, wav[half:], **{"Upload-Checksum": checksum})
    assert done.status_code == 204, done.text
    asset_id = int(done.headers["baladeur-asset-id"])
    assert not _pieces(blobs)  # finished: no piece kept
    assert client.get(url, headers=who).json()["asset_id"] == asset_id
    asset = client.get(f"/v1/orgs/mill/assets/{asset_id}", headers=who).json()
    assert asset["status"] == "ready" and asset["sha256"] == hashlib.sha256(wav).hexdigest()


def test_tus_damaged_chunk_is_460_and_not_kept(
    client: TestClient, people: People, wav: bytes
) -> None:
    who = people["editor"]
    url = _create(client, who, len(wav), filename="voice.wav")
    wrong = "sha256 " + base64.b64encode(hashlib.sha256(b"other bytes").digest()).decode()
    problem(patch(client, url, who, 0, wav[:1000], **{"Upload-Checksum": wrong}), 460)
    assert client.head(url, headers=who).headers["upload-offset"] == "0"
    problem(
        client.patch(
            url, content=wav, headers={**who, "Upload-Offset": "0", "Content-Type": "audio/wav"}
        ),
        415,
    )
    problem(patch(client, url, who, 0, wav + b"extra"), 422)
    assert client.head(url, headers=who).headers["upload-offset"] == "0"


def test_tus_whole_file_checksum_and_content_are_checked_at_the_end(
    client: TestClient, people: People, wav: bytes, db: Database, blobs: MemoryBlobStore
) -> None:
    who = people["editor"]
    url = _create(client, who, len(wav), filename="voice.wav", sha256="0" * 64)
    problem(patch(client, url, who, 0, wav), 460)
    pdf = b"%PDF-1.7 " + b"x" * 3000
    url = _create(client, who, len(pdf), filename="form.pdf")
    problem(patch(client, url, who, 0, pdf), 415)
    assert _assets(db) == 0
    assert not _pieces(blobs)


def test_tus_refuses_oversize_and_strangers(
    client: TestClient, people: People, db: Database
) -> None:
    headers = {**people["editor"], "Tus-Resumable": "1.0.0", "Upload-Length": str(LIMIT + 1)}
    problem(client.post("/v1/orgs/mill/uploads", headers=headers), 413)
    url = _create(client, people["editor"], 10, filename="x.wav")
    assert client.head(url, headers=people["contributor"]).status_code == 404
    problem(client.get(url, headers=people["contributor"]), 404)
    assert client.delete(url, headers=people["editor"]).status_code == 204
    problem(client.get(url, headers=people["editor"]), 404)
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Upload)) == 0


def test_tus_upload_refused_at_the_end_cannot_be_resumed(
    client: TestClient, people: People
) -> None:
    who = people["editor"]
    pdf = b"%PDF-1.7 " + b"x" * 3000
    url = _create(client, who, len(pdf), filename="form.pdf")
    assert patch(client, url, who, 0, pdf[:1000]).status_code == 204
    problem(patch(client, url, who, 1000, pdf[1000:]), 415)
    body = problem(patch(client, url, who, 1000, pdf[1000:]), 410)
    assert "start a new one" in body["detail"]
