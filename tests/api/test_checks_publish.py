"""Checks that protect visitors: a stop without audio is an error, and publishing refuses errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.api.test_stories import story_body, upload_audio
from tests.support.drafts import add_stop, trail_with_stop
from tests.support.people import People
from tests.support.problems import problem

TRAILS = "/v1/orgs/mill/trails"


def _trail_with_a_mute_stop(
    client: TestClient, people: People, folder: Path
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A trail whose first stop tells a story and whose second has no audio: trail, mute stop."""
    editor = people["editor"]
    asset = upload_audio(client, editor, folder)
    story = client.post("/v1/orgs/mill/stories", json=story_body(asset["id"]), headers=editor)
    assert story.status_code == 201, story.text
    trail, _ = trail_with_stop(client, editor, "moulin", "roue", story_id=story.json()["id"])
    mute = add_stop(client, editor, trail["id"], "bief", center=(4.3965, 50.4046))
    return trail, mute


def test_a_stop_without_audio_is_an_error_that_says_what_to_do(
    client: TestClient, people: People, tmp_path: Path
) -> None:
    trail, _ = _trail_with_a_mute_stop(client, people, tmp_path)
    checks = client.get(f"{TRAILS}/{trail['id']}/checks", headers=people["editor"]).json()
    found = [c for c in checks if c["code"] == "no-audio"]
    assert [(c["severity"], c["stop"]) for c in found] == [("error", "bief")]
    assert found[0]["message"].endswith("or mark it silent on purpose")
    french = client.get(
        f"{TRAILS}/{trail['id']}/checks", headers={**people["editor"], "Accept-Language": "fr"}
    ).json()
    message = next(c["message"] for c in french if c["code"] == "no-audio")
    assert "silencieux" in message and message != found[0]["message"]


def test_publishing_refuses_the_errors_and_lists_each_then_a_silent_stop_publishes(
    client: TestClient, people: People, tmp_path: Path
) -> None:
    editor = people["editor"]
    trail, mute = _trail_with_a_mute_stop(client, people, tmp_path)
    releases = f"{TRAILS}/{trail['id']}/releases"
    body = problem(client.post(releases, json={}, headers=editor), 409)
    listed = [e for e in body["errors"] if e["value"].get("check") == "no-audio"]
    assert [(e["field"], e["value"]["stop"], e["value"]["stop_id"]) for e in listed] == [
        ("stops.bief", "bief", mute["id"])
    ]
    assert "mark it silent on purpose" in listed[0]["message"]
    # Refused means nothing was published.
    assert client.get(f"{TRAILS}/{trail['id']}", headers=editor).json()["current_release"] is None
    assert client.get(releases, headers=editor).json()["total"] == 0

    marked = client.patch(
        f"{TRAILS}/{trail['id']}/stops/{mute['id']}",
        json={"silent": True},
        headers={**editor, "If-Match": mute["etag"]},
    )
    assert marked.status_code == 200, marked.text
    assert marked.json()["silent"] is True
    checks = client.get(f"{TRAILS}/{trail['id']}/checks", headers=editor).json()
    assert [c for c in checks if c["severity"] == "error"] == []
    published = client.post(releases, json={}, headers=editor)
    assert published.status_code == 201, published.text


def test_a_stop_created_silent_passes_and_unmarking_brings_the_error_back(
    client: TestClient, people: People, tmp_path: Path
) -> None:
    editor = people["editor"]
    trail, stop = trail_with_stop(client, editor, "pause", "banc", silent=True)
    assert stop["silent"] is True
    url = f"{TRAILS}/{trail['id']}/checks"
    assert all(c["code"] != "no-audio" for c in client.get(url, headers=editor).json())
    unmarked = client.patch(
        f"{TRAILS}/{trail['id']}/stops/{stop['id']}",
        json={"silent": False},
        headers={**editor, "If-Match": stop["etag"]},
    )
    assert unmarked.status_code == 200, unmarked.text
    assert [c["stop"] for c in client.get(url, headers=editor).json() if c["code"] == "no-audio"]


def test_every_check_message_ends_with_what_to_do() -> None:
    """Each sentence of the checks names the problem, then (after '; ' or ': ') the action."""
    import ast

    from trails import checks

    tree = ast.parse(Path(checks.__file__).read_text(encoding="utf-8"))
    sentences = [
        call.args[0].value
        for call in ast.walk(tree)
        if isinstance(call, ast.Call)
        and getattr(call.func, "id", None) == "msg"
        and call.args
        and isinstance(call.args[0], ast.Constant)
    ]
    assert len(sentences) > 10
    for sentence in sentences:
        action = sentence.rsplit("; ", 1)[-1]
        assert action != sentence and action.split()[0] in {
            "add", "change", "choose", "correct", "make", "move", "place", "remove",
            "shorten", "use",
        }, sentence  # fmt: skip
