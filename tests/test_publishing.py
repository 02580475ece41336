"""Publishing: refusals listed at once, interruptions that change nothing, rollback."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from media.blobs import BlobInfo, BlobStoreUnavailable
from media.blobs.memory import MemoryBlobStore
from media.limits import MediaLimits
from server.accounts import get_or_create_organisation
from server.app import create_app
from server.db.models import Asset, AssetStatus, Release, ReleaseState, Stop, Trail
from server.db.session import Database
from server.folder_media import MediaContext
from server.problems import status_for
from server.publishing import NotPublishable, publish, rollback
from server.settings import Settings
from server.source_import import import_source
from tests.support.factories import add_trail, trail_source, two_stop_folder
from trails.bundle.signing import Keyring
from trails.errors import Conflict, InvalidInput, NotFound
from trails.source import load_source


class FlakyBlobStore(MemoryBlobStore):
    """Fails the n-th write, as a full disk or an S3 outage would."""

    def __init__(self) -> None:
        super().__init__()
        self.fail_on: int | None = None
        self.puts = 0

    def put(
        self, key: str, data: BinaryIO | Iterable[bytes], *, content_type: str | None = None
    ) -> BlobInfo:
        self.puts += 1
        if self.fail_on is not None and self.puts == self.fail_on:
            raise BlobStoreUnavailable("the store is full", full=True)
        return super().put(key, data, content_type=content_type)


class FlakyDatabase(Database):
    """Drops the connection at the commit of the n-th transaction."""

    fail_on: int | None = None
    transactions = 0

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        self.transactions += 1
        with super().transaction() as session:
            yield session
            if self.fail_on is not None and self.transactions == self.fail_on:
                session.flush()
                raise OperationalError("COMMIT", {}, Exception("connection lost"))


@pytest.fixture
def keys(tmp_path: Path) -> Keyring:
    return Keyring(tmp_path / "keys")


def _current(db: Database, slug: str) -> int | None:
    with db.transaction() as session:
        trail = session.scalar(select(Trail).where(Trail.slug == slug))
        assert trail is not None
        if trail.current_release_id is None:
            return None
        return session.get_one(Release, trail.current_release_id).number


def _bundle_downloads(db: Database, blobs: MemoryBlobStore, keys: Keyring, tmp: Path) -> bytes:
    app = create_app(
        Settings(data_dir=tmp, inprocess_worker=False), database=db, blobs=blobs, keys=keys
    )
    with TestClient(app) as client:
        got = client.get("/v1/trails/walk/bundle")
        assert got.status_code == 200
        return got.content


@pytest.mark.parametrize("failing_put", [1, 2, 3])
def test_blob_store_failure_leaves_the_previous_release(
    db: Database, keys: Keyring, tmp_path: Path, failing_put: int
) -> None:
    blobs = FlakyBlobStore()
    add_trail(db, trail_source("walk", 50.405, 4.395), blobs=blobs, keys=keys)
    before = _bundle_downloads(db, blobs, keys, tmp_path)
    add_trail(
        db, trail_source("walk", 50.405, 4.395, title={"fr": "v2"}), published=False, blobs=blobs
    )
    blobs.puts, blobs.fail_on = 0, failing_put
    if failing_put <= 2:  # two bundles (opus, aac) are written: each write is a step
        with pytest.raises(BlobStoreUnavailable):
            publish(db, blobs, keys, "walk", publisher="tests")
        assert _current(db, "walk") == 1
        assert _bundle_downloads(db, blobs, keys, tmp_path) == before
    else:  # no third write: the publish goes through
        assert publish(db, blobs, keys, "walk", publisher="tests").number == 2


def test_database_failure_at_commit_leaves_the_previous_release(
    empty_engine, keys: Keyring, tmp_path: Path
) -> None:
    from server.db import migrate

    migrate.upgrade(empty_engine)
    db = FlakyDatabase(empty_engine)
    blobs = MemoryBlobStore()
    add_trail(db, trail_source("walk", 50.405, 4.395), blobs=blobs, keys=keys)
    before = _bundle_downloads(db, blobs, keys, tmp_path)
    db.transactions, db.fail_on = 0, 2  # publish reads, then writes in its second transaction
    with pytest.raises(OperationalError):
        publish(db, blobs, keys, "walk", publisher="tests")
    db.fail_on = None
    assert _current(db, "walk") == 1
    with db.transaction() as session:
        assert session.scalars(select(Release.number)).all() == [1]
    assert _bundle_downloads(db, blobs, keys, tmp_path) == before
    assert publish(db, blobs, keys, "walk", publisher="tests").number == 2


def test_pending_and_failed_assets_are_listed_and_nothing_changes(
    db: Database, keys: Keyring, tmp_path: Path
) -> None:
    folder = two_stop_folder(tmp_path)
    blobs = MemoryBlobStore()
    with db.transaction() as session:
        org = get_or_create_organisation(session, "tests")
        import_source(session, load_source(folder), org, "x", MediaContext(blobs, MediaLimits()))
    with db.transaction() as session:
        session.execute(
            update(Asset)
            .where(Asset.filename == "b.opus")
            .values(status=AssetStatus.failed, failure_reason="the file is damaged")
        )
    stored = set(blobs.keys())
    with pytest.raises(NotPublishable) as caught:
        publish(db, blobs, keys, "walk", publisher="tests")
    messages = sorted(str(e) for e in caught.value.errors)
    assert messages == [
        "media.a.opus: still being processed; try again shortly",
        "media.b.opus: processing failed: the file is damaged",
    ]
    assert _current(db, "walk") is None
    assert set(blobs.keys()) == stored
    assert status_for(caught.value) == 409


def test_invalid_zone_in_the_draft_is_refused(db: Database, keys: Keyring) -> None:
    blobs = MemoryBlobStore()
    add_trail(db, trail_source("walk", 50.405, 4.395), published=False, blobs=blobs)
    with db.transaction() as session:
        session.execute(update(Stop).values(radius_m=1.0))
    with pytest.raises(InvalidInput) as caught:
        publish(db, blobs, keys, "walk", publisher="tests")
    assert caught.value.errors[0].field == "stops.0.zone.circle.radius_m"
    assert blobs.keys() == []


def test_rollback(db: Database, keys: Keyring, tmp_path: Path) -> None:
    blobs = MemoryBlobStore()
    add_trail(db, trail_source("walk", 50.405, 4.395), blobs=blobs, keys=keys)
    first = _bundle_downloads(db, blobs, keys, tmp_path)
    add_trail(db, trail_source("walk", 50.405, 4.395, title={"fr": "v2"}), blobs=blobs, keys=keys)
    assert _bundle_downloads(db, blobs, keys, tmp_path) != first
    assert rollback(db, "walk", 1).number == 1
    assert _current(db, "walk") == 1
    assert _bundle_downloads(db, blobs, keys, tmp_path) == first
    with pytest.raises(NotFound):
        rollback(db, "walk", 9)


def test_waiting_and_scheduled_releases_leave_the_current_one(db: Database, keys: Keyring) -> None:
    blobs = MemoryBlobStore()
    add_trail(db, trail_source("walk", 50.405, 4.395), blobs=blobs, keys=keys)
    now = datetime.now(UTC)
    waiting = publish(
        db, blobs, keys, "walk", publisher="tests", needs_approval=True, published_by="a@b.org"
    )
    later = publish(db, blobs, keys, "walk", publisher="tests", publish_at=now + timedelta(hours=1))
    assert (waiting.state, waiting.published_by) == (ReleaseState.awaiting_approval, "a@b.org")
    assert later.state == ReleaseState.scheduled
    assert _current(db, "walk") == 1
    with pytest.raises(Conflict):
        rollback(db, "walk", 2)
    # A release going live now supersedes the one before it and the older ones still waiting.
    assert publish(db, blobs, keys, "walk", publisher="tests", notes="fix").number == 4
    with db.transaction() as session:
        states = {n: s for n, s in session.execute(select(Release.number, Release.state))}
    assert states == {
        1: ReleaseState.superseded,
        2: ReleaseState.superseded,
        3: ReleaseState.superseded,
        4: ReleaseState.live,
    }
    assert _current(db, "walk") == 4
