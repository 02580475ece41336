"""Contributions, consents and invitation links."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from media.blobs.memory import MemoryBlobStore
from server.db.models import Asset, AssetStatus, ConsentRecord, Invitation, Story, StoryStatus
from server.db.session import Database
from server.licences import LICENCES
from tests.api.test_stories import VTT, upload_audio
from tests.support.audio import ffmpeg_make
from tests.support.images import has_metadata, pixels, portrait
from tests.support.people import People
from tests.support.problems import problem

CONSENT = {"person": "Marie Dupont", "publication": True, "archive": True, "given_on": "2026-05-14"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = portrait("PNG", seed="Jeanne")


def _counts(db: Database) -> tuple[int, int, int]:
    with db.transaction() as session:
        return (
            int(session.scalar(select(func.count()).select_from(Story)) or 0),
            int(session.scalar(select(func.count()).select_from(ConsentRecord)) or 0),
            int(session.scalar(select(func.count()).select_from(Asset)) or 0),
        )


def _contribution(asset_id: int | None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Mon père au laminoir",
        "versions": {"fr": {"audio_asset_id": asset_id, "transcript_vtt": VTT}},
        "consent": CONSENT,
    }
    body.update(extra)
    return body


def test_contributor_submits_sees_only_their_own_and_editor_reviews(
    client: TestClient, people: People, tmp_path: Path
) -> None:
    mine = upload_audio(client, people["contributor"], tmp_path)
    r = client.post(
        "/v1/orgs/mill/contributions", json=_contribution(mine["id"]), headers=people["contributor"]
    )
    assert r.status_code == 201, r.text
    contribution = r.json()
    assert contribution["status"] == "submitted" and contribution["publishable"] is False
    assert contribution["consents"][0]["person"] == "Marie Dupont"
    # An editor's own contribution is invisible to the contributor.
    other = client.post(
        "/v1/orgs/mill/contributions",
        json=_contribution(None, versions={"fr": {"text": "Souvenir"}}),
        headers=people["editor"],
    ).json()
    own = client.get("/v1/orgs/mill/contributions", headers=people["contributor"]).json()
    assert [c["id"] for c in own["items"]] == [contribution["id"]]
    problem(
        client.get(f"/v1/orgs/mill/contributions/{other['id']}", headers=people["contributor"]),
        404,
    )
    everyone = client.get("/v1/orgs/mill/contributions", headers=people["editor"]).json()
    assert {c["id"] for c in everyone["items"]} == {contribution["id"], other["id"]}
    problem(
        client.get(f"/v1/orgs/festival/contributions/{other['id']}", headers=people["stranger"]),
        404,
    )

    # Not approved yet: it cannot be placed in a trail.
    trail = client.post(
        "/v1/orgs/mill/trails",
        json={"slug": "moulin", "title": {"fr": "Moulin"}, "languages": ["fr"]},
        headers=people["editor"],
    ).json()
    stop = {
        "key": "laminoir",
        "title": {"fr": "Laminoir"},
        "zone": {"type": "circle", "center": [4.39, 50.40], "radius_m": 20},
        "story_id": contribution["id"],
    }
    stops_url = f"/v1/orgs/mill/trails/{trail['id']}/stops"
    problem(client.post(stops_url, json=stop, headers=people["editor"]), 422)

    url = f"/v1/orgs/mill/contributions/{contribution['id']}"
    problem(client.post(f"{url}/approve", headers=people["contributor"]), 403)
    problem(client.post(f"{url}/reject", json={"reason": "x"}, headers=people["editor"]), 428)
    etag = {"If-Match": contribution["etag"]}
    body = problem(client.post(f"{url}/reject", json={}, headers={**people["editor"], **etag}), 422)
    assert body["errors"][0]["field"] == "body.reason"
    rejected = client.post(
        f"{url}/reject",
        json={"reason": "Le son sature; pouvez-vous réenregistrer ?"},
        headers={**people["editor"], **etag},
    )
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "rejected"
    seen = client.get(url, headers=people["contributor"]).json()
    assert seen["review_reason"].startswith("Le son sature")
    problem(client.post(f"{url}/approve", headers={**people["editor"], **etag}), 412)
    approved = client.post(
        f"{url}/approve", headers={**people["editor"], "If-Match": rejected.json()["etag"]}
    )
    assert approved.json()["status"] == "approved" and approved.json()["publishable"] is True
    assert client.post(stops_url, json=stop, headers=people["editor"]).status_code == 201
    # Placed in a trail, it can no longer be rejected without taking it out first.
    problem(
        client.post(
            f"{url}/reject",
            json={"reason": "Finalement non"},
            headers={**people["editor"], "If-Match": approved.json()["etag"]},
        ),
        409,
    )


def test_without_consent_to_publication_an_approved_contribution_is_not_publishable(
    client: TestClient, people: People
) -> None:
    archive_only = {**CONSENT, "publication": False}
    r = client.post(
        "/v1/orgs/mill/contributions",
        json=_contribution(None, versions={"fr": {"text": "x"}}, consent=archive_only),
        headers=people["contributor"],
    )
    assert r.status_code == 201, r.text
    approved = client.post(
        f"/v1/orgs/mill/contributions/{r.json()['id']}/approve",
        json={"note": "Merci"},
        headers={**people["editor"], "If-Match": r.json()["etag"]},
    ).json()
    assert approved["status"] == "approved" and approved["review_reason"] == "Merci"
    assert approved["publishable"] is False


def test_contribution_with_someone_elses_asset_or_bad_consent_writes_nothing(
    client: TestClient, people: People, db: Database, tmp_path: Path
) -> None:
    editors = upload_audio(client, people["editor"], tmp_path)
    before = _counts(db)
    r = client.post(
        "/v1/orgs/mill/contributions",
        json=_contribution(editors["id"]),
        headers=people["contributor"],
    )
    assert problem(r, 422)["errors"][0]["field"] == "versions.fr.audio_asset_id"
    future = {**CONSENT, "given_on": (datetime.now(UTC) + timedelta(days=9)).date().isoformat()}
    r = client.post(
        "/v1/orgs/mill/contributions",
        json=_contribution(None, versions={"fr": {"text": "x"}}, consent=future),
        headers=people["contributor"],
    )
    assert problem(r, 422)["errors"][0]["field"] == "body.consent.given_on"
    r = client.post(
        "/v1/orgs/mill/contributions",
        json=_contribution(None, versions={"fr": {"text": "x"}}, consent={**CONSENT, "x": 1}),
        headers=people["contributor"],
    )
    problem(r, 422)
    r = client.post(
        "/v1/orgs/mill/contributions",
        json=_contribution(
            None, versions={"fr": {"text": "x"}}, consent={**CONSENT, "form_sha256": "ab" * 32}
        ),
        headers=people["contributor"],
    )
    assert problem(r, 422)["errors"][0]["field"] == "form_sha256"
    assert _counts(db) == before


def test_consent_forms_and_records(
    client: TestClient, people: People, blobs: MemoryBlobStore
) -> None:
    problem(
        client.post(
            "/v1/orgs/mill/consent-forms",
            files={"file": ("form.txt", b"I agree", "text/plain")},
            headers=people["editor"],
        ),
        415,
    )
    stored = blobs.keys()
    assert not [k for k in stored if k.startswith("consent-forms/")]
    form = client.post(
        "/v1/orgs/mill/consent-forms",
        files={"file": ("form.pdf", PDF, "application/pdf")},
        headers=people["contributor"],
    )
    assert form.status_code == 201, form.text
    assert form.json()["mime_type"] == "application/pdf"
    story = client.post(
        "/v1/orgs/mill/stories",
        json={"title": "Le canal", "versions": {"fr": {"text": "x"}}},
        headers=people["editor"],
    ).json()
    url = f"/v1/orgs/mill/stories/{story['id']}/consents"
    archive_only = {**CONSENT, "publication": False, "form_sha256": form.json()["sha256"]}
    r = client.post(url, json=archive_only, headers=people["editor"])
    assert r.status_code == 201, r.text
    assert r.json()["form_sha256"] == form.json()["sha256"]
    fetched = client.get(f"/v1/orgs/mill/stories/{story['id']}", headers=people["editor"]).json()
    assert fetched["publishable"] is False  # a consent exists, but not to publication
    client.post(url, json=CONSENT, headers=people["editor"]).raise_for_status()
    listed = client.get(url, headers=people["editor"]).json()
    assert [c["publication"] for c in listed["items"]] == [False, True]
    fetched = client.get(f"/v1/orgs/mill/stories/{story['id']}", headers=people["editor"]).json()
    assert fetched["publishable"] is True
    problem(client.post(url, json=CONSENT, headers=people["contributor"]), 403)
    problem(client.get(url.replace("mill", "festival"), headers=people["stranger"]), 404)


def _invite(client: TestClient, people: People, **body: Any) -> dict[str, Any]:
    r = client.post("/v1/orgs/mill/invitations", json=body, headers=people["editor"])
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


def _submit(client: TestClient, code: str, audio: Path, data: dict[str, Any], **files: Any) -> Any:
    with audio.open("rb") as fh:
        return client.post(
            f"/v1/invitations/{code}/contributions",
            data={"data": json.dumps(data)},
            files={"audio": (audio.name, fh, "audio/wav"), **files},
        )


RESIDENT = {
    "title": "Les cloches du dimanche",
    "language": "fr",
    "contributor_name": "Jeanne",
    "credit": "full-name",
    "licence": "cc-by-4.0",
    "consent": {**CONSENT, "person": "Jeanne"},
}


def test_invitation_link_lets_a_resident_submit_once(
    client: TestClient, people: People, db: Database, tmp_path: Path
) -> None:
    invitation = _invite(client, people, label="Atelier mémoire")
    code = invitation["code"]
    assert invitation["state"] == "active" and invitation["max_uses"] == 1
    with db.transaction() as session:
        assert session.scalar(select(Invitation.token_hash)) != code
    info = client.get(f"/v1/invitations/{code}").json()
    assert info == {
        "organisation": "Mill",
        "label": "Atelier mémoire",
        "topic": "",
        "trail_title": None,
        "stop_title": None,
        "languages": ["fr", "nl", "en", "de"],
        "licences": [{"id": i, "name": name} for i, name in LICENCES.items()],
        "expires_at": info["expires_at"],
        "uses_left": 1,
        "limits": info["limits"],
    }
    audio = ffmpeg_make(tmp_path / "cloches.wav", "-f", "lavfi", "-i", "sine=f=660:r=22050:d=1")
    r = _submit(
        client,
        code,
        audio,
        RESIDENT,
        transcript=("t.vtt", VTT.encode(), "text/vtt"),
        consent_form=("form.pdf", PDF, "application/pdf"),
        photo=("portrait.png", PNG, "image/png"),
    )
    assert r.status_code == 201, r.text
    receipt = r.json()
    photo = client.get(
        f"/v1/orgs/mill/stories/{receipt['contribution_id']}/photo", headers=people["editor"]
    )
    # The same picture, without the EXIF, GPS position and text the phone wrote.
    assert photo.headers["content-type"] == "image/png"
    assert pixels(photo.content) == pixels(PNG) and not has_metadata(photo.content)
    with db.transaction() as session:
        story = session.get_one(Story, receipt["contribution_id"])
        assert story.status == StoryStatus.submitted and story.contributor_name == "Jeanne"
        (version,) = story.versions
        assert version.transcript_vtt == VTT
        assert version.audio is not None and version.audio.status == AssetStatus.ready
        consent = session.get_one(ConsentRecord, receipt["consent_id"])
        assert consent.form_sha256 is not None and consent.person == "Jeanne"
    listed = client.get("/v1/orgs/mill/contributions", headers=people["editor"]).json()
    assert [c["id"] for c in listed["items"]] == [receipt["contribution_id"]]
    # Used up: the link answers 410 and a second submission stores nothing.
    before = _counts(db)
    problem(client.get(f"/v1/invitations/{code}"), 410)
    problem(_submit(client, code, audio, RESIDENT), 410)
    assert _counts(db) == before
    problem(client.get("/v1/invitations/inv_nonsense"), 404)


def test_expired_or_revoked_invitation_is_410_and_stores_nothing(
    client: TestClient, people: People, db: Database, blobs: MemoryBlobStore, tmp_path: Path
) -> None:
    expired = _invite(client, people, label="ancien", max_uses=5)
    revoked = _invite(client, people, label="retiré", expires_in_s=3600)
    with db.transaction() as session:
        session.execute(
            update(Invitation)
            .where(Invitation.id == expired["id"])
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    r = client.post(f"/v1/orgs/mill/invitations/{revoked['id']}/revoke", headers=people["editor"])
    assert r.json()["state"] == "revoked"
    states = client.get("/v1/orgs/mill/invitations", headers=people["editor"]).json()
    assert {i["label"]: i["state"] for i in states["items"]} == {
        "ancien": "expired",
        "retiré": "revoked",
    }
    assert "code" not in states["items"][0]
    audio = ffmpeg_make(tmp_path / "a.wav", "-f", "lavfi", "-i", "sine=f=550:r=22050:d=1")
    keys, before = blobs.keys(), _counts(db)
    body = problem(_submit(client, expired["code"], audio, RESIDENT), 410)
    assert "expired" in body["detail"]
    assert "expired" in problem(client.get(f"/v1/invitations/{expired['code']}"), 410)["detail"]
    problem(_submit(client, revoked["code"], audio, RESIDENT), 410)
    assert blobs.keys() == keys and _counts(db) == before
    problem(
        client.post(
            f"/v1/orgs/festival/invitations/{revoked['id']}/revoke", headers=people["stranger"]
        ),
        404,
    )


def test_resident_bad_input_is_refused_and_stores_nothing(
    client: TestClient, people: People, db: Database, blobs: MemoryBlobStore, tmp_path: Path
) -> None:
    code = _invite(client, people, max_uses=3)["code"]
    audio = ffmpeg_make(tmp_path / "b.wav", "-f", "lavfi", "-i", "sine=f=770:r=22050:d=1")
    keys, before = blobs.keys(), _counts(db)
    body = problem(_submit(client, code, audio, {**RESIDENT, "status": "approved"}), 422)
    assert body["errors"][0]["field"] == "data.status"
    body = problem(_submit(client, code, audio, {**RESIDENT, "language": "zz-qq"}), 422)
    assert body["errors"][0]["field"] == "data.language"
    body = problem(
        _submit(client, code, audio, RESIDENT, transcript=("t.vtt", b"not vtt", "text/vtt")), 422
    )
    assert body["errors"][0]["field"] == "transcript" and "line 1" in body["detail"]
    problem(
        _submit(client, code, audio, RESIDENT, consent_form=("f.txt", b"signed", "text/plain")),
        415,
    )
    problem(_submit(client, code, audio, RESIDENT, photo=("p.gif", b"GIF89a...", "image/gif")), 415)
    text = tmp_path / "not-audio.wav"
    text.write_bytes(b"hello, this is not a recording" * 10)
    problem(_submit(client, code, text, RESIDENT), 415)
    assert blobs.keys() == keys and _counts(db) == before
    info = client.get(f"/v1/invitations/{code}").json()
    assert info["uses_left"] == 3
