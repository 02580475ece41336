"""Temporary routes are real copies: editing the copy's stories never changes the original's."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from media.blobs.memory import MemoryBlobStore
from server.db.models import Story, Trail
from server.db.session import Database
from tests.api.test_stories import VTT, story_body, upload_audio
from tests.api.test_withdrawal import SECRET_TITLE, _assert_story_gone, _scene
from tests.support.drafts import trail_with_stop
from tests.support.people import People
from tests.support.problems import problem

ORG = "/v1/orgs/mill"
TRAILS = f"{ORG}/trails"
NEW_VTT = "WEBVTT\n\n00:00.000 --> 00:01.000\nLa roue tournait nuit et jour.\n"


def _original(client: TestClient, people: People, folder: Path) -> dict[str, Any]:
    """A trail 'moulin' whose stop 'roue' tells a story with a recording and a transcript."""
    editor = people["editor"]
    asset = upload_audio(client, editor, folder)
    story = client.post(f"{ORG}/stories", json=story_body(asset["id"]), headers=editor).json()
    trail, stop = trail_with_stop(
        client, editor, "moulin", "roue", story_id=story["id"], trail_title="Le moulin"
    )
    return {"trail": trail, "stop": stop, "story": story, "asset": asset}


def _story(client: TestClient, people: People, story_id: int) -> dict[str, Any]:
    body: dict[str, Any] = client.get(f"{ORG}/stories/{story_id}", headers=people["editor"]).json()
    return body


def _stop(client: TestClient, people: People, trail_id: int) -> dict[str, Any]:
    items = client.get(f"{TRAILS}/{trail_id}/stops", headers=people["editor"]).json()["items"]
    stop: dict[str, Any] = items[0]
    return stop


def _trim_and_retell(client: TestClient, people: People, story: dict[str, Any]) -> None:
    """Trim the story's recording (a new asset), change its transcript and its title."""
    editor = people["editor"]
    source = story["versions"][0]["audio_asset_id"]
    trimmed = client.post(
        f"{ORG}/assets/{source}/edits", json={"trim_start_s": 0.2}, headers=editor
    )
    assert trimmed.status_code in (200, 201), trimmed.text
    changed = client.patch(
        f"{ORG}/stories/{story['id']}",
        json={
            "title": "Retitled",
            "versions": {"fr": {"audio_asset_id": trimmed.json()["id"], "transcript_vtt": NEW_VTT}},
        },
        headers={**editor, "If-Match": story["etag"]},
    )
    assert changed.status_code == 200, changed.text


def test_editing_either_trail_never_changes_the_other(
    client: TestClient, people: People, tmp_path: Path
) -> None:
    editor = people["editor"]
    first = _original(client, people, tmp_path)
    made = client.post(
        f"{TRAILS}/{first['trail']['id']}/duplicate",
        json={"slug": "moulin-festival", "event": "Festival 2027"},
        headers=editor,
    )
    assert made.status_code == 201, made.text
    copy = made.json()
    assert copy["title"] == {"fr": "Le moulin — Festival 2027"}

    copy_stop = _stop(client, people, copy["id"])
    assert copy_stop["story_id"] != first["story"]["id"]
    copy_story = _story(client, people, copy_stop["story_id"])
    # Copy on write: a new story row, the same recording (by asset) until one is edited.
    assert copy_story["versions"][0]["audio_asset_id"] == first["asset"]["id"]
    assert copy_story["versions"][0]["transcript_vtt"] == VTT

    # The copy changes: trim, transcript, title, and its stop moves.
    _trim_and_retell(client, people, copy_story)
    moved = client.patch(
        f"{TRAILS}/{copy['id']}/stops/{copy_stop['id']}",
        json={"zone": {"type": "circle", "center": [4.40, 50.41], "radius_m": 30}},
        headers={**editor, "If-Match": copy_stop["etag"]},
    )
    assert moved.status_code == 200, moved.text
    original = _story(client, people, first["story"]["id"])
    assert original["title"] == first["story"]["title"]
    assert original["versions"][0]["audio_asset_id"] == first["asset"]["id"]
    assert original["versions"][0]["transcript_vtt"] == VTT
    assert _stop(client, people, first["trail"]["id"])["zone"] == first["stop"]["zone"]

    # And the other way: the original changes, the copy keeps what it had.
    kept = _story(client, people, copy_stop["story_id"])
    _trim_and_retell(client, people, original)
    assert _story(client, people, copy_stop["story_id"]) == kept


def test_bad_titles_are_refused_and_copy_nothing(
    client: TestClient, people: People, db: Database, tmp_path: Path
) -> None:
    editor = people["editor"]
    first = _original(client, people, tmp_path)
    url = f"{TRAILS}/{first['trail']['id']}/duplicate"

    def counts() -> tuple[int, int]:
        with db.transaction() as session:
            trails = session.scalar(select(func.count()).select_from(Trail))
            stories = session.scalar(select(func.count()).select_from(Story))
            return int(trails or 0), int(stories or 0)

    before = counts()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"title": {"fr": "x" * 201}}, "title"),
        ({"title": {"fr": "   "}}, "title"),
        ({"title": {}}, "title"),
        ({"title": {"fr": "Le moulin"}}, "title"),  # the original's own title
        ({"event": "  "}, "event"),
        ({"event": "e" * 81}, "event"),
    ]
    for extra, field in cases:
        body = problem(client.post(url, json={"slug": "copie", **extra}, headers=editor), 422)
        assert body["errors"][0]["field"].split(".")[-1] == field, (extra, body)
        assert body["errors"][0]["message"]
    assert counts() == before


def test_a_stale_if_match_copies_nothing(
    client: TestClient, people: People, tmp_path: Path
) -> None:
    editor = people["editor"]
    first = _original(client, people, tmp_path)
    trail = first["trail"]
    renamed = client.patch(
        f"{TRAILS}/{trail['id']}",
        json={"title": {"fr": "Le vieux moulin"}},
        headers={**editor, "If-Match": trail["etag"]},
    )
    assert renamed.status_code == 200, renamed.text
    stale = {**editor, "If-Match": trail["etag"]}
    problem(
        client.post(f"{TRAILS}/{trail['id']}/duplicate", json={"slug": "c"}, headers=stale), 412
    )
    assert client.get(TRAILS, headers=editor).json()["total"] == 1


def test_a_story_saved_during_the_copy_is_copied_as_committed_never_half(
    client: TestClient, people: People, db: Database, tmp_path: Path
) -> None:
    first = _original(client, people, tmp_path)
    story_id = first["story"]["id"]
    holding, release = threading.Event(), threading.Event()

    def edit() -> None:
        # Another editor's save, held open: title and transcript change in one transaction.
        with db.transaction() as session:
            story = session.get_one(Story, story_id)
            story.title = "Saved meanwhile"
            story.versions[0].transcript_vtt = NEW_VTT
            session.flush()
            holding.set()
            release.wait(10)

    editor_thread = threading.Thread(target=edit)
    editor_thread.start()
    assert holding.wait(10)
    answer: dict[str, Any] = {}

    def duplicate() -> None:
        answer["r"] = client.post(
            f"{TRAILS}/{first['trail']['id']}/duplicate",
            json={"slug": "pendant", "event": "Fête"},
            headers=people["editor"],
        )

    copier = threading.Thread(target=duplicate)
    copier.start()
    time.sleep(0.5)
    release.set()
    editor_thread.join(10)
    copier.join(20)
    response = answer["r"]
    if response.status_code != 201:
        # SQLite has one writer at a time: the copy may be refused, to be tried again.
        problem(response, 503)
        assert client.get(TRAILS, headers=people["editor"]).json()["total"] == 1
        return
    copy_story = _story(client, people, _stop(client, people, response.json()["id"])["story_id"])
    transcript = copy_story["versions"][0]["transcript_vtt"]
    whole = [
        (copy_story["title"].startswith("Saved meanwhile"), transcript == NEW_VTT),
        (copy_story["title"].startswith(first["story"]["title"]), transcript == VTT),
    ]
    assert (True, True) in whole, copy_story
    if db.engine.dialect.name == "postgresql":
        # The copy waited for the save to end, then copied it: the committed state.
        assert whole[0] == (True, True)


def test_a_withdrawn_testimony_leaves_the_copies_too(
    client: TestClient, people: People, db: Database, blobs: MemoryBlobStore, tmp_path: Path
) -> None:
    scene = _scene(client, people, db, blobs, tmp_path)
    draft = next(
        t
        for t in client.get(TRAILS, headers=people["editor"]).json()["items"]
        if t["slug"] == "brouillon"
    )
    made = client.post(
        f"{TRAILS}/{draft['id']}/duplicate",
        json={"slug": "brouillon-fete"},
        headers=people["editor"],
    )
    assert made.status_code == 201, made.text
    copied = _stop(client, people, made.json()["id"])["story_id"]
    assert copied not in (None, scene.story_id)

    withdrawn = client.post(
        f"{ORG}/consents/{scene.consent_id}/withdraw", headers=people["contributor"]
    )
    assert withdrawn.status_code == 200, withdrawn.text
    _assert_story_gone(db, blobs, scene)
    with db.transaction() as session:
        # Nothing of the resident stays in the copy: no story row, credits or consents.
        assert session.get(Story, copied) is None
        assert not session.scalars(select(Story).where(Story.title.contains(SECRET_TITLE))).all()
    assert _stop(client, people, made.json()["id"])["story_id"] is None
