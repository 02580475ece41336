"""Draft vs live: what visitors have now, and what publishing the draft would change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.api.test_stories import story_body, upload_audio
from tests.support.drafts import add_stop, trail_with_stop
from tests.support.people import People

ORG = "/v1/orgs/mill"
TRAILS = f"{ORG}/trails"


def _changes(client: TestClient, people: People, trail_id: int) -> dict[str, Any]:
    r = client.get(f"{TRAILS}/{trail_id}/changes", headers=people["contributor"])
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _publish(client: TestClient, people: People, trail_id: int) -> None:
    r = client.post(f"{TRAILS}/{trail_id}/releases", json={}, headers=people["editor"])
    assert r.status_code == 201, r.text


def test_the_draft_is_compared_with_the_live_release_stop_by_stop(
    client: TestClient, people: People, tmp_path: Path
) -> None:
    editor = people["editor"]
    asset = upload_audio(client, editor, tmp_path)
    story = client.post(f"{ORG}/stories", json=story_body(asset["id"]), headers=editor).json()
    trail, stop = trail_with_stop(client, editor, "moulin", "roue", story_id=story["id"])
    add_stop(client, editor, trail["id"], "banc", center=(4.3975, 50.405), silent=True)
    never = _changes(client, people, trail["id"])
    assert never["live"]["state"] == "unpublished" and never["differs"] is True

    _publish(client, people, trail["id"])
    same = _changes(client, people, trail["id"])
    assert same == {
        "live": {
            "state": "published",
            "release": 1,
            "visibility": "public",
            "valid_from": None,
            "valid_until": None,
        },
        "differs": False,
        "changes": [],
    }

    # A title, a trimmed recording, a new stop, a removed one, dates and visibility.
    renamed = client.patch(
        f"{TRAILS}/{trail['id']}/stops/{stop['id']}",
        json={"title": {"fr": "La grande roue"}},
        headers={**editor, "If-Match": stop["etag"]},
    )
    assert renamed.status_code == 200, renamed.text
    trimmed = client.post(
        f"{ORG}/assets/{asset['id']}/edits", json={"trim_start_s": 0.2}, headers=editor
    ).json()
    current = client.get(f"{ORG}/stories/{story['id']}", headers=editor).json()
    retold = client.patch(
        f"{ORG}/stories/{story['id']}",
        json={"versions": {"fr": {**story_body(trimmed["id"])["versions"]["fr"]}}},
        headers={**editor, "If-Match": current["etag"]},
    )
    assert retold.status_code == 200, retold.text
    add_stop(client, editor, trail["id"], "ecluse", center=(4.399, 50.406), silent=True)
    banc = next(
        s
        for s in client.get(f"{TRAILS}/{trail['id']}/stops", headers=editor).json()["items"]
        if s["key"] == "banc"
    )
    removed = client.delete(
        f"{TRAILS}/{trail['id']}/stops/{banc['id']}", headers={**editor, "If-Match": banc["etag"]}
    )
    assert removed.status_code == 204, removed.text
    fresh = client.get(f"{TRAILS}/{trail['id']}", headers=editor).json()
    start = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    dated = client.patch(
        f"{TRAILS}/{trail['id']}",
        json={"valid_from": start.isoformat(), "visibility": "unlisted"},
        headers={**editor, "If-Match": fresh["etag"]},
    )
    assert dated.status_code == 200, dated.text
    # The trail's own view keeps the draft apart from what visitors have.
    assert dated.json()["visibility"] == "unlisted"
    assert dated.json()["live_visibility"] == "public"
    assert dated.json()["live_state"] == "published"

    after = _changes(client, people, trail["id"])
    assert after["differs"] is True and after["live"]["visibility"] == "public"
    found = {(c["kind"], c["stop"]): c["fields"] for c in after["changes"]}
    assert found == {
        ("stop_changed", "roue"): ["title", "story"],
        ("stop_added", "ecluse"): [],
        ("stop_removed", "banc"): [],
        ("dates", None): ["valid_from", "valid_until"],
        ("visibility", None): ["visibility"],
    }

    # Publishing applies them: nothing differs, and visitors now have a scheduled, unlisted trail.
    _publish(client, people, trail["id"])
    done = _changes(client, people, trail["id"])
    assert done["differs"] is False and done["changes"] == []
    assert done["live"]["state"] == "scheduled" and done["live"]["visibility"] == "unlisted"
    listed = client.get(TRAILS, headers=editor).json()["items"][0]
    assert (listed["live_state"], listed["live_visibility"]) == ("scheduled", "unlisted")
