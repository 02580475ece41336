"""One real object of every kind in the test organisation, for tests that call every route."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.support.audio import ffmpeg_make, tone
from tests.support.people import People


def one_of_everything(
    client: TestClient, people: People, tmp: Path, *, uploader: str = "contributor"
) -> dict[str, Any]:
    """One of everything in organisation 'mill', made through the API.

    The audio is uploaded by the contributor; the unfinished resumable upload belongs to
    ``uploader`` (only its owner can reach it).
    """
    editor, contributor = people["editor"], people["contributor"]
    base = "/v1/orgs/mill"
    wav = ffmpeg_make(tmp / "voice.wav", *tone(0.5, rate=16000), "-ac", "1").read_bytes()

    def made(response: Any) -> Any:
        assert response.status_code == 201, response.text
        return response

    asset_id = made(
        client.post(
            f"{base}/assets", files={"file": ("v.wav", wav, "audio/wav")}, headers=contributor
        )
    ).json()["id"]
    trail = made(
        client.post(
            f"{base}/trails",
            json={"slug": "moulin", "title": {"fr": "Moulin"}, "languages": ["fr"]},
            headers=editor,
        )
    ).json()
    story = made(
        client.post(
            f"{base}/stories",
            json={"title": "Le bief", "versions": {"fr": {"audio_asset_id": asset_id}}},
            headers=editor,
        )
    ).json()
    stop = made(
        client.post(
            f"{base}/trails/{trail['id']}/stops",
            json={
                "key": "bief",
                "title": {"fr": "Le bief"},
                "zone": {"type": "circle", "center": [4.3958, 50.4043], "radius_m": 25},
                "story_id": story["id"],
            },
            headers=editor,
        )
    ).json()
    sound_object = made(
        client.post(
            f"{base}/trails/{trail['id']}/objects",
            json={
                "key": "roue",
                "asset_id": asset_id,
                "position": [4.3959, 50.4042],
                "radius_m": 40,
            },
            headers=editor,
        )
    ).json()
    layer = made(
        client.post(
            f"{base}/trails/{trail['id']}/ambience",
            json={"key": "riviere", "asset_id": asset_id, "zone": {"type": "trail"}},
            headers=editor,
        )
    ).json()
    consent = made(
        client.post(
            f"{base}/stories/{story['id']}/consents",
            json={"person": "Jean", "publication": True, "archive": True, "given_on": "2026-05-01"},
            headers=editor,
        )
    ).json()
    contribution = made(
        client.post(
            f"{base}/contributions",
            json={
                "title": "La grève",
                "versions": {"fr": {"audio_asset_id": asset_id}},
                "consent": {
                    "person": "Marie",
                    "publication": True,
                    "archive": True,
                    "given_on": "2026-05-02",
                },
            },
            headers=contributor,
        )
    ).json()
    invitation = made(
        client.post(f"{base}/invitations", json={"label": "atelier"}, headers=editor)
    ).json()
    joining = client.post(
        f"{base}/members",
        json={"email": "newcomer@example.org", "role": "contributor"},
        headers=people["owner"],
    )
    assert joining.status_code == 202, joining.text
    release = made(
        client.post(f"{base}/trails/{trail['id']}/releases", json={}, headers=editor)
    ).json()
    walk = [{"t": t, "lat": 50.4043, "lon": 4.3958, "accuracy_m": 5} for t in (0, 2)]
    render = client.post(
        f"{base}/trails/{trail['id']}/renders", json={"fixes": walk}, headers=editor
    )
    assert render.status_code == 202, render.text
    meta = "filename " + base64.b64encode(b"big.wav").decode()
    upload = made(
        client.post(
            f"{base}/uploads",
            headers={
                **people[uploader],
                "Tus-Resumable": "1.0.0",
                "Upload-Length": "100",
                "Upload-Metadata": meta,
            },
        )
    )
    redirect = client.get("/v1/trails/moulin/bundle", follow_redirects=False)
    assert redirect.status_code == 307, redirect.text
    manifest = client.get("/v1/trails/moulin/manifest").json()
    return {
        "org": "mill",
        "slug": "moulin",
        "trail_id": trail["id"],
        "stop_id": stop["id"],
        "object_id": sound_object["id"],
        "layer_id": layer["id"],
        "render_id": render.json()["id"],
        "asset_id": asset_id,
        "story_id": contribution["id"],
        "consent_id": consent["id"],
        "invitation_id": invitation["id"],
        "code": invitation["code"],
        "member_invitation_id": joining.json()["id"],
        "member_code": joining.json()["code"],
        "number": release["number"],
        "upload_id": upload.headers["location"].rsplit("/", 1)[1],
        "user_id": people.ids["editor"],
        "name": manifest["media"][0]["path"].rsplit("/", 1)[1],
        "bundle": redirect.headers["location"].rsplit("/", 1)[1],
    }
