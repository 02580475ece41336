"""Withdrawal of consent, end to end: after it no bundle, manifest or blob holds the story."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from media.blobs.memory import MemoryBlobStore
from server.db.models import (
    Asset,
    AuditEntry,
    ConsentRecord,
    Release,
    ReleaseBundle,
    Rendition,
    Stop,
    Story,
    Trail,
)
from server.db.session import Database
from server.publishing import publish
from server.withdrawal import _step_one, withdraw
from tests.api.test_stories import upload_audio
from tests.support.drafts import add_stop, new_trail, trail_with_stop
from tests.support.images import portrait
from tests.support.people import People
from tests.support.problems import problem

SECRET_TITLE = "Souvenirs de Marie au laminoir"
SECRET_CREDIT = "Marie Témoin"
SECRET_TEXT = "Je me souviens du bruit des presses."
SECRET_PHOTO = portrait("PNG", seed="portrait de Marie")
VTT = f"WEBVTT\n\n00:00.000 --> 00:01.000\n{SECRET_TEXT}\n"


@dataclass
class Scene:
    """A published trail with a contributed story (to withdraw) and an editor's story."""

    consent_id: int
    story_id: int
    secrets: set[str]
    secret_bytes: list[bytes]
    kept_rendition_bytes: bytes


def _stop(client: TestClient, people: People, trail_id: int, key: str, story_id: int) -> None:
    center = (4.39, 50.40 + len(key) / 1e4)
    add_stop(client, people["editor"], trail_id, key, center=center, radius_m=20, story_id=story_id)


def _trail(client: TestClient, people: People, slug: str) -> int:
    trail_id: int = new_trail(client, people["editor"], slug)["id"]
    return trail_id


def _scene(
    client: TestClient, people: People, db: Database, blobs: MemoryBlobStore, tmp: Path
) -> Scene:
    keyring = client.app.state.keyring  # type: ignore[attr-defined]
    theirs = upload_audio(client, people["contributor"], tmp, freq=300)
    ours = upload_audio(client, people["editor"], tmp, freq=900)
    photo = client.post(
        "/v1/orgs/mill/photos",
        files={"file": ("marie.png", SECRET_PHOTO, "image/png")},
        headers=people["contributor"],
    )
    assert photo.status_code == 201, photo.text
    r = client.post(
        "/v1/orgs/mill/contributions",
        json={
            "title": SECRET_TITLE,
            "photo_sha256": photo.json()["sha256"],
            "credits": [{"name": SECRET_CREDIT, "role": "interviewee"}],
            "versions": {"fr": {"audio_asset_id": theirs["id"], "transcript_vtt": VTT}},
            "consent": {
                "person": SECRET_CREDIT,
                "publication": True,
                "archive": False,
                "given_on": "2026-04-02",
            },
        },
        headers=people["contributor"],
    )
    assert r.status_code == 201, r.text
    contribution = r.json()
    approved = client.post(
        f"/v1/orgs/mill/contributions/{contribution['id']}/approve",
        headers={**people["editor"], "If-Match": contribution["etag"]},
    )
    assert approved.status_code == 200, approved.text
    kept = client.post(
        "/v1/orgs/mill/stories",
        json={"title": "La roue", "versions": {"fr": {"audio_asset_id": ours["id"]}}},
        headers=people["editor"],
    ).json()
    moulin = _trail(client, people, "moulin")
    _stop(client, people, moulin, "laminoir", contribution["id"])
    _stop(client, people, moulin, "roue", kept["id"])
    draft_only = _trail(client, people, "brouillon")
    _stop(client, people, draft_only, "laminoir", contribution["id"])
    other = _trail(client, people, "canal")
    _stop(client, people, other, "roue", kept["id"])
    for slug in ("moulin", "moulin", "canal"):
        publish(db, blobs, keyring, slug, publisher="editor@example.org")

    with db.transaction() as session:
        asset = session.get_one(Asset, theirs["id"])
        secrets = {asset.sha256, SECRET_TITLE, SECRET_CREDIT, SECRET_TEXT}
        secret_bytes = []
        stored = blobs.keys()
        for rendition in asset.renditions:
            secrets.add(rendition.sha256)
            key = next(k for k in stored if rendition.sha256 in k)
            secret_bytes.append(b"".join(blobs.open(key)))
        kept_asset = session.get_one(Asset, ours["id"])
        kept_key = next(k for k in stored if kept_asset.renditions[0].sha256 in k)
        consent_id = session.scalar(
            select(ConsentRecord.id).where(ConsentRecord.story_id == contribution["id"])
        )
        assert consent_id is not None
    secrets.add(hashlib.sha256(VTT.encode()).hexdigest())
    secrets.add(photo.json()["sha256"])
    assert blobs.exists(f"photos/{photo.json()['sha256']}")
    # As stored (stripped of its metadata), the photo must go too.
    secret_bytes.append(b"".join(blobs.open(f"photos/{photo.json()['sha256']}")))
    return Scene(
        consent_id,
        contribution["id"],
        secrets,
        secret_bytes,
        b"".join(blobs.open(kept_key)),
    )


def _assert_story_gone(db: Database, blobs: MemoryBlobStore, scene: Scene) -> None:
    """No blob key, blob, bundle entry or manifest anywhere holds the story."""
    stored = blobs.keys()
    for key in stored:
        assert not any(s in key for s in scene.secrets), key
        data = b"".join(blobs.open(key))
        for secret in scene.secrets:
            assert secret.encode() not in data, (key, secret)
        for chunk in [*scene.secret_bytes, SECRET_PHOTO]:
            assert chunk not in data, key
        if key.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for name in archive.namelist():
                    assert not any(s in name for s in scene.secrets), name
                    content = archive.read(name)
                    assert not any(s.encode() in content for s in scene.secrets), name
    with db.transaction() as session:
        for bundle in session.scalars(select(ReleaseBundle)):
            text = bundle.manifest_bytes.decode()
            assert not any(s in text for s in scene.secrets)
        for release in session.scalars(select(Release)):
            text = json.dumps(release.manifest, ensure_ascii=False)
            assert not any(s in text for s in scene.secrets)
        assert session.get(Story, scene.story_id) is None
        assert not session.scalars(
            select(Rendition).where(Rendition.sha256.in_(scene.secrets))
        ).all()


def test_withdrawal_cascade_end_to_end(
    client: TestClient, people: People, db: Database, blobs: MemoryBlobStore, tmp_path: Path
) -> None:
    scene = _scene(client, people, db, blobs, tmp_path)
    url = f"/v1/orgs/mill/consents/{scene.consent_id}/withdraw"
    problem(client.post(url.replace("mill", "festival"), headers=people["stranger"]), 404)
    problem(client.post(url, headers=people["anonymous"]), 401)

    r = client.post(url, headers=people["contributor"])  # the contributor who submitted it
    assert r.status_code == 200, r.text
    outcome = r.json()
    assert outcome["republished"] == ["moulin"] and outcome["taken_offline"] == []
    assert outcome["releases_deleted"] == 2 and outcome["blobs_deleted"] > 0
    assert outcome["consent"]["withdrawn_at"] is not None
    _assert_story_gone(db, blobs, scene)

    with db.transaction() as session:
        moulin = session.scalar(select(Trail).where(Trail.slug == "moulin"))
        assert moulin is not None and moulin.current_release is not None
        assert moulin.current_release.number == 3
        assert [r.number for r in moulin.releases] == [3]
        canal = session.scalar(select(Trail).where(Trail.slug == "canal"))
        assert canal is not None and canal.current_release is not None
        assert canal.current_release.number == 1  # never held the story: untouched
        stories = session.scalars(select(Stop.story_id).join(Trail).where(Trail.slug != "canal"))
        assert None in set(stories)
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "consent.withdraw"))
        assert entry is not None and entry.object_id == scene.consent_id
        assert entry.actor_id == people.ids["contributor"]
        assert entry.details["story_id"] == scene.story_id
        assert entry.details["story_title"] == SECRET_TITLE
        assert entry.details["trails"] == ["brouillon", "moulin"]
        assert "pending" not in entry.details and "completed_at" in entry.details
        details = json.dumps(entry.details)
        assert not any(s in details for s in scene.secrets - {SECRET_TITLE, SECRET_CREDIT})

    # The trail still downloads, with the other story's audio, and its manifest verifies.
    bundle = client.get("/v1/trails/moulin/bundle", follow_redirects=True)
    assert bundle.status_code == 200
    assert scene.kept_rendition_bytes in bundle.content
    manifest = client.get("/v1/trails/moulin/manifest").json()
    assert manifest["trail"]["release"] == 3
    problem(client.get("/v1/trails/moulin/changes?since=1"), 404)

    # Once more: nothing left to do, nothing published again.
    again = client.post(url, headers=people["editor"]).json()
    assert again["republished"] == [] and again["releases_deleted"] == 0
    with db.transaction() as session:
        assert len(session.scalars(select(Release)).all()) == 2


def test_a_crash_after_the_first_step_is_repaired_by_running_again(
    client: TestClient, people: People, db: Database, blobs: MemoryBlobStore, tmp_path: Path
) -> None:
    scene = _scene(client, people, db, blobs, tmp_path)
    keyring = client.app.state.keyring  # type: ignore[attr-defined]
    _step_one(db, scene.consent_id, None)  # ...and the process dies here
    with db.transaction() as session:
        assert session.get(Story, scene.story_id) is None
        assert session.get_one(ConsentRecord, scene.consent_id).withdrawn_at is not None
    outcome = withdraw(db, blobs, keyring, scene.consent_id, None)
    assert outcome.republished == ["moulin"] and outcome.releases_deleted == 2
    _assert_story_gone(db, blobs, scene)


def test_a_contributor_cannot_withdraw_someone_elses_consent(
    client: TestClient, people: People, db: Database
) -> None:
    story = client.post(
        "/v1/orgs/mill/stories",
        json={"title": "Le canal", "versions": {"fr": {"text": "x"}}},
        headers=people["editor"],
    ).json()
    consent = client.post(
        f"/v1/orgs/mill/stories/{story['id']}/consents",
        json={"person": "P", "publication": True, "archive": False, "given_on": "2026-01-01"},
        headers=people["editor"],
    ).json()
    url = f"/v1/orgs/mill/consents/{consent['id']}/withdraw"
    problem(client.post(url, headers=people["contributor"]), 404)
    r = client.post(url, headers=people["editor2"])
    assert r.status_code == 200 and r.json()["story_id"] == story["id"]
    problem(client.get(f"/v1/orgs/mill/stories/{story['id']}", headers=people["editor"]), 404)
    problem(client.post("/v1/orgs/mill/consents/999999/withdraw", headers=people["editor"]), 404)


def test_another_teams_copy_of_the_same_recording_is_left_alone(
    client: TestClient, people: People, db: Database, blobs: MemoryBlobStore, tmp_path: Path
) -> None:
    for folder in ("mill", "festival"):
        (tmp_path / folder).mkdir()
    scene = _scene(client, people, db, blobs, tmp_path / "mill")
    copy = upload_audio(client, people["stranger"], tmp_path / "festival", freq=300, org="festival")
    story = client.post(
        "/v1/orgs/festival/stories",
        json={"title": "Copie", "versions": {"fr": {"audio_asset_id": copy["id"]}}},
        headers=people["stranger"],
    ).json()
    trail_with_stop(
        client, people["stranger"], org="festival", slug="fete", key="scene", story_id=story["id"]
    )
    keyring = client.app.state.keyring  # type: ignore[attr-defined]
    festival_release = publish(db, blobs, keyring, "fete", publisher="stranger@example.org")
    with db.transaction() as session:
        shared = session.get_one(Asset, copy["id"]).sha256

    outcome = withdraw(db, blobs, keyring, scene.consent_id, None)

    assert outcome.republished == ["moulin"]
    assert blobs.exists(f"originals/{shared}")  # the festival's copy still needs its bytes
    with db.transaction() as session:
        fete = session.scalar(select(Trail).where(Trail.slug == "fete"))
        assert fete is not None and fete.current_release_id == festival_release.id
        for bundle in session.get_one(Release, festival_release.id).bundles:
            assert blobs.exists(f"bundles/{bundle.bundle_sha256}.zip")
    assert client.get("/v1/trails/fete/bundle", follow_redirects=True).status_code == 200


def test_a_trail_that_cannot_be_published_again_goes_offline(
    client: TestClient, people: People, db: Database, blobs: MemoryBlobStore, tmp_path: Path
) -> None:
    scene = _scene(client, people, db, blobs, tmp_path)
    with db.transaction() as session:
        # The other story's encodings were lost from storage since the last publication:
        # the live release cannot be copied without the withdrawn story.
        kept = session.scalar(select(Story).where(Story.title == "La roue"))
        assert kept is not None and kept.versions[0].audio is not None
        lost = [r.sha256 for r in kept.versions[0].audio.renditions]
    stored = blobs.keys()
    for key in stored:
        if any(key.startswith(f"media/{sha}.") for sha in lost):
            blobs.delete(key)
    url = f"/v1/orgs/mill/consents/{scene.consent_id}/withdraw"
    outcome = client.post(url, headers=people["editor"]).json()
    assert outcome["republished"] == [] and outcome["taken_offline"] == ["moulin"]
    assert outcome["releases_deleted"] == 2
    _assert_story_gone(db, blobs, scene)
    with db.transaction() as session:
        moulin = session.scalar(select(Trail).where(Trail.slug == "moulin"))
        assert moulin is not None and moulin.current_release_id is None
    problem(client.get("/v1/trails/moulin/manifest"), 404)


def test_the_recordings_a_story_was_trimmed_from_leave_with_it(
    client: TestClient, people: People, db: Database, blobs: MemoryBlobStore, tmp_path: Path
) -> None:
    """A trimmed story's untrimmed original, and an edit not kept, are the same voice."""
    keyring = client.app.state.keyring  # type: ignore[attr-defined]
    recording = upload_audio(client, people["contributor"], tmp_path, freq=510)
    made = client.post(
        "/v1/orgs/mill/contributions",
        json={
            "title": "La sirène",
            "versions": {"fr": {"audio_asset_id": recording["id"]}},
            "consent": {
                "person": "Marie",
                "publication": True,
                "archive": True,
                "given_on": "2026-04-02",
            },
        },
        headers=people["contributor"],
    )
    assert made.status_code == 201, made.text
    story = made.json()
    edits = f"/v1/orgs/mill/assets/{recording['id']}/edits"
    dropped = client.post(edits, json={"trim_start_s": 0.2}, headers=people["editor"]).json()
    kept = client.post(edits, json={"trim_end_s": 0.8}, headers=people["editor"]).json()
    saved = client.patch(
        f"/v1/orgs/mill/stories/{story['id']}",
        json={"versions": {"fr": {"audio_asset_id": kept["id"]}}},
        headers={**people["editor"], "If-Match": story["etag"]},
    )
    assert saved.status_code == 200, saved.text
    approved = client.post(
        f"/v1/orgs/mill/contributions/{story['id']}/approve",
        headers={**people["editor"], "If-Match": saved.json()["etag"]},
    )
    assert approved.status_code == 200, approved.text
    trail_with_stop(client, people["editor"], "sirene", "usine", story_id=story["id"])
    publish(db, blobs, keyring, "sirene", publisher="editor@example.org")
    ids = {recording["id"], dropped["id"], kept["id"]}
    with db.transaction() as session:
        voice = set()
        for asset in session.scalars(select(Asset).where(Asset.id.in_(ids))):
            voice |= {asset.sha256, *(r.sha256 for r in asset.renditions)}
        consent_id = session.scalar(
            select(ConsentRecord.id).where(ConsentRecord.story_id == story["id"])
        )
    stored = blobs.keys()
    assert len(voice) >= 6 and [k for k in stored if any(s in k for s in voice)]

    r = client.post(f"/v1/orgs/mill/consents/{consent_id}/withdraw", headers=people["editor"])
    assert r.status_code == 200, r.text
    left = blobs.keys()
    assert not [k for k in left if any(s in k for s in voice)]
    with db.transaction() as session:
        assert not session.scalars(select(Asset).where(Asset.id.in_(ids))).all()
