"""Unfinished resumable uploads are capped per user: their number and their declared bytes.

An outside test created 1,000 uploads of 2 GiB declared each in 12 seconds. Now one user's
unfinished uploads (in every organisation) are at most ``BALADEUR_MAX_OPEN_UPLOADS``, and
their declared lengths add up to at most ``BALADEUR_MAX_OPEN_UPLOAD_BYTES``: one more is
429 with ``Retry-After`` (413 for a single upload larger than the total on its own), and
finishing, cancelling or letting one expire makes room again. A burst of concurrent
creations is counted whole.
"""

from __future__ import annotations

import base64
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from media.blobs.memory import MemoryBlobStore
from server.app import create_app
from server.db.models import Upload
from server.db.session import Database
from server.jobs import Jobs
from server.settings import Settings
from tests.support import tus
from tests.support.audio import ffmpeg_make
from tests.support.live import live_server
from tests.support.people import People
from tests.support.problems import problem

CAP = 3
CAP_BYTES = 10_000


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        inprocess_worker=False,
        max_open_uploads=CAP,
        max_open_upload_bytes=CAP_BYTES,
    )


def _create(client: TestClient, who: dict[str, str], length: int, org: str = "mill") -> Any:
    return tus.start(client, who, length, "take.wav", org)


def _open_uploads(db: Database, user_id: int) -> int:
    with db.transaction() as session:
        query = select(func.count()).select_from(Upload).where(Upload.user_id == user_id)
        return int(session.scalar(query) or 0)


def test_the_number_of_unfinished_uploads_is_capped_per_user(
    client: TestClient, people: People, db: Database, tmp_path: Path
) -> None:
    editor = people["editor"]
    made = [_create(client, editor, 100) for _ in range(CAP)]
    assert [r.status_code for r in made] == [201] * CAP
    refused = _create(client, editor, 100)
    body = problem(refused, 429)
    assert "unfinished uploads" in body["detail"] and "cancel" in body["detail"]
    assert 0 < int(refused.headers["retry-after"]) <= 24 * 3600
    # Others are not held back by this user's uploads.
    assert _create(client, people["editor2"], 100).status_code == 201
    # The cap is the user's, in every organisation they belong to.
    assert (
        client.post(
            "/v1/orgs", json={"slug": "atelier", "name": "Atelier"}, headers=editor
        ).status_code
        == 201
    )
    problem(_create(client, editor, 100, org="atelier"), 429)
    # Cancelling one makes room; so does finishing one, or one expiring.
    assert (
        client.delete(
            made[0].headers["location"], headers={**editor, "Tus-Resumable": "1.0.0"}
        ).status_code
        == 204
    )
    assert _create(client, editor, 100, org="atelier").status_code == 201
    problem(_create(client, editor, 100), 429)
    wav = ffmpeg_make(
        tmp_path / "t.wav", "-f", "lavfi", "-i", "sine=f=440:r=8000:d=0.2"
    ).read_bytes()
    finishing = _create(client, people["editor"], len(wav))
    problem(finishing, 429)
    with db.transaction() as session:
        session.execute(
            update(Upload)
            .where(Upload.user_id == people.ids["editor"])
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    finishing = _create(client, editor, len(wav))
    assert finishing.status_code == 201
    done = tus.send(client, finishing.headers["location"], editor, wav)
    assert done.status_code == 204, done.text
    assert [_create(client, editor, 100).status_code for _ in range(CAP)] == [201] * CAP


def test_the_declared_bytes_of_unfinished_uploads_are_capped_per_user(
    client: TestClient, people: People, db: Database
) -> None:
    editor = people["editor"]
    assert _create(client, editor, CAP_BYTES // 2).status_code == 201
    assert _create(client, editor, CAP_BYTES // 4).status_code == 201
    body = problem(_create(client, editor, CAP_BYTES // 2), 429)
    assert "declare" in body["detail"]
    # One upload larger than the whole allowance can never fit: 413, as for the size limit.
    problem(_create(client, people["editor2"], CAP_BYTES + 1), 413)
    assert _create(client, editor, CAP_BYTES // 4).status_code == 201
    assert _open_uploads(db, people.ids["editor"]) == 3


def test_a_burst_of_concurrent_creations_is_counted_whole(
    db: Database, settings: Settings, people: People
) -> None:
    blobs = MemoryBlobStore()
    app = create_app(
        settings, database=db, blobs=blobs, jobs=Jobs(settings, database=db, blobs=blobs)
    )
    meta = "filename " + base64.b64encode(b"take.wav").decode()
    headers = {
        **people["contributor"],
        "Tus-Resumable": "1.0.0",
        "Upload-Length": "10",
        "Upload-Metadata": meta,
    }
    with live_server(app) as base, httpx.Client(base_url=base, timeout=60) as http:

        def create(_: int) -> int:
            return http.post("/v1/orgs/mill/uploads", headers=headers).status_code

        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(pool.map(create, range(24)))
    assert statuses.count(201) == CAP, statuses
    assert set(statuses) == {201, 429}, statuses
    assert _open_uploads(db, people.ids["contributor"]) == CAP
