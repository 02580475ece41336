"""Stories: the library of an organisation, its languages, transcripts and ETags."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from server.db.models import Story, StoryVersion
from server.db.session import Database
from server.stories import vtt_problem
from tests.support.audio import ffmpeg_make
from tests.support.drafts import trail_with_stop
from tests.support.people import People
from tests.support.problems import problem

VTT = "WEBVTT\n\n00:00.000 --> 00:01.000\nJ'ai travaillé au moulin.\n"


def upload_audio(
    client: TestClient, headers: dict[str, str], folder: Path, freq: int = 440, org: str = "mill"
) -> dict[str, Any]:
    """Upload a one-second tone through the assets route; the test jobs finish it at once."""
    path = ffmpeg_make(
        folder / f"tone-{freq}.wav", "-f", "lavfi", "-i", f"sine=f={freq}:r=22050:d=1"
    )
    with path.open("rb") as fh:
        r = client.post(
            f"/v1/orgs/{org}/assets",
            files={"file": (path.name, fh, "audio/wav")},
            headers=headers,
        )
    assert r.status_code in (200, 201), r.text
    body: dict[str, Any] = r.json()
    return body


def story_body(asset_id: int | None, **extra: Any) -> dict[str, Any]:
    """A one-language story body."""
    body: dict[str, Any] = {
        "title": "La grève de 1960",
        "credits": [{"name": "Marie Dupont", "role": "interviewee"}],
        "licence": "CC-BY-4.0",
        "versions": {"fr": {"audio_asset_id": asset_id, "transcript_vtt": VTT}},
    }
    body.update(extra)
    return body


def _count(db: Database) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Story)) or 0)


def test_create_get_list_and_filter(client: TestClient, people: People, tmp_path: Path) -> None:
    asset = upload_audio(client, people["editor"], tmp_path)
    r = client.post("/v1/orgs/mill/stories", json=story_body(asset["id"]), headers=people["editor"])
    assert r.status_code == 201, r.text
    story = r.json()
    assert story["status"] == "approved" and story["publishable"] is True
    assert r.headers["etag"] == story["etag"]
    (version,) = story["versions"]
    assert version["language"] == "fr" and version["audio_ready"] is True
    assert version["audio_status"] == "ready"
    other = story_body(None, title="Le canal", versions={"nl": {"text": "Het kanaal."}})
    assert client.post("/v1/orgs/mill/stories", json=other, headers=people["editor"]).is_success
    listed = client.get("/v1/orgs/mill/stories?language=nl", headers=people["editor"]).json()
    assert [s["title"] for s in listed["items"]] == ["Le canal"] and listed["total"] == 1
    found = client.get("/v1/orgs/mill/stories?q=GRÈVE", headers=people["editor"]).json()
    assert [s["id"] for s in found["items"]] in ([story["id"]], [])  # case folding of È varies
    found = client.get("/v1/orgs/mill/stories?q=grève", headers=people["editor"]).json()
    assert [s["id"] for s in found["items"]] == [story["id"]]
    in_text = client.get("/v1/orgs/mill/stories?q=kanaal", headers=people["editor"]).json()
    assert [s["title"] for s in in_text["items"]] == ["Le canal"]
    submitted = client.get("/v1/orgs/mill/stories?status=submitted", headers=people["editor"])
    assert submitted.json()["total"] == 0
    got = client.get(f"/v1/orgs/mill/stories/{story['id']}", headers=people["editor"])
    assert got.json()["credits"] == [{"name": "Marie Dupont", "role": "interviewee"}]


def test_contributors_and_strangers_cannot_reach_stories(
    client: TestClient, people: People
) -> None:
    r = client.post(
        "/v1/orgs/mill/stories",
        json=story_body(None, versions={"fr": {"text": "x"}}),
        headers=people["editor"],
    )
    story_id = r.json()["id"]
    problem(client.get("/v1/orgs/mill/stories", headers=people["contributor"]), 403)
    problem(client.get(f"/v1/orgs/mill/stories/{story_id}", headers=people["stranger"]), 404)
    problem(client.get(f"/v1/orgs/festival/stories/{story_id}", headers=people["stranger"]), 404)
    problem(client.get("/v1/orgs/mill/stories", headers=people["anonymous"]), 401)


def test_asset_of_another_organisation_is_refused_naming_the_field(
    client: TestClient, people: People, db: Database, tmp_path: Path
) -> None:
    theirs = upload_audio(client, people["stranger"], tmp_path, org="festival")
    r = client.post(
        "/v1/orgs/mill/stories", json=story_body(theirs["id"]), headers=people["editor"]
    )
    body = problem(r, 422)
    assert body["errors"][0]["field"] == "versions.fr.audio_asset_id"
    assert _count(db) == 0


def test_unknown_language_is_422(client: TestClient, people: People, db: Database) -> None:
    r = client.post(
        "/v1/orgs/mill/stories",
        json=story_body(None, versions={"xx-nowhere": {"text": "?"}}),
        headers=people["editor"],
    )
    body = problem(r, 422)
    assert "xx-nowhere" in body["detail"] and "language" in body["detail"]
    assert _count(db) == 0


def test_bad_webvtt_is_422_naming_the_line(
    client: TestClient, people: People, db: Database
) -> None:
    vtt = "WEBVTT\n\n00:00.000 --> 00:01.000\nBonjour\n\n00:02.000 -> 00:03.000\nAu revoir\n"
    r = client.post(
        "/v1/orgs/mill/stories",
        json=story_body(None, versions={"fr": {"transcript_vtt": vtt}}),
        headers=people["editor"],
    )
    body = problem(r, 422)
    assert body["errors"][0]["field"] == "versions.fr.transcript_vtt"
    assert "line 6" in body["detail"]
    assert _count(db) == 0


def test_vtt_parser_accepts_real_files_and_refuses_broken_ones() -> None:
    assert vtt_problem(VTT) is None
    assert (
        vtt_problem(
            "\ufeffWEBVTT - titre\r\n\r\nNOTE relu\r\n\r\nc1\r\n01:00:00.000 --> "
            "01:00:02.500 align:start\r\nTexte\r\n"
        )
        is None
    )
    assert vtt_problem("WEBVTT\n") is None
    assert "line 1" in (vtt_problem("1\n00:00:00,000 --> 00:00:01,000\nSRT\n") or "")
    assert "ends before" in (vtt_problem("WEBVTT\n\n00:02.000 --> 00:01.000\nx\n") or "")
    assert "line 4" in (vtt_problem("WEBVTT\n\nid\n00:61.000 --> 00:62.000\nx\n") or "")


def test_unknown_fields_are_refused(client: TestClient, people: People, db: Database) -> None:
    body = problem(
        client.post(
            "/v1/orgs/mill/stories",
            json=story_body(None, status="approved", versions={"fr": {"text": "x"}}),
            headers=people["editor"],
        ),
        422,
    )
    assert body["errors"][0]["field"] == "body.status"
    assert _count(db) == 0


def test_patch_needs_if_match_and_changes_the_etag(
    client: TestClient, people: People, db: Database
) -> None:
    created = client.post(
        "/v1/orgs/mill/stories",
        json=story_body(None, versions={"fr": {"text": "Un"}}),
        headers=people["editor"],
    ).json()
    url = f"/v1/orgs/mill/stories/{created['id']}"
    change = {"versions": {"fr": {"text": "Un"}, "en": {"text": "One"}}}
    problem(client.patch(url, json=change, headers=people["editor"]), 428)
    ok = client.patch(url, json=change, headers={**people["editor"], "If-Match": created["etag"]})
    assert ok.status_code == 200, ok.text
    assert [v["language"] for v in ok.json()["versions"]] == ["en", "fr"]
    assert ok.json()["etag"] != created["etag"]
    stale = client.patch(
        url, json={"title": "Autre"}, headers={**people["editor"], "If-Match": created["etag"]}
    )
    problem(stale, 412)
    sneaky = client.patch(
        url,
        json={"status": "approved", "organisation_id": 2},
        headers={**people["editor"], "If-Match": ok.json()["etag"]},
    )
    assert {e["field"] for e in problem(sneaky, 422)["errors"]} == {
        "body.status",
        "body.organisation_id",
    }
    assert client.get(url, headers=people["editor"]).json()["title"] == "La grève de 1960"


def test_delete_refused_while_a_stop_uses_it(
    client: TestClient, people: People, db: Database
) -> None:
    story = client.post(
        "/v1/orgs/mill/stories",
        json=story_body(None, versions={"fr": {"text": "Un"}}),
        headers=people["editor"],
    ).json()
    editor = people["editor"]
    trail, stop = trail_with_stop(client, editor, slug="moulin", key="roue", story_id=story["id"])
    url = f"/v1/orgs/mill/stories/{story['id']}"
    problem(client.delete(url, headers=people["editor"]), 428)
    body = problem(client.delete(url, headers={**people["editor"], "If-Match": story["etag"]}), 409)
    assert "moulin/roue" in body["detail"]
    client.patch(
        f"/v1/orgs/mill/trails/{trail['id']}/stops/{stop['id']}",
        json={"story_id": None},
        headers={**people["editor"], "If-Match": stop["etag"]},
    ).raise_for_status()
    gone = client.delete(url, headers={**people["editor"], "If-Match": story["etag"]})
    assert gone.status_code == 204
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(StoryVersion)) == 0
    problem(client.get(url, headers=people["editor"]), 404)
