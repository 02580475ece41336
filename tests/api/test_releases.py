"""Releases through the API: publish, second-editor approval, scheduling, rollback, refusals."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from media.blobs.memory import MemoryBlobStore
from media.limits import MediaLimits
from server import scheduler
from server.accounts import get_or_create_organisation
from server.db.models import (
    Asset,
    AssetStatus,
    AuditEntry,
    Organisation,
    Release,
    SchedulerLease,
    Trail,
    Upload,
)
from server.db.session import Database
from server.folder_media import MediaContext
from server.releases import Activated, activate_due
from server.settings import Settings
from server.source_import import import_source
from tests.support.factories import trail_source, two_stop_folder
from tests.support.people import People
from tests.support.problems import problem
from trails.source import load_source
from trails.storage_names import upload_piece_key


def draft(db: Database, slug: str, *, org: str = "mill", **overrides: Any) -> int:
    """Import a one-stop draft trail (no media) into an organisation; return its id."""
    loaded = trail_source(slug, 50.405, 4.395, **overrides)
    with db.transaction() as session:
        organisation = get_or_create_organisation(session, org)
        trail = import_source(
            session, loaded, organisation, slug, MediaContext(MemoryBlobStore(), MediaLimits())
        )
        session.flush()
        return trail.id


def releases_url(trail_id: int, org: str = "mill") -> str:
    """The releases collection of a trail."""
    return f"/v1/orgs/{org}/trails/{trail_id}/releases"


def _release_count(db: Database, trail_id: int) -> int:
    with db.transaction() as session:
        return (
            session.scalar(
                select(func.count()).select_from(Release).where(Release.trail_id == trail_id)
            )
            or 0
        )


def _require_approval(db: Database) -> None:
    with db.transaction() as session:
        session.execute(
            update(Organisation)
            .where(Organisation.slug == "mill")
            .values(requires_second_approval=True)
        )


def test_publish_goes_live_with_notes_and_a_size_report(
    client: TestClient, people: People, db: Database
) -> None:
    trail_id = draft(db, "walk")
    r = client.post(releases_url(trail_id), json={"notes": "First walk"}, headers=people["editor"])
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["number"] == 1 and body["state"] == "live" and body["current"] is True
    assert body["notes"] == "First walk"
    assert body["published_by"] == "editor@example.org" and body["approved_by"] is None
    assert {b["profile"] for b in body["bundles"]} == {"opus", "aac"}
    assert set(body["size"]["profiles"]) == {"opus", "aac"}
    assert r.headers["location"] == f"/v1/orgs/mill/trails/{trail_id}/releases/1"
    assert client.get("/v1/trails/walk").json()["release"] == 1
    one = client.get(r.headers["location"], headers=people["contributor"]).json()
    assert one["notes"] == "First walk" and one["size"] == body["size"]
    with db.transaction() as session:
        actions = session.scalars(select(AuditEntry.action)).all()
    assert "release.create" in actions


def test_unknown_fields_roles_and_other_organisations_are_refused(
    client: TestClient, people: People, db: Database
) -> None:
    trail_id = draft(db, "walk")
    body = problem(
        client.post(releases_url(trail_id), json={"state": "live"}, headers=people["editor"]), 422
    )
    assert body["errors"][0]["field"] == "body.state"
    naive = client.post(
        releases_url(trail_id), json={"publish_at": "2030-01-01T10:00:00"}, headers=people["editor"]
    )
    problem(naive, 422)
    problem(client.post(releases_url(trail_id), json={}, headers=people["contributor"]), 403)
    problem(client.post(releases_url(trail_id), json={}, headers=people["anonymous"]), 401)
    problem(client.post(releases_url(trail_id), json={}, headers=people["stranger"]), 404)
    other = draft(db, "fete", org="festival")
    problem(client.post(releases_url(other), json={}, headers=people["editor"]), 404)
    problem(client.get(releases_url(other), headers=people["editor"]), 404)
    assert _release_count(db, trail_id) == 0 and _release_count(db, other) == 0


def test_second_editor_approval(client: TestClient, people: People, db: Database) -> None:
    _require_approval(db)
    trail_id = draft(db, "walk")
    r = client.post(releases_url(trail_id), json={"notes": "v1"}, headers=people["editor"])
    assert r.status_code == 201, r.text
    assert r.json()["state"] == "awaiting" and r.json()["current"] is False
    problem(client.get("/v1/trails/walk"), 404)
    approve = f"{releases_url(trail_id)}/1/approve"
    body = problem(client.post(approve, headers=people["editor"]), 403)
    assert "another editor" in body["detail"]
    problem(client.post(approve, headers=people["contributor"]), 403)
    problem(client.get("/v1/trails/walk"), 404)
    ok = client.post(approve, headers=people["editor2"])
    assert ok.status_code == 200, ok.text
    assert ok.json()["state"] == "live" and ok.json()["current"] is True
    assert ok.json()["approved_by"] == "editor2@example.org"
    assert client.get("/v1/trails/walk").json()["release"] == 1
    problem(client.post(approve, headers=people["editor2"]), 409)


def test_scheduled_release_goes_live_only_at_its_time(
    client: TestClient, people: People, db: Database
) -> None:
    trail_id = draft(db, "walk")
    assert client.post(releases_url(trail_id), json={}, headers=people["editor"]).status_code == 201
    draft(db, "walk", title={"fr": "Deuxième"})
    at = datetime.now(UTC) + timedelta(hours=2)
    r = client.post(
        releases_url(trail_id), json={"publish_at": at.isoformat()}, headers=people["editor"]
    )
    assert r.json()["state"] == "scheduled" and r.json()["current"] is False
    assert client.get("/v1/trails/walk").json()["release"] == 1
    assert activate_due(db, at - timedelta(seconds=1)) == []
    assert client.get("/v1/trails/walk").json()["title"] == {"fr": "walk"}
    assert activate_due(db, at) == [Activated("walk", 2)]
    trail = client.get("/v1/trails/walk").json()
    assert trail["release"] == 2 and trail["title"] == {"fr": "Deuxième"}
    listed = client.get(releases_url(trail_id), headers=people["contributor"]).json()
    assert [(i["number"], i["state"], i["current"]) for i in listed["items"]] == [
        (2, "live", True),
        (1, "superseded", False),
    ]
    assert activate_due(db, at + timedelta(hours=1)) == []
    only_live = client.get(
        releases_url(trail_id), params={"state": "live"}, headers=people["editor"]
    ).json()
    assert [i["number"] for i in only_live["items"]] == [2] and only_live["total"] == 1


def test_approved_release_with_a_future_time_waits_for_it(
    client: TestClient, people: People, db: Database
) -> None:
    _require_approval(db)
    trail_id = draft(db, "walk")
    at = datetime.now(UTC) + timedelta(days=1)
    client.post(
        releases_url(trail_id), json={"publish_at": at.isoformat()}, headers=people["editor"]
    )
    ok = client.post(f"{releases_url(trail_id)}/1/approve", headers=people["owner"])
    assert ok.json()["state"] == "scheduled"
    problem(client.get("/v1/trails/walk"), 404)
    assert activate_due(db, at + timedelta(minutes=1)) == [Activated("walk", 1)]
    assert client.get("/v1/trails/walk").status_code == 200


def test_rollback_and_a_newer_live_release_supersedes_a_waiting_one(
    client: TestClient, people: People, db: Database
) -> None:
    trail_id = draft(db, "walk")
    url = releases_url(trail_id)
    client.post(url, json={}, headers=people["editor"])
    draft(db, "walk", title={"fr": "v2"})
    later = datetime.now(UTC) + timedelta(days=3)
    client.post(url, json={"publish_at": later.isoformat()}, headers=people["editor"])  # 2
    client.post(url, json={"notes": "urgent fix"}, headers=people["editor"])  # 3, live now
    states = {
        i["number"]: i["state"] for i in client.get(url, headers=people["editor"]).json()["items"]
    }
    assert states == {1: "superseded", 2: "superseded", 3: "live"}
    # The superseded schedule never fires over the newer release.
    assert activate_due(db, later + timedelta(minutes=1)) == []
    r = client.post(f"{url}/1/rollback", headers=people["editor"])
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "live" and r.json()["current"] is True
    assert client.get("/v1/trails/walk").json()["release"] == 1
    states = {
        i["number"]: i["state"] for i in client.get(url, headers=people["editor"]).json()["items"]
    }
    assert states == {1: "live", 2: "superseded", 3: "superseded"}
    problem(client.post(f"{url}/9/rollback", headers=people["editor"]), 404)
    problem(client.post(f"{url}/1/rollback", headers=people["contributor"]), 403)


def test_rollback_to_a_release_never_live_is_409(
    client: TestClient, people: People, db: Database
) -> None:
    _require_approval(db)
    trail_id = draft(db, "walk")
    client.post(releases_url(trail_id), json={}, headers=people["editor"])
    body = problem(
        client.post(f"{releases_url(trail_id)}/1/rollback", headers=people["owner"]), 409
    )
    assert "never been live" in body["detail"]


def test_failed_asset_is_409_naming_it_and_nothing_changes(
    client: TestClient, people: People, db: Database, blobs: MemoryBlobStore, tmp_path: Path
) -> None:
    trail_id = draft(db, "walk")
    assert client.post(releases_url(trail_id), json={}, headers=people["editor"]).status_code == 201
    before = client.get("/v1/trails/walk/bundle")
    assert before.status_code == 200
    with db.transaction() as session:
        org = get_or_create_organisation(session, "mill")
        loaded = load_source(two_stop_folder(tmp_path))
        import_source(session, loaded, org, "v2", MediaContext(blobs, MediaLimits()))
    with db.transaction() as session:
        session.execute(
            update(Asset)
            .where(Asset.filename == "b.opus")
            .values(status=AssetStatus.failed, failure_reason="the file is damaged")
        )
        ids = {name: id_ for name, id_ in session.execute(select(Asset.filename, Asset.id))}
    stored = set(blobs.keys())
    body = problem(client.post(releases_url(trail_id), json={}, headers=people["editor"]), 409)
    named = {e["value"]["filename"]: e for e in body["errors"]}
    assert set(named) == {"a.opus", "b.opus"}
    assert named["b.opus"]["value"]["asset_id"] == ids["b.opus"]
    assert named["b.opus"]["value"]["status"] == "failed"
    assert "the file is damaged" in named["b.opus"]["message"]
    assert "still being processed" in named["a.opus"]["message"]
    assert _release_count(db, trail_id) == 1
    assert set(blobs.keys()) == stored
    with db.transaction() as session:
        trail = session.get_one(Trail, trail_id)
        assert session.get_one(Release, trail.current_release_id).number == 1
    after = client.get("/v1/trails/walk/bundle")
    assert after.status_code == 200 and after.content == before.content


def test_scheduler_tick_removes_expired_uploads(db: Database, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    with db.transaction() as session:
        org = get_or_create_organisation(session, "mill")
        for upload_id, expires in (
            ("old", now - timedelta(minutes=1)),
            ("new", now + timedelta(hours=1)),
        ):
            session.add(
                Upload(
                    id=upload_id,
                    organisation_id=org.id,
                    length=10,
                    filename="x.wav",
                    expires_at=expires,
                )
            )
    blobs = MemoryBlobStore()
    for upload_id in ("old", "new"):
        blobs.put(upload_piece_key(upload_id, 0, "a1"), [b"12345"])
    done = scheduler.tick(db, blobs, now)
    assert done.uploads_removed == 1 and done.activated == []
    with db.transaction() as session:
        assert session.scalars(select(Upload.id)).all() == ["new"]
    assert blobs.keys() == [upload_piece_key("new", 0, "a1")]


def test_the_scheduler_thread_puts_due_releases_live(
    client: TestClient, people: People, db: Database, tmp_path: Path
) -> None:
    trail_id = draft(db, "walk")
    at = datetime.now(UTC) + timedelta(days=1)
    client.post(
        releases_url(trail_id), json={"publish_at": at.isoformat()}, headers=people["editor"]
    )
    with db.transaction() as session:  # its time has come
        session.execute(update(Release).values(publish_at=datetime.now(UTC) - timedelta(seconds=1)))
        # The application's own clock holds the scheduler's lease: let it lapse, as if that
        # process had died, so that this clock takes over.
        session.execute(update(SchedulerLease).values(expires_ms=0))
    settings = Settings(data_dir=tmp_path, scheduler_interval_s=0.05)
    stop = scheduler.start(db, settings)
    try:
        deadline = time.monotonic() + 10
        while client.get("/v1/trails/walk").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop()
    assert client.get("/v1/trails/walk").json()["release"] == 1
    assert scheduler.start(db, Settings(data_dir=tmp_path, scheduler_interval_s=0))() is None
