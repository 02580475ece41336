"""Withdrawal and releases that wait: the draft never goes live, waiting copies keep waiting.

A withdrawal republishes at once, without a second editor. So the new release must be the
live one less the story, never the draft, whose changes may still wait for approval; and a
release waiting for approval or for its time must not go live later with the story.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from media.blobs.memory import MemoryBlobStore
from server.db.models import (
    AuditEntry,
    Release,
    ReleaseBundle,
    ReleaseState,
    Stop,
    Trail,
)
from server.db.session import Database
from server.releases import activate_due
from server.withdrawal import _step_one, withdraw
from tests.api.test_releases import _require_approval
from tests.api.test_withdrawal import SECRET_TITLE, Scene, _assert_story_gone, _scene, _stop
from tests.support.people import People

NEW_TITLE = "Le moulin, nouvelle version"


def _trail(db: Database, slug: str = "moulin") -> tuple[int, int | None]:
    with db.transaction() as session:
        trail = session.scalar(select(Trail).where(Trail.slug == slug))
        assert trail is not None
        current = trail.current_release.number if trail.current_release else None
        return trail.id, current


def _manifest(
    db: Database, number: int, slug: str = "moulin", profile: str = "opus"
) -> dict[str, Any]:
    """The signed manifest of a release, in one profile."""
    with db.transaction() as session:
        data = session.scalar(
            select(ReleaseBundle.manifest_bytes)
            .join(Release)
            .join(Trail, Trail.id == Release.trail_id)
            .where(Trail.slug == slug, Release.number == number, ReleaseBundle.profile == profile)
        )
    assert data is not None
    loaded: dict[str, Any] = json.loads(data)
    return loaded


def _releases(db: Database, slug: str = "moulin") -> dict[int, Release]:
    with db.transaction() as session:
        rows = session.scalars(
            select(Release).join(Trail, Trail.id == Release.trail_id).where(Trail.slug == slug)
        )
        return {r.number: r for r in rows}


def _minus_story(manifest: dict[str, Any], stop_key: str, shas: set[str]) -> dict[str, Any]:
    """What a release's content is without the story at ``stop_key`` (the test's own account)."""
    stops = [
        {**s, "role": None, "credits": [], "licence": None, "cues": {}}
        if s["key"] == stop_key
        else s
        for s in manifest["stops"]
    ]
    media = [row for row in manifest["media"] if row["sha256"] not in shas]
    return {
        "trail": manifest["trail"],
        "stops": stops,
        "ambience": manifest["ambience"],
        "media": media,
    }


def _content(manifest: dict[str, Any]) -> dict[str, Any]:
    """A manifest's content, without what every build changes (number, time, key)."""
    trail = {k: v for k, v in manifest["trail"].items() if k != "release"}
    return {
        "trail": trail,
        "stops": manifest["stops"],
        "ambience": manifest["ambience"],
        "media": manifest["media"],
    }


def _story_shas(manifest: dict[str, Any], stop_key: str) -> set[str]:
    stop = next(s for s in manifest["stops"] if s["key"] == stop_key)
    paths = {c["audio"] for c in stop["cues"].values()}
    paths |= {c["transcript"] for c in stop["cues"].values() if c["transcript"]}
    return {row["sha256"] for row in manifest["media"] if row["path"] in paths}


def _change_draft(client: TestClient, people: People, trail_id: int) -> None:
    """An editor's change to the draft: a new title, and a stop renamed."""
    url = f"/v1/orgs/mill/trails/{trail_id}"
    etag = client.get(url, headers=people["editor"]).headers["etag"]
    r = client.patch(
        url, json={"title": {"fr": NEW_TITLE}}, headers={**people["editor"], "If-Match": etag}
    )
    assert r.status_code == 200, r.text
    stops = client.get(f"{url}/stops", headers=people["editor"]).json()["items"]
    roue = next(s for s in stops if s["key"] == "roue")
    r = client.patch(
        f"{url}/stops/{roue['id']}",
        json={"title": {"fr": "La roue, refaite"}},
        headers={**people["editor"], "If-Match": roue["etag"]},
    )
    assert r.status_code == 200, r.text


def _publish(client: TestClient, people: People, trail_id: int, **body: Any) -> dict[str, Any]:
    r = client.post(
        f"/v1/orgs/mill/trails/{trail_id}/releases", json=body, headers=people["editor"]
    )
    assert r.status_code == 201, r.text
    release: dict[str, Any] = r.json()
    return release


def _approve(client: TestClient, people: People, trail_id: int, number: int) -> dict[str, Any]:
    r = client.post(
        f"/v1/orgs/mill/trails/{trail_id}/releases/{number}/approve", headers=people["editor2"]
    )
    assert r.status_code == 200, r.text
    release: dict[str, Any] = r.json()
    return release


def _withdraw(client: TestClient, people: People, scene: Scene) -> dict[str, Any]:
    r = client.post(
        f"/v1/orgs/mill/consents/{scene.consent_id}/withdraw", headers=people["contributor"]
    )
    assert r.status_code == 200, r.text
    outcome: dict[str, Any] = r.json()
    return outcome


def _scene_needing_approval(
    client: TestClient, people: People, db: Database, blobs: MemoryBlobStore, tmp: Path
) -> Scene:
    """The scene, where from now on a release waits for a second editor's approval."""
    scene = _scene(client, people, db, blobs, tmp)
    _require_approval(db)
    return scene


def _approved_scene(
    client: TestClient, people: People, db: Database, blobs: MemoryBlobStore, tmp: Path
) -> tuple[Scene, int, dict[str, Any]]:
    """The scene with approval required: release 3 approved and live, release 4 awaiting."""
    scene = _scene_needing_approval(client, people, db, blobs, tmp)
    trail_id, _ = _trail(db)
    assert _publish(client, people, trail_id)["state"] == "awaiting"
    assert _approve(client, people, trail_id, 3)["state"] == "live"
    approved = _manifest(db, 3)
    _change_draft(client, people, trail_id)
    awaiting = _publish(client, people, trail_id)
    assert (awaiting["number"], awaiting["state"]) == (4, "awaiting")
    return scene, trail_id, approved


def test_withdrawal_publishes_the_live_release_less_the_story_never_the_draft(
    client: TestClient, people: People, db: Database, blobs: MemoryBlobStore, tmp_path: Path
) -> None:
    scene, trail_id, approved = _approved_scene(client, people, db, blobs, tmp_path)
    shas = _story_shas(approved, "laminoir")

    outcome = _withdraw(client, people, scene)

    assert outcome["republished"] == ["moulin"]
    _, current = _trail(db)
    live = _manifest(db, current or 0)
    # Exactly the approved release less the story: not a word of the waiting draft change.
    assert _content(live) == _minus_story(_content(approved), "laminoir", shas)
    assert live["trail"]["title"] == {"fr": "moulin"}
    assert NEW_TITLE not in json.dumps(live, ensure_ascii=False)
    assert current == 5 and outcome.get("rebuilt") == ["moulin"]
    public = client.get("/v1/trails/moulin/manifest").json()
    assert public["trail"]["release"] == 5 and public["trail"]["title"] == {"fr": "moulin"}
    releases = _releases(db)
    assert releases[5].approved_by == "editor2@example.org"  # the approval of what it was cut from
    assert releases[5].published_by == "editor@example.org"
    # Nothing went live on the strength of the withdrawal alone.
    for release in releases.values():
        if release.went_live_at is not None or release.state == ReleaseState.live:
            assert release.approved_by is not None, release.number
    _assert_story_gone(db, blobs, scene)

    # The draft keeps the editor's change, less the story.
    draft = client.get(f"/v1/orgs/mill/trails/{trail_id}", headers=people["editor"]).json()
    assert draft["title"] == {"fr": NEW_TITLE}
    with db.transaction() as session:
        laminoir = session.scalar(
            select(Stop).where(Stop.trail_id == trail_id, Stop.key == "laminoir")
        )
        assert laminoir is not None and laminoir.story_id is None


def test_an_awaiting_release_is_rebuilt_without_the_story_and_still_awaits(
    client: TestClient, people: People, db: Database, blobs: MemoryBlobStore, tmp_path: Path
) -> None:
    scene, trail_id, _ = _approved_scene(client, people, db, blobs, tmp_path)
    awaiting = _manifest(db, 4)
    shas = _story_shas(awaiting, "laminoir")

    _withdraw(client, people, scene)

    releases = _releases(db)
    assert sorted(releases) == [5, 6]
    copy = releases[6]
    assert copy.state == ReleaseState.awaiting_approval
    assert copy.approved_by is None and copy.published_by == "editor@example.org"
    assert _content(_manifest(db, 6)) == _minus_story(_content(awaiting), "laminoir", shas)
    with db.transaction() as session:
        rebuilt = session.scalar(select(AuditEntry).where(AuditEntry.action == "release.rebuild"))
        assert rebuilt is not None and rebuilt.details["replaces"] == 4
        assert rebuilt.details["number"] == 6
    # Its publisher still cannot approve it alone; a second editor can, and it goes live.
    r = client.post(f"/v1/orgs/mill/trails/{trail_id}/releases/6/approve", headers=people["editor"])
    assert r.status_code == 403, r.text
    assert _approve(client, people, trail_id, 6)["state"] == "live"
    live = client.get("/v1/trails/moulin/manifest").json()
    assert live["trail"]["title"] == {"fr": NEW_TITLE}
    _assert_story_gone(db, blobs, scene)


def test_a_scheduled_release_is_rebuilt_without_the_story_for_the_same_time(
    client: TestClient, people: People, db: Database, blobs: MemoryBlobStore, tmp_path: Path
) -> None:
    scene = _scene(client, people, db, blobs, tmp_path)
    trail_id, current = _trail(db)
    assert current == 2
    live_before = _manifest(db, 2)
    _change_draft(client, people, trail_id)
    at = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    scheduled = _publish(client, people, trail_id, publish_at=at.isoformat())
    assert (scheduled["number"], scheduled["state"]) == (3, "scheduled")
    waiting = _manifest(db, 3)

    outcome = _withdraw(client, people, scene)

    assert outcome["republished"] == ["moulin"]
    releases = _releases(db)
    assert sorted(releases) == [4, 5] and outcome.get("rebuilt") == ["moulin"]
    assert releases[4].state == ReleaseState.live and _trail(db)[1] == 4
    shas = _story_shas(live_before, "laminoir")
    assert _content(_manifest(db, 4)) == _minus_story(_content(live_before), "laminoir", shas)
    assert releases[5].state == ReleaseState.scheduled and releases[5].publish_at == at
    assert _content(_manifest(db, 5)) == _minus_story(_content(waiting), "laminoir", shas)

    # At its time it goes live, without the story.
    assert [a.number for a in activate_due(db, at + timedelta(seconds=1))] == [5]
    assert _trail(db)[1] == 5
    assert client.get("/v1/trails/moulin/manifest").json()["trail"]["title"] == {"fr": NEW_TITLE}
    _assert_story_gone(db, blobs, scene)


def test_a_waiting_release_holding_the_story_of_a_trail_not_live_with_it_is_rebuilt(
    client: TestClient, people: People, db: Database, blobs: MemoryBlobStore, tmp_path: Path
) -> None:
    """'canal' is live without the story; the story was added to its draft, awaiting approval."""
    scene = _scene_needing_approval(client, people, db, blobs, tmp_path)
    canal, live = _trail(db, "canal")
    _stop(client, people, canal, "laminoir", scene.story_id)
    assert _publish(client, people, canal)["state"] == "awaiting"

    outcome = _withdraw(client, people, scene)

    assert "canal" not in outcome["republished"]
    assert _trail(db, "canal")[1] == live  # the live release never held it: untouched
    releases = _releases(db, "canal")
    assert sorted(releases) == [1, 3] and "canal" in outcome.get("rebuilt", [])
    assert releases[3].state == ReleaseState.awaiting_approval
    assert [s["cues"] for s in _manifest(db, 3, "canal")["stops"] if s["key"] == "laminoir"] == [{}]
    _assert_story_gone(db, blobs, scene)


def test_a_waiting_release_that_cannot_be_copied_is_cancelled_with_an_audit_entry(
    client: TestClient, people: People, db: Database, blobs: MemoryBlobStore, tmp_path: Path
) -> None:
    scene = _scene_needing_approval(client, people, db, blobs, tmp_path)
    trail_id, _ = _trail(db)
    _publish(client, people, trail_id)
    _approve(client, people, trail_id, 3)
    # The other story gains a transcript; only the waiting release 4 carries it.
    stories = client.get("/v1/orgs/mill/stories", headers=people["editor"]).json()["items"]
    roue = next(s for s in stories if s["title"] == "La roue")
    vtt = "WEBVTT\n\n00:00.000 --> 00:01.000\nLa roue tourne.\n"
    r = client.patch(
        f"/v1/orgs/mill/stories/{roue['id']}",
        json={
            "versions": {
                "fr": {
                    "audio_asset_id": roue["versions"][0]["audio_asset_id"],
                    "transcript_vtt": vtt,
                }
            }
        },
        headers={**people["editor"], "If-Match": roue["etag"]},
    )
    assert r.status_code == 200, r.text
    _publish(client, people, trail_id)
    transcript = f"media/{hashlib.sha256(vtt.encode()).hexdigest()}.vtt"
    assert transcript in {row["path"] for row in _manifest(db, 4)["media"]}
    blobs.delete(transcript)  # lost from storage: release 4 cannot be copied

    outcome = _withdraw(client, people, scene)

    assert outcome["republished"] == ["moulin"] and outcome["taken_offline"] == []
    releases = _releases(db)
    assert sorted(releases) == [5] and releases[5].state == ReleaseState.live
    with db.transaction() as session:
        cancel = session.scalar(select(AuditEntry).where(AuditEntry.action == "release.cancel"))
        assert cancel is not None and cancel.details["number"] == 4
        assert "withdrawn" in cancel.details["reason"]
    assert outcome["cancelled"] == ["moulin"] and outcome["rebuilt"] == []
    _assert_story_gone(db, blobs, scene)


def test_a_waiting_release_approved_before_the_repair_is_cut_on_the_repair(
    client: TestClient, people: People, db: Database, blobs: MemoryBlobStore, tmp_path: Path
) -> None:
    """The process died after the first step; meanwhile release 4 was approved, with the story."""
    scene, trail_id, _ = _approved_scene(client, people, db, blobs, tmp_path)
    keyring = client.app.state.keyring  # type: ignore[attr-defined]
    _step_one(db, scene.consent_id, None)
    approved = _manifest(db, 4)
    assert _approve(client, people, trail_id, 4)["state"] == "live"

    outcome = withdraw(db, blobs, keyring, scene.consent_id, None)

    assert outcome.republished == ["moulin"]
    shas = _story_shas(approved, "laminoir")
    _, current = _trail(db)
    assert _content(_manifest(db, current or 0)) == _minus_story(
        _content(approved), "laminoir", shas
    )
    _assert_story_gone(db, blobs, scene)


def test_a_copy_without_anything_withheld_is_the_same_content(
    client: TestClient, people: People, db: Database, blobs: MemoryBlobStore, tmp_path: Path
) -> None:
    """Rebuilding from a release's own manifest loses nothing (cover, rules, credits, media)."""
    from server.publishing import cut_release  # here: the other tests run on older code too

    _scene(client, people, db, blobs, tmp_path)
    keyring = client.app.state.keyring  # type: ignore[attr-defined]
    before = _releases(db)[2]
    cut = cut_release(db, blobs, keyring, before.id, set(), notes="copy")
    assert cut is not None and cut.number == 3 and cut.state == ReleaseState.live
    assert _content(_manifest(db, 3)) == _content(_manifest(db, 2))
    assert _manifest(db, 3, profile="aac")["media"] == _manifest(db, 2, profile="aac")["media"]
    after = _releases(db)
    assert after[3].manifest == before.manifest
    assert SECRET_TITLE not in json.dumps(after[3].manifest)


def test_a_copy_leaves_out_every_story_and_ambience_that_plays_a_withheld_file() -> None:
    from server.publishing import manifest_without  # here: the other tests run on older code too

    def row(name: str, kind: str) -> dict[str, Any]:
        return {"path": f"media/{name * 64}.x", "sha256": name * 64, "kind": kind}

    def cue(audio: str, transcript: str | None = None) -> dict[str, Any]:
        return {
            "audio": f"media/{audio * 64}.x",
            "transcript": f"media/{transcript * 64}.x" if transcript else None,
            "duration_s": 1.0,
            "text": None,
        }

    def stop(key: str, cues: dict[str, Any]) -> dict[str, Any]:
        credits = [{"name": key, "role": "narrator"}]
        return {"key": key, "role": "voice", "credits": credits, "licence": "CC-BY", "cues": cues}

    manifest: dict[str, Any] = {
        "trail": {"id": "trail-1"},
        "stops": [
            stop("withdrawn", {"fr": cue("a", transcript="t")}),
            # Another story reusing the recording in one language loses the whole story.
            stop("shared", {"fr": cue("b"), "en": cue("a")}),
            stop("transcript", {"fr": cue("c", transcript="t")}),
            stop("kept", {"fr": cue("d")}),
        ],
        "ambience": [
            {"key": "bruit", "audio": "media/" + "a" * 64 + ".x"},
            {"key": "vent", "audio": "media/" + "e" * 64 + ".x"},
        ],
        "media": [row(n, "audio") for n in "abcde"] + [row("t", "transcript")],
    }
    withheld = {"a" * 64, "t" * 64}

    cut = manifest_without(manifest, withheld)

    silent: dict[str, Any] = {"role": None, "credits": [], "licence": None, "cues": {}}
    assert cut["stops"][:3] == [{"key": k, **silent} for k in ("withdrawn", "shared", "transcript")]
    assert cut["stops"][3] == manifest["stops"][3]
    assert [layer["key"] for layer in cut["ambience"]] == ["vent"]
    assert manifest["stops"][0]["cues"]  # the release's own manifest is left as it was
