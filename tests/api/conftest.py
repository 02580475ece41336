"""Fixtures of the authoring API tests: an app on each backend, and signed-in people."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from media.blobs.memory import MemoryBlobStore
from server.app import create_app
from server.db.session import Database
from server.jobs import Jobs, make_huey
from server.settings import Settings
from tests.support.people import People, make_people


@pytest.fixture
def blobs() -> MemoryBlobStore:
    return MemoryBlobStore()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, inprocess_worker=False, sign_in_attempts=5)


@pytest.fixture
def jobs(settings: Settings, db: Database, blobs: MemoryBlobStore) -> Jobs:
    # Jobs run at once, in the request's thread: tests see finished assets without waiting.
    return Jobs(settings, huey=make_huey(settings, immediate=True), database=db, blobs=blobs)


@pytest.fixture
def client(
    db: Database, settings: Settings, blobs: MemoryBlobStore, jobs: Jobs
) -> Iterator[TestClient]:
    app = create_app(settings, database=db, blobs=blobs, jobs=jobs)
    with TestClient(app) as c:
        yield c


@pytest.fixture
def people(client: TestClient, db: Database) -> People:
    return make_people(client, db)
