"""Co-construction in the browser (issue 18): what a link is for, a resident's choices, and
withdrawal by the resident's own code, no account."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import func, select, update

from media.blobs.memory import MemoryBlobStore
from server.auth.tokens import token_hash
from server.db.models import (
    Asset,
    ConsentRecord,
    Invitation,
    Release,
    ReleaseMedia,
    Story,
    Trail,
    Upload,
)
from server.db.session import Database
from server.i18n import format_day
from server.publishing import publish
from server.settings import Settings
from server.sharing.resident_sheets import sheet_words
from tests.sharing.helpers import decode_qr, first_page_png, pdf_text
from tests.support import tus
from tests.support.audio import ffmpeg_make
from tests.support.drafts import add_stop, new_trail, trail_with_stop
from tests.support.people import People
from tests.support.problems import problem
from trails.i18n import INTERFACE_LANGUAGES

# Small enough that a five-second tone is over it, large enough for a one-second one.
LIMIT = 120_000


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path, inprocess_worker=False, sign_in_attempts=5, max_upload_bytes=LIMIT
    )


RESIDENT: dict[str, Any] = {
    "title": "Les cloches du dimanche",
    "language": "fr",
    "contributor_name": "Marie Claire Dupont",
    "credit": "initials",
    "licence": "cc-by-4.0",
    "text": "On les entendait jusqu'au terril.",
    "consent": {"publication": True, "archive": True},
}


def _invite(client: TestClient, people: People, **body: Any) -> dict[str, Any]:
    r = client.post("/v1/orgs/mill/invitations", json=body, headers=people["editor"])
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


def _tone(folder: Path, freq: int = 660, seconds: int = 1) -> Path:
    return ffmpeg_make(
        folder / f"tone-{freq}-{seconds}.wav",
        "-f",
        "lavfi",
        "-i",
        f"sine=f={freq}:r=22050:d={seconds}",
    )


def _submit(
    client: TestClient, code: str, data: dict[str, Any], audio: Path | bytes | None, **files: Any
) -> Any:
    parts = dict(files)
    if isinstance(audio, Path):
        parts["recording"] = (audio.name, audio.read_bytes(), "audio/wav")
    elif isinstance(audio, bytes):
        parts["recording"] = ("rec.wav", audio, "audio/wav")
    return client.post(
        f"/v1/invitations/{code}/contributions",
        data={"data": json.dumps(data)},
        files=parts or None,
    )


def _stored(db: Database) -> tuple[int, int, int]:
    with db.transaction() as session:
        return (
            int(session.scalar(select(func.count()).select_from(Story)) or 0),
            int(session.scalar(select(func.count()).select_from(ConsentRecord)) or 0),
            int(session.scalar(select(func.count()).select_from(Asset)) or 0),
        )


# --- 1. what a link is for --------------------------------------------------------------------


def test_an_invitation_names_its_trail_stop_topic_languages_and_licences(
    client: TestClient, people: People, db: Database, tmp_path: Path
) -> None:
    trail, stop = trail_with_stop(
        client, people["editor"], "terrils", "sommet", title="Le sommet", trail_title="Terrils"
    )
    made = _invite(
        client,
        people,
        label="Atelier",
        max_uses=3,
        trail_id=trail["id"],
        stop_id=stop["id"],
        topic="Le charbon",
        languages=["nl", "fr", "nl"],
        licences=["archive-only", "cc-by-sa-4.0"],
    )
    code = made["code"]
    assert made["page_url"] == f"http://testserver/contribute/{code}"
    assert made["path"] == f"/v1/invitations/{code}/contributions"
    assert (made["trail_title"], made["stop_title"], made["topic"]) == (
        "Terrils",
        "Le sommet",
        "Le charbon",
    )
    assert made["languages"] == ["nl", "fr"]
    assert made["licences"] == ["archive-only", "cc-by-sa-4.0"]
    assert made["contributions"] == 0
    # Defaults: every language and licence the server offers.
    plain = _invite(client, people)
    assert plain["languages"] == ["fr", "nl", "en", "de"]
    assert plain["licences"] == ["cc-by-4.0", "cc-by-sa-4.0", "cc-by-nc-4.0", "archive-only"]
    assert plain["trail_id"] is None and plain["trail_title"] is None

    info = client.get(f"/v1/invitations/{code}").json()
    assert info["organisation"] == "Mill" and info["topic"] == "Le charbon"
    assert (info["trail_title"], info["stop_title"]) == ("Terrils", "Le sommet")
    assert info["languages"] == ["nl", "fr"]
    assert info["licences"] == [
        {"id": "archive-only", "name": "kept and used by the organisation only"},
        {"id": "cc-by-sa-4.0", "name": "Creative Commons Attribution-ShareAlike 4.0"},
    ]
    assert info["uses_left"] == 3
    limits = info["limits"]
    assert limits["recording_max_bytes"] == LIMIT
    assert "audio/wav" in limits["recording_types"] and "audio/mpeg" in limits["recording_types"]
    assert "image/jpeg" in limits["photo_types"] and limits["photo_max_bytes"] > 0
    assert (limits["title_max"], limits["text_max"]) == (300, 2000)

    # The link counts what it brought; the list says so.
    data = {**RESIDENT, "licence": "cc-by-sa-4.0"}
    assert _submit(client, code, data, _tone(tmp_path)).status_code == 201
    listed = client.get("/v1/orgs/mill/invitations", headers=people["editor"]).json()["items"]
    mine = next(i for i in listed if i["id"] == made["id"])
    assert mine["contributions"] == 1 and mine["stop_title"] == "Le sommet"


def test_an_invitation_for_a_trail_or_stop_it_cannot_name_is_refused(
    client: TestClient, people: People, db: Database
) -> None:
    trail, stop = trail_with_stop(client, people["editor"], "canal", "ecluse")
    other = new_trail(client, people["editor"], "autre")
    theirs = new_trail(client, people["stranger"], "leur", org="festival")
    url = "/v1/orgs/mill/invitations"

    def refused(body: dict[str, Any], field: str) -> None:
        answer = problem(client.post(url, json=body, headers=people["editor"]), 422)
        assert field in [e["field"] for e in answer["errors"]], answer

    refused({"stop_id": stop["id"]}, "stop_id")
    refused({"trail_id": theirs["id"]}, "trail_id")
    refused({"trail_id": other["id"], "stop_id": stop["id"]}, "stop_id")
    refused({"trail_id": 99999}, "trail_id")
    refused({"languages": ["es"]}, "body.languages.0")
    refused({"languages": []}, "body.languages")
    refused({"licences": ["cc0"]}, "body.licences.0")
    refused({"topic": "x" * 201}, "body.topic")
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Invitation)) == 0
    add_stop(client, people["editor"], other["id"], "quai")
    assert client.post(url, json={"trail_id": trail["id"]}, headers=people["editor"]).is_success


# --- 3. a link that no longer works says why ---------------------------------------------------


def test_a_link_that_no_longer_works_says_why_and_stores_nothing(
    client: TestClient, people: People, db: Database, blobs: MemoryBlobStore, tmp_path: Path
) -> None:
    expired, revoked, used = (_invite(client, people) for _ in range(3))
    with db.transaction() as session:
        session.execute(
            update(Invitation)
            .where(Invitation.id == expired["id"])
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    client.post(f"/v1/orgs/mill/invitations/{revoked['id']}/revoke", headers=people["editor"])
    audio = _tone(tmp_path)
    assert _submit(client, used["code"], RESIDENT, audio).status_code == 201
    keys, before = blobs.keys(), _stored(db)
    for made, reason in ((expired, "expired"), (revoked, "revoked"), (used, "used-up")):
        assert problem(client.get(f"/v1/invitations/{made['code']}"), 410)["reason"] == reason
        assert problem(_submit(client, made["code"], RESIDENT, audio), 410)["reason"] == reason
    assert blobs.keys() == keys and _stored(db) == before
    unknown = problem(client.get("/v1/invitations/inv_nonsense"), 404)
    assert "reason" not in unknown


# --- 5. a resident's choices -------------------------------------------------------------------


def test_a_resident_chooses_licence_and_credit_and_gets_a_withdrawal_code(
    client: TestClient, people: People, db: Database, tmp_path: Path
) -> None:
    code = _invite(client, people)["code"]
    title = '<script>alert("x")</script><b>Les cloches</b>'
    r = _submit(client, code, {**RESIDENT, "title": title}, _tone(tmp_path))
    assert r.status_code == 201, r.text
    receipt = r.json()
    secret = receipt["withdrawal_code"]
    assert secret.startswith("wdr_") and len(secret) > 40
    assert receipt["withdrawal_url"] == f"http://testserver/contribute/withdraw#{secret}"
    with db.transaction() as session:
        consent = session.get_one(ConsentRecord, receipt["consent_id"])
        # Only the hash is kept; the person and date default to the name and today.
        assert consent.withdrawal_hash == token_hash(secret)
        assert (consent.licence, consent.credit) == ("cc-by-4.0", "initials")
        assert consent.person == "Marie Claire Dupont" and consent.publication
        assert consent.given_on.date() == datetime.now(UTC).date()
        story = session.get_one(Story, receipt["contribution_id"])
        # Visitors will read initials only; the name stays with the team.
        assert story.credits == [{"name": "M. C. D.", "role": "contributor"}]
        assert story.licence == "cc-by-4.0" and story.title == title
        assert story.versions[0].text == RESIDENT["text"]
    # The title comes back as JSON text, exactly as typed.
    got = client.get(
        f"/v1/orgs/mill/contributions/{receipt['contribution_id']}", headers=people["editor"]
    )
    assert got.headers["content-type"] == "application/json" and got.json()["title"] == title


def test_a_residents_bad_choices_are_refused_and_store_nothing(
    client: TestClient, people: People, db: Database, blobs: MemoryBlobStore, tmp_path: Path
) -> None:
    code = _invite(client, people, licences=["cc-by-4.0", "archive-only"], max_uses=5)["code"]
    audio = _tone(tmp_path)
    keys, before = blobs.keys(), _stored(db)

    def refused(data: dict[str, Any], field: str, status: int = 422, **kw: Any) -> dict[str, Any]:
        body = problem(_submit(client, code, data, kw.pop("audio", audio), **kw), status)
        if field:
            assert field in [e["field"] for e in body["errors"]], body
        return body

    nothing = refused({**RESIDENT, "consent": {"publication": False, "archive": False}}, "")
    assert "nothing to keep" in nothing["detail"]
    refused({**RESIDENT, "licence": "cc-by-nc-4.0"}, "data.licence")  # not offered by the link
    refused({**RESIDENT, "licence": "cc0"}, "data.licence")
    refused({**RESIDENT, "licence": "archive-only"}, "data.licence")  # with publication agreed
    refused({**RESIDENT, "credit": "nickname"}, "data.credit")
    for missing in ("credit", "licence", "consent"):
        refused({k: v for k, v in RESIDENT.items() if k != missing}, f"data.{missing}")
    refused({**RESIDENT, "consent": {"publication": True}}, "data.consent.archive")
    refused({**RESIDENT, "text": "x" * 2001}, "data.text")
    refused({**RESIDENT, "title": "x" * 301}, "data.title")
    refused(RESIDENT, "recording", audio=None)  # no recording at all
    refused({**RESIDENT, "recording_upload": "0" * 32}, "recording")  # both at once
    refused({**RESIDENT, "recording_upload": "0" * 32}, "data.recording_upload", audio=None)
    # Not audio, empty, over the limit.
    problem(_submit(client, code, RESIDENT, b"this is not a recording at all" * 20), 415)
    problem(_submit(client, code, RESIDENT, b""), 422)
    problem(_submit(client, code, RESIDENT, _tone(tmp_path, seconds=5)), 413)
    assert blobs.keys() == keys and _stored(db) == before
    assert client.get(f"/v1/invitations/{code}").json()["uses_left"] == 5


def test_archive_only_consent_is_kept_and_never_published(
    client: TestClient, people: People, db: Database, blobs: MemoryBlobStore, tmp_path: Path
) -> None:
    code = _invite(client, people)["code"]
    data = {
        **RESIDENT,
        "licence": "archive-only",
        "consent": {"publication": False, "archive": True},
    }
    r = _submit(client, code, data, _tone(tmp_path))
    assert r.status_code == 201, r.text
    story_id = r.json()["contribution_id"]
    contribution = client.get(
        f"/v1/orgs/mill/contributions/{story_id}", headers=people["editor"]
    ).json()
    approved = client.post(
        f"/v1/orgs/mill/contributions/{story_id}/approve",
        headers={**people["editor"], "If-Match": contribution["etag"]},
    )
    assert approved.status_code == 200, approved.text
    trail, _ = trail_with_stop(client, people["editor"], "archives", "porte", story_id=story_id)
    body = problem(
        client.post(
            f"/v1/orgs/mill/trails/{trail['id']}/releases", json={}, headers=people["editor"]
        ),
        409,
    )
    assert "no consent to publication" in json.dumps(body["errors"])
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Release)) == 0
        assert session.get_one(Story, story_id).title == RESIDENT["title"]  # kept


# --- 6. withdrawal by the resident's own code ---------------------------------------------------


def _published_contribution(
    client: TestClient, people: People, db: Database, blobs: MemoryBlobStore, tmp_path: Path
) -> tuple[dict[str, Any], str]:
    """A resident's story, approved, placed on a trail and published: the receipt, the key of
    the audio's original in the blob store."""
    code = _invite(client, people)["code"]
    receipt = _submit(client, code, RESIDENT, _tone(tmp_path, freq=345)).json()
    story_id = receipt["contribution_id"]
    etag = client.get(f"/v1/orgs/mill/contributions/{story_id}", headers=people["editor"]).json()[
        "etag"
    ]
    approved = client.post(
        f"/v1/orgs/mill/contributions/{story_id}/approve",
        headers={**people["editor"], "If-Match": etag},
    )
    assert approved.status_code == 200, approved.text
    trail_with_stop(
        client, people["editor"], "cloches", "eglise", story_id=story_id, trail_title="Cloches"
    )
    keyring = client.app.state.keyring  # type: ignore[attr-defined]
    publish(db, blobs, keyring, "cloches", publisher="editor@example.org")
    with db.transaction() as session:
        sha = session.get_one(Story, story_id).versions[0].audio.sha256  # type: ignore[union-attr]
    stored = blobs.keys()
    original = next(k for k in stored if sha in k)
    return receipt, original


def test_a_resident_withdraws_with_their_code_and_the_audio_leaves_everywhere(
    client: TestClient, people: People, db: Database, blobs: MemoryBlobStore, tmp_path: Path
) -> None:
    receipt, original = _published_contribution(client, people, db, blobs, tmp_path)
    code = receipt["withdrawal_code"]
    with db.transaction() as session:
        renditions = [
            r.sha256
            for r in session.get_one(Story, receipt["contribution_id"]).versions[0].audio.renditions  # type: ignore[union-attr]
        ]
        paths = session.scalars(
            select(ReleaseMedia.path).where(ReleaseMedia.sha256.in_(renditions))
        ).all()
    media_urls = [f"/v1/{path}" for path in paths]
    assert media_urls and all(client.get(u).status_code == 200 for u in media_urls)
    # The bytes of the recording as visitors get them, and as it was sent.
    heard_bytes = [client.get(u).content for u in media_urls]
    sent_bytes = b"".join(blobs.open(original))
    status = client.post("/v1/withdrawals/status", json={"code": code})
    assert status.status_code == 200, status.text
    standing = status.json()
    assert standing["state"] == "approved" and standing["organisation"] == "Mill"
    assert standing["title"] == RESIDENT["title"]
    assert standing["published_in"] == [
        {"trail_title": "Cloches", "trail_url": "http://testserver/play/cloches"}
    ]
    assert standing["withdrawn_at"] is None and standing["removed_at"] is None
    bundle = client.get("/v1/trails/cloches/bundle", follow_redirects=True).content
    heard = [n for n in zipfile.ZipFile(io.BytesIO(bundle)).namelist() if renditions[0] in n]
    assert heard  # before: the bundle plays it

    r = client.post("/v1/withdrawals/withdraw", json={"code": code})
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["already_withdrawn"] is False and done["state"] == "withdrawn"
    assert done["title"] == RESIDENT["title"] and done["published_in"] == []
    assert done["withdrawn_at"] is not None and done["removed_at"] is not None
    # Gone from the live bundle, every media URL and the blob store.
    bundle = client.get("/v1/trails/cloches/bundle", follow_redirects=True).content
    assert not [n for n in zipfile.ZipFile(io.BytesIO(bundle)).namelist() if renditions[0] in n]
    for url in media_urls:
        problem(client.get(url), 404)
    assert not blobs.exists(original)
    stored = blobs.keys()
    assert not [k for k in stored if any(sha in k for sha in renditions)]
    for key in stored:  # no blob holds those bytes under another name (a bundle, a copy)
        data = b"".join(blobs.open(key))
        assert not any(chunk in data for chunk in [*heard_bytes, sent_bytes]), key
    with db.transaction() as session:
        assert session.get(Story, receipt["contribution_id"]) is None
        trail = session.scalar(select(Trail).where(Trail.slug == "cloches"))
        assert trail is not None and trail.current_release is not None
        releases = session.scalar(select(func.count()).select_from(Release))

    # The code used again: nothing more is done, and it says so.
    again = client.post("/v1/withdrawals/withdraw", json={"code": code}).json()
    assert again["already_withdrawn"] is True and again["removed_at"] == done["removed_at"]
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Release)) == releases
    assert client.post("/v1/withdrawals/status", json={"code": code}).json()["state"] == "withdrawn"


def test_a_forged_or_guessed_withdrawal_code_is_not_found_and_guesses_are_limited(
    client: TestClient, people: People, db: Database, tmp_path: Path
) -> None:
    receipt = _submit(client, _invite(client, people)["code"], RESIDENT, _tone(tmp_path)).json()
    real = receipt["withdrawal_code"]
    guesser = TestClient(client.app, client=("198.51.100.7", 40000))
    forged = real[:-4] + ("AAAA" if not real.endswith("AAAA") else "BBBB")
    for route in ("status", "withdraw"):
        body = problem(guesser.post(f"/v1/withdrawals/{route}", json={"code": forged}), 404)
        assert forged not in json.dumps(body)
    problem(guesser.post("/v1/withdrawals/status", json={"code": receipt["consent_id"]}), 422)
    problem(guesser.post("/v1/withdrawals/status", json={}), 422)
    for i in range(8):  # ten wrong guesses in all: the limit per address
        problem(guesser.post("/v1/withdrawals/status", json={"code": f"wdr_guess{i}"}), 404)
    limited = problem(guesser.post("/v1/withdrawals/status", json={"code": real}), 429)
    assert "your address" in limited["detail"]
    # The resident, from their own phone, is not concerned.
    mine = TestClient(client.app, client=("203.0.113.9", 40000))
    assert mine.post("/v1/withdrawals/status", json={"code": real}).json()["state"] == "submitted"
    with db.transaction() as session:
        consent = session.get_one(ConsentRecord, receipt["consent_id"])
        assert consent.withdrawn_at is None and session.get(Story, consent.story_id) is not None


# --- 4. resumable uploads for residents ---------------------------------------------------------


def _tus_start(client: TestClient, code: str, length: int, filetype: str = "audio/wav") -> Any:
    meta = ",".join(
        f"{key} {base64.b64encode(value.encode()).decode()}"
        for key, value in (("filename", "cloches.wav"), ("filetype", filetype))
    )
    return client.post(
        f"/v1/invitations/{code}/uploads",
        headers={"Tus-Resumable": "1.0.0", "Upload-Length": str(length), "Upload-Metadata": meta},
    )


def _uploads(db: Database) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Upload)) or 0)


def test_a_resident_uploads_in_pieces_and_submits_the_finished_upload(
    client: TestClient, people: People, db: Database, tmp_path: Path
) -> None:
    code = _invite(client, people)["code"]
    other = _invite(client, people)["code"]
    options = client.options(f"/v1/invitations/{code}/uploads")
    assert options.status_code == 204 and options.headers["tus-version"] == "1.0.0"
    assert options.headers["tus-max-size"] == str(LIMIT)
    data = _tone(tmp_path, freq=880).read_bytes()
    started = _tus_start(client, code, len(data))
    assert started.status_code == 201, started.text
    location = started.headers["location"]
    upload_id = location.rsplit("/", 1)[1]
    assert location.endswith(f"/v1/invitations/{code}/uploads/{upload_id}")
    # No cookie, no CSRF header: the code is the authority. Another link's code finds nothing.
    assert client.head(location.replace(code, other)).status_code == 404
    problem(tus.patch(client, location.replace(code, other), {}, 0, data[:100]), 404)
    assert tus.patch(client, location, {}, 0, data[:1000]).status_code == 204
    assert client.head(location).headers["upload-offset"] == "1000"
    # A submission cannot name an upload that is not finished.
    unfinished = {**RESIDENT, "recording_upload": upload_id}
    body = problem(_submit(client, code, unfinished, None), 422)
    assert body["errors"][0]["field"] == "data.recording_upload"
    assert tus.patch(client, location, {}, 1000, data[1000:]).status_code == 204
    # Finished, it is this link's only.
    problem(_submit(client, other, unfinished, None), 422)
    r = _submit(client, code, unfinished, None)
    assert r.status_code == 201, r.text
    with db.transaction() as session:
        upload = session.get_one(Upload, upload_id)
        story = session.get_one(Story, r.json()["contribution_id"])
        assert story.versions[0].audio_asset_id == upload.asset_id is not None
    # Once used, the same upload cannot bring a second story.
    problem(_submit(client, code, unfinished, None), 410)  # the link was for one use


def test_a_residents_upload_refuses_what_is_not_a_recording_or_too_large(
    client: TestClient, people: People, db: Database, blobs: MemoryBlobStore, tmp_path: Path
) -> None:
    made = _invite(client, people, max_uses=2)
    code = made["code"]
    keys, uploads = blobs.keys(), _uploads(db)
    problem(_tus_start(client, code, LIMIT + 1), 413)
    problem(_tus_start(client, code, 5000, filetype="text/plain"), 415)
    problem(_tus_start(client, code, 0), 422)
    problem(_tus_start(client, "inv_nonsense", 5000), 404)
    assert blobs.keys() == keys and _uploads(db) == uploads
    # Declared as audio, but not: refused when the last byte arrives, and nothing kept.
    junk = b"certainly not a recording " * 40
    location = _tus_start(client, code, len(junk)).headers["location"]
    problem(tus.send(client, location, {}, junk), 415)
    upload_id = location.rsplit("/", 1)[1]
    problem(_submit(client, code, {**RESIDENT, "recording_upload": upload_id}, None), 422)
    assert blobs.keys() == keys and _stored(db)[2] == 0
    # A dead link takes no upload, and no more bytes for one started before.
    data = _tone(tmp_path, freq=990).read_bytes()
    location = _tus_start(client, code, len(data)).headers["location"]
    client.post(f"/v1/orgs/mill/invitations/{made['id']}/revoke", headers=people["editor"])
    assert problem(_tus_start(client, code, 5000), 410)["reason"] == "revoked"
    assert problem(tus.send(client, location, {}, data), 410)["reason"] == "revoked"


# --- 7. review closes the loop -----------------------------------------------------------------


def test_review_reads_the_residents_choices_and_where_the_story_plays(
    client: TestClient, people: People, db: Database, blobs: MemoryBlobStore, tmp_path: Path
) -> None:
    code = _invite(client, people)["code"]
    data = {**RESIDENT, "credit": "first-name", "licence": "cc-by-nc-4.0"}
    story_id = _submit(client, code, data, _tone(tmp_path, freq=500)).json()["contribution_id"]
    url = f"/v1/orgs/mill/contributions/{story_id}"
    seen = client.get(url, headers=people["editor"]).json()
    assert seen["consent_summary"] == {
        "publication": True,
        "archive": True,
        "licence": "cc-by-nc-4.0",
        "credit": "first-name",
        "person": "Marie Claire Dupont",
        "credit_shown": "Marie",
    }
    assert seen["credit_shown"] == "Marie" and seen["placements"] == []
    approved = client.post(f"{url}/approve", headers={**people["editor"], "If-Match": seen["etag"]})
    assert approved.status_code == 200, approved.text
    trail, stop = trail_with_stop(
        client,
        people["editor"],
        "beffroi",
        "cloche",
        title="La cloche",
        trail_title="Beffroi",
        story_id=story_id,
    )
    placed = {
        "trail_id": trail["id"],
        "trail_title": "Beffroi",
        "stop_id": stop["id"],
        "stop_title": "La cloche",
    }
    listed = client.get("/v1/orgs/mill/contributions", headers=people["editor"]).json()
    assert listed["items"][0]["placements"] == [{**placed, "live": False}]
    keyring = client.app.state.keyring  # type: ignore[attr-defined]
    publish(db, blobs, keyring, "beffroi", publisher="editor@example.org")
    assert client.get(url, headers=people["editor"]).json()["placements"] == [
        {**placed, "live": True}
    ]
    # Visitors read the first name only: the bundle credits nobody else.
    manifest = json.dumps(client.get("/v1/trails/beffroi/manifest").json(), ensure_ascii=False)
    assert "Marie" in manifest and "Dupont" not in manifest and "Claire" not in manifest
    bundle = client.get("/v1/trails/beffroi/bundle", follow_redirects=True).content
    assert b"Dupont" not in bundle

    # Anonymous: credited by nobody.
    code = _invite(client, people)["code"]
    data = {**RESIDENT, "credit": "anonymous"}
    other = _submit(client, code, data, _tone(tmp_path, freq=520)).json()["contribution_id"]
    seen = client.get(f"/v1/orgs/mill/contributions/{other}", headers=people["editor"]).json()
    assert seen["credit_shown"] is None and seen["credits"] == []
    assert seen["consent_summary"]["person"] == "Marie Claire Dupont"


# --- 2 and 6: printed matter -------------------------------------------------------------------

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts" / "coconstruction"


def _png(pdf: bytes, name: str) -> bytes:
    """The first page as a PNG under test-artefacts/, for a person to look at."""
    return first_page_png(pdf, ARTEFACTS / name)


def test_words_exist_in_every_language_a_link_offers() -> None:
    english = sheet_words("en")
    for language in set(INTERFACE_LANGUAGES) - {"en"}:
        words = sheet_words(language)
        assert words.receipt and words.receipt != english.receipt, language
        assert all(a != b for a, b in zip(words.steps, english.steps, strict=True)), language


def test_an_invitation_sheet_prints_the_link_as_qr_and_text(
    client: TestClient, people: People
) -> None:
    made = _invite(client, people, label="Atelier <b>mémoire</b>", topic="Les cloches")
    url = f"/v1/orgs/mill/invitations/{made['id']}/sheet"
    r = client.post(url, json={"code": made["code"], "lang": "nl"}, headers=people["editor"])
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(r.content))
    assert len(reader.pages) == 1
    width, height = (float(v) * 25.4 / 72 for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (148, 210)  # A5
    text = pdf_text(r.content)
    assert "Mill" in text and "Atelier <b>mémoire</b>" in text and "Les cloches" in text
    assert "Scan de code" in text  # the steps, in Dutch
    assert made["page_url"] in "".join(text.split())
    assert decode_qr(_png(r.content, "invitation-sheet-nl")) == [made["page_url"]]
    svg = client.post(url, json={"code": made["code"], "format": "svg"}, headers=people["editor"])
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in svg.content and made["page_url"].encode() in svg.content
    # The code must be this invitation's; another team's editor finds nothing.
    other = _invite(client, people)
    problem(client.post(url, json={"code": other["code"]}, headers=people["editor"]), 404)
    problem(
        client.post(url, json={"code": made["code"], "lang": "es"}, headers=people["editor"]), 422
    )
    stranger = url.replace("mill", "festival")
    problem(client.post(stranger, json={"code": made["code"]}, headers=people["stranger"]), 404)
    problem(client.post(url, json={"code": made["code"]}, headers=people["contributor"]), 403)


def test_a_withdrawal_receipt_prints_the_title_as_text_and_the_link(
    client: TestClient, people: People, tmp_path: Path
) -> None:
    title = '<script>alert("x")</script> Les cloches'
    data = {**RESIDENT, "title": title}
    receipt = _submit(client, _invite(client, people)["code"], data, _tone(tmp_path)).json()
    r = client.post(
        "/v1/withdrawals/receipt", json={"code": receipt["withdrawal_code"], "lang": "de"}
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["cache-control"] == "no-store"
    text = pdf_text(r.content)
    assert title in text and "Mill" in text and "Beleg" in text
    # The date as German writes it (Babel), after German words from the catalogue.
    sent = f"Gesendet am {format_day(datetime.now(UTC).date(), 'de')}"
    assert " ".join(sent.split()) in " ".join(text.split())
    assert receipt["withdrawal_url"] in "".join(text.split())
    assert decode_qr(_png(r.content, "withdrawal-receipt-de")) == [receipt["withdrawal_url"]]
    forged = {"code": receipt["withdrawal_code"] + "x", "lang": "fr"}
    problem(client.post("/v1/withdrawals/receipt", json=forged), 404)


def test_every_new_route_documents_its_problems(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    expected = {
        ("post", "/v1/orgs/{org}/invitations/{invitation_id}/sheet"): {"404", "422"},
        ("get", "/v1/invitations/{code}"): {"404", "410"},
        ("post", "/v1/invitations/{code}/contributions"): {"404", "410", "413", "415", "422"},
        ("post", "/v1/invitations/{code}/uploads"): {"404", "410", "413", "415", "422"},
        ("patch", "/v1/invitations/{code}/uploads/{upload_id}"): {"404", "409", "410", "415"},
        ("head", "/v1/invitations/{code}/uploads/{upload_id}"): {"404", "410"},
        ("delete", "/v1/invitations/{code}/uploads/{upload_id}"): {"404", "410"},
        ("post", "/v1/withdrawals/status"): {"404", "422", "429"},
        ("post", "/v1/withdrawals/withdraw"): {"404", "422", "429"},
        ("post", "/v1/withdrawals/receipt"): {"404", "422", "429"},
    }
    for (method, path), statuses in expected.items():
        responses = paths[path][method]["responses"]
        assert statuses <= set(responses), (method, path, sorted(responses))
        for status in statuses:
            content = responses[status].get("content", {})
            assert "application/problem+json" in content, (method, path, status)
    problem_schema = paths["/v1/invitations/{code}"]["get"]["responses"]["410"]["content"]
    assert problem_schema["application/problem+json"]["schema"]
    sheet = paths["/v1/orgs/{org}/invitations/{invitation_id}/sheet"]["post"]["responses"]["200"]
    assert {"application/pdf", "image/svg+xml"} <= set(sheet["content"])


def test_a_withdrawal_by_the_team_reads_the_same_with_the_residents_code(
    client: TestClient, people: People, tmp_path: Path
) -> None:
    receipt = _submit(client, _invite(client, people)["code"], RESIDENT, _tone(tmp_path)).json()
    r = client.post(
        f"/v1/orgs/mill/consents/{receipt['consent_id']}/withdraw", headers=people["editor"]
    )
    assert r.status_code == 200, r.text
    assert r.json()["consent"]["removed_at"] is not None
    code = {"code": receipt["withdrawal_code"]}
    standing = client.post("/v1/withdrawals/status", json=code).json()
    assert standing["state"] == "withdrawn" and standing["title"] == RESIDENT["title"]
    assert standing["removed_at"] == r.json()["consent"]["removed_at"]
    assert client.post("/v1/withdrawals/withdraw", json=code).json()["already_withdrawn"] is True
