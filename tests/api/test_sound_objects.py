"""Sound objects of a draft through the editors' API: the source format's limits, each bad
input leaving nothing changed, and a stop's narration position."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.audio import ffmpeg_make, tone
from tests.support.people import People
from tests.support.problems import problem

TRAILS = "/v1/orgs/mill/trails"
ZONE = {"type": "circle", "center": [4.3958, 50.4043], "radius_m": 25}


@pytest.fixture
def draft(client: TestClient, people: People, tmp_path: Path) -> dict[str, Any]:
    """A draft trail with one stop, and an audio asset of the organisation."""
    wav = ffmpeg_make(tmp_path / "wheel.wav", *tone(0.5, rate=16000), "-ac", "1").read_bytes()
    asset = client.post(
        "/v1/orgs/mill/assets",
        files={"file": ("wheel.wav", wav, "audio/wav")},
        headers=people["editor"],
    )
    assert asset.status_code == 201, asset.text
    trail = client.post(
        TRAILS,
        json={"slug": "moulin", "title": {"fr": "Moulin"}, "languages": ["fr"]},
        headers=people["editor"],
    ).json()
    stop = client.post(
        f"{TRAILS}/{trail['id']}/stops",
        json={"key": "bief", "title": {"fr": "Le bief"}, "zone": ZONE},
        headers=people["editor"],
    ).json()
    return {
        "objects": f"{TRAILS}/{trail['id']}/objects",
        "stops": f"{TRAILS}/{trail['id']}/stops",
        "stop": stop,
        "asset_id": asset.json()["id"],
    }


def _wheel(audio: int, **changes: Any) -> dict[str, Any]:
    return {
        "key": "roue",
        "title": {"fr": "La roue"},
        "asset_id": audio,
        "position": [4.3959, 50.4042],
        "radius_m": 40,
        "ref_distance_m": 4,
        **changes,
    }


def test_create_list_change_and_delete_an_object(
    client: TestClient, people: People, draft: dict[str, Any]
) -> None:
    editor = people["editor"]
    body = _wheel(draft["asset_id"], facing={"tolerance_deg": 60})
    created = client.post(draft["objects"], json=body, headers=editor)
    assert created.status_code == 201, created.text
    wheel = created.json()
    assert created.headers["ETag"] == wheel["etag"]
    assert (wheel["rolloff"], wheel["loop"], wheel["gain_db"]) == ("inverse", True, 0.0)
    assert wheel["facing"] == {"tolerance_deg": 60.0} and wheel["approach"] is None
    listed = client.get(draft["objects"], headers=people["contributor"]).json()
    assert [o["key"] for o in listed["items"]] == ["roue"] and listed["total"] == 1

    url = f"{draft['objects']}/{wheel['id']}"
    changed = client.patch(
        url, json={"radius_m": 80, "facing": None}, headers={**editor, "If-Match": wheel["etag"]}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["radius_m"] == 80 and changed.json()["facing"] is None
    stale = client.patch(url, json={"gain_db": -6}, headers={**editor, "If-Match": wheel["etag"]})
    assert stale.status_code == 412
    assert client.get(url, headers=editor).json()["gain_db"] == 0.0

    gone = client.delete(url, headers={**editor, "If-Match": changed.json()["etag"]})
    assert gone.status_code == 204
    assert client.get(url, headers=editor).status_code == 404


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"asset_id": 999999}, "asset_id", "no such audio"),
        ({"radius_m": 0}, "body.radius_m", "greater than 0"),
        ({"radius_m": 5001}, "body.radius_m", "less than or equal to 5000"),
        ({"ref_distance_m": 50}, "body", "must not exceed radius_m"),
        ({"rolloff": "cubic"}, "body.rolloff", "'inverse' or 'linear'"),
        ({"facing": {"tolerance_deg": 181}}, "body.facing.tolerance_deg", "180"),
        ({"approach": {"bearing_deg": 10, "tolerance_deg": -1}}, "body.approach", "0"),
    ],
)
def test_a_bad_object_is_refused_naming_its_field_and_adds_nothing(
    client: TestClient,
    people: People,
    draft: dict[str, Any],
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    body = problem(
        client.post(
            draft["objects"], json=_wheel(draft["asset_id"], **changes), headers=people["editor"]
        ),
        422,
    )
    assert any(e["field"].startswith(field) and message in e["message"] for e in body["errors"])
    assert client.get(draft["objects"], headers=people["editor"]).json()["total"] == 0


def test_a_change_is_checked_on_the_object_as_changed(
    client: TestClient, people: People, draft: dict[str, Any]
) -> None:
    editor = people["editor"]
    wheel = client.post(draft["objects"], json=_wheel(draft["asset_id"]), headers=editor).json()
    url = f"{draft['objects']}/{wheel['id']}"
    # The reference distance alone is fine; with the radius as stored it is not.
    body = problem(
        client.patch(url, json={"radius_m": 3}, headers={**editor, "If-Match": wheel["etag"]}),
        422,
    )
    assert "ref_distance_m (4) must not exceed radius_m (3)" in body["errors"][0]["message"]
    assert client.get(url, headers=editor).json() == wheel


def test_a_key_is_shared_with_the_stops(
    client: TestClient, people: People, draft: dict[str, Any]
) -> None:
    taken = client.post(
        draft["objects"], json=_wheel(draft["asset_id"], key="bief"), headers=people["editor"]
    )
    assert problem(taken, 409)["detail"].endswith("'bief'")


def test_a_contributor_reads_but_does_not_write(
    client: TestClient, people: People, draft: dict[str, Any]
) -> None:
    refused = client.post(
        draft["objects"], json=_wheel(draft["asset_id"]), headers=people["contributor"]
    )
    assert refused.status_code == 403
    assert client.get(draft["objects"], headers=people["contributor"]).json()["total"] == 0


def test_a_stops_narration_position_is_set_and_removed(
    client: TestClient, people: People, draft: dict[str, Any]
) -> None:
    editor = people["editor"]
    stop = draft["stop"]
    assert stop["narration_position"] is None
    url = f"{draft['stops']}/{stop['id']}"
    placed = client.patch(
        url,
        json={"narration_position": [4.396, 50.4044]},
        headers={**editor, "If-Match": stop["etag"]},
    ).json()
    assert placed["narration_position"] == [4.396, 50.4044] and placed["position"] == 0
    bad = client.patch(
        url,
        json={"narration_position": [4.396, 95]},
        headers={**editor, "If-Match": placed["etag"]},
    )
    assert problem(bad, 422)["errors"][0]["field"].startswith("body.narration_position")
    cleared = client.patch(
        url, json={"narration_position": None}, headers={**editor, "If-Match": placed["etag"]}
    ).json()
    assert cleared["narration_position"] is None


def test_a_duplicate_keeps_the_objects_and_the_story_positions(
    client: TestClient, people: People, draft: dict[str, Any]
) -> None:
    editor = people["editor"]
    client.post(draft["objects"], json=_wheel(draft["asset_id"], gain_db=-4), headers=editor)
    stop = draft["stop"]
    client.patch(
        f"{draft['stops']}/{stop['id']}",
        json={"narration_position": [4.396, 50.4044]},
        headers={**editor, "If-Match": stop["etag"]},
    )
    trail_url = draft["objects"].removesuffix("/objects")
    twin = client.post(f"{trail_url}/duplicate", json={"slug": "moulin-bis"}, headers=editor)
    assert twin.status_code == 201, twin.text
    twin_url = f"{TRAILS}/{twin.json()['id']}"
    (obj,) = client.get(f"{twin_url}/objects", headers=editor).json()["items"]
    assert (obj["key"], obj["gain_db"], obj["asset_id"]) == ("roue", -4.0, draft["asset_id"])
    (twin_stop,) = client.get(f"{twin_url}/stops", headers=editor).json()["items"]
    assert twin_stop["narration_position"] == [4.396, 50.4044]


def test_a_reference_distance_refusal_speaks_the_language_asked_for(
    client: TestClient, people: People, draft: dict[str, Any]
) -> None:
    body = _wheel(draft["asset_id"], ref_distance_m=50.5)
    answers = {
        language: problem(
            client.post(
                draft["objects"],
                json=body,
                headers={**people["editor"], "Accept-Language": language},
            ),
            422,
        )
        for language in ("en", "de")
    }
    english, german = answers["en"], answers["de"]
    # Only the words change: the problem's type and the field it names stay as they are.
    assert german["type"] == english["type"] and german["title"] == english["title"]
    assert [e["field"] for e in german["errors"]] == [e["field"] for e in english["errors"]]
    assert english["errors"][0]["message"] == (
        "ref_distance_m (50.5) must not exceed radius_m (40)"
    )
    assert german["errors"][0]["message"] == (
        "ref_distance_m (50,5) darf radius_m (40) nicht überschreiten"
    )
    assert "ref_distance_m (50,5) darf radius_m (40) nicht überschreiten" in german["detail"]
    assert client.get(draft["objects"], headers=people["editor"]).json()["total"] == 0
