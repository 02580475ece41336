"""References by hash or id stay in their organisation, and contributors' in their own uploads.

Organisation 'mill' (A) holds photos, consent forms, audio, a cover and an unfinished upload;
its contributor uploads some, its editor others. Every operation that takes a sha256 or an
asset id from the caller is then tried from organisation 'festival' (B), and by A's
contributor on A's editor's files: each answers exactly as it does for a hash or id that
exists nowhere. Private images are stored without their metadata, and a withdrawal removes
a photo that no other story of the same organisation shows.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from media.blobs.memory import MemoryBlobStore
from server.db.models import Story
from server.db.session import Database
from tests.api.test_stories import upload_audio
from tests.support import tus
from tests.support.audio import ffmpeg_make
from tests.support.images import has_metadata, pixels, portrait
from tests.support.people import People
from tests.support.problems import problem

CONSENT = {"person": "Marie Dupont", "publication": True, "archive": True, "given_on": "2026-05-14"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NOWHERE = hashlib.sha256(b"a file nobody ever uploaded").hexdigest()


def _upload(client: TestClient, kind: str, data: bytes, headers: dict[str, str], org: str) -> str:
    """Upload a photo or a consent form; return the hash that names it."""
    path = {"photo": "photos", "form": "consent-forms"}[kind]
    r = client.post(f"/v1/orgs/{org}/{path}", files={"file": ("f", data, "")}, headers=headers)
    assert r.status_code == 201, r.text
    sha: str = r.json()["sha256"]
    return sha


def _answer(response: Any, ref: object) -> tuple[int, Any]:
    """A refusal with the reference itself taken out, to compare two refusals."""

    def scrub(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: scrub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [scrub(v) for v in value]
        if value == ref:
            return "<ref>"
        if isinstance(value, str):
            return re.sub(rf"\b{re.escape(str(ref))}\b", "<ref>", value)
        return value

    try:
        return response.status_code, scrub(response.json())
    except ValueError:
        return response.status_code, scrub(response.text)


def _same_as_nowhere(send: Any, theirs: object, nowhere: object) -> None:
    """``send(ref)`` answers for another's reference exactly as for one that does not exist."""
    refused, unknown = send(theirs), send(nowhere)
    assert refused.status_code in (404, 422), refused.text
    assert _answer(refused, theirs) == _answer(unknown, nowhere)


def _contribution(**extra: Any) -> dict[str, Any]:
    body = {"title": "Souvenirs", "versions": {"fr": {"text": "Le laminoir."}}, "consent": CONSENT}
    return body | extra


def _contribution_refs_refused(
    client: TestClient, org: str, headers: dict[str, str], photo: str, form: str
) -> None:
    """A contribution naming this photo, or this consent form, answers as for no file."""
    bodies = [
        lambda sha: _contribution(photo_sha256=sha),
        lambda sha: _contribution(consent={**CONSENT, "form_sha256": sha}),
    ]
    for ref, body in zip((photo, form), bodies, strict=True):
        _same_as_nowhere(
            lambda sha, body=body: client.post(
                f"/v1/orgs/{org}/contributions", json=body(sha), headers=headers
            ),
            ref,
            NOWHERE,
        )


def _trail(client: TestClient, org: str, slug: str, headers: dict[str, str]) -> dict[str, Any]:
    """A new draft trail of ``org``, as the API answers it."""
    body = {"slug": slug, "title": {"fr": slug}, "languages": ["fr"]}
    made = client.post(f"/v1/orgs/{org}/trails", json=body, headers=headers)
    assert made.status_code == 201, made.text
    trail: dict[str, Any] = made.json()
    return trail


@pytest.fixture
def a_files(client: TestClient, people: People, tmp_path: Path) -> dict[str, Any]:
    """What organisation A holds: its contributor's and its editor's uploads."""
    contributor, editor = people["contributor"], people["editor"]
    audio = upload_audio(client, contributor, tmp_path, freq=330)
    trail = _trail(client, "mill", "moulin", editor)
    etag = client.get(f"/v1/orgs/mill/trails/{trail['id']}", headers=editor).headers["etag"]
    cover = client.put(
        f"/v1/orgs/mill/trails/{trail['id']}/cover",
        files={"file": ("c.jpg", portrait("JPEG", seed="cover"), "image/jpeg")},
        headers={**editor, "If-Match": etag},
    )
    assert cover.status_code == 200, cover.text
    upload = tus.start(client, contributor, 100, "long.wav")
    assert upload.status_code == 201, upload.text
    return {
        "photo": _upload(
            client, "photo", portrait("JPEG", seed="a-contributor"), contributor, "mill"
        ),
        "form": _upload(client, "form", portrait("PNG", seed="a-form"), contributor, "mill"),
        "editor_photo": _upload(client, "photo", portrait("PNG", seed="a-editor"), editor, "mill"),
        "editor_form": _upload(client, "form", PDF, editor, "mill"),
        "asset": audio,
        "story": client.post(
            "/v1/orgs/mill/stories",
            json={"title": "A", "versions": {"fr": {"audio_asset_id": audio["id"]}}},
            headers=editor,
        ).json()["id"],
        "cover": cover.json()["cover_sha256"],
        "upload": upload.headers["location"].rsplit("/", 1)[1],
    }


def test_every_reference_by_hash_or_id_stays_in_its_organisation(
    client: TestClient, people: People, a_files: dict[str, Any], tmp_path: Path
) -> None:
    b = people["stranger"]
    base = "/v1/orgs/festival"
    story = client.post(
        f"{base}/stories", json={"title": "B", "versions": {"fr": {"text": "x"}}}, headers=b
    ).json()
    photo, form, asset = a_files["photo"], a_files["form"], a_files["asset"]

    # Story photos and consent forms, by hash: contributions, stories, consents.
    _contribution_refs_refused(client, "festival", b, photo, form)
    _same_as_nowhere(
        lambda sha: client.post(
            f"{base}/stories",
            json={"title": "B", "photo_sha256": sha, "versions": {"fr": {"text": "x"}}},
            headers=b,
        ),
        photo,
        NOWHERE,
    )
    _same_as_nowhere(
        lambda sha: client.patch(
            f"{base}/stories/{story['id']}",
            json={"photo_sha256": sha},
            headers={**b, "If-Match": story["etag"]},
        ),
        photo,
        NOWHERE,
    )
    _same_as_nowhere(
        lambda sha: client.post(
            f"{base}/stories/{story['id']}/consents",
            json={**CONSENT, "form_sha256": sha},
            headers=b,
        ),
        form,
        NOWHERE,
    )
    # Audio, by id: stories, contributions, edits, and every read of an asset.
    _same_as_nowhere(
        lambda ref: client.post(
            f"{base}/stories",
            json={"title": "B", "versions": {"fr": {"audio_asset_id": ref}}},
            headers=b,
        ),
        asset["id"],
        999_999,
    )
    _same_as_nowhere(
        lambda ref: client.post(
            f"{base}/contributions",
            json=_contribution(versions={"fr": {"audio_asset_id": ref}}),
            headers=b,
        ),
        asset["id"],
        999_999,
    )
    _same_as_nowhere(
        lambda ref: client.post(f"{base}/assets/{ref}/edits", json={"fade_in_s": 0.1}, headers=b),
        asset["id"],
        999_999,
    )
    for tail in ("", "/waveform", "/listen", "/original"):
        _same_as_nowhere(
            lambda ref, tail=tail: client.get(f"{base}/assets/{ref}{tail}", headers=b),
            asset["id"],
            999_999,
        )
    # Audio, by hash: a push's lookup and its trail source.
    lookup = client.post(f"{base}/assets/lookup", json={"sha256": [asset["sha256"]]}, headers=b)
    assert lookup.json() == {"found": {}, "missing": [asset["sha256"]]}
    source = {
        "slug": "b-walk",
        "languages": ["fr"],
        "title": {"fr": "B"},
        "stops": [
            {
                "key": "un",
                "title": {"fr": "Un"},
                "zone": {"type": "circle", "center": [4.39, 50.40], "radius_m": 25},
                "story": {"versions": {"fr": {"audio": "media/a.wav"}}},
            }
        ],
    }
    _same_as_nowhere(
        lambda sha: client.put(
            f"{base}/trails/by-slug/b-walk/source",
            json={"trail": source, "media": {"media/a.wav": {"sha256": sha}}},
            headers=b,
        ),
        asset["sha256"],
        NOWHERE,
    )
    # Covers are set by upload only: a hash cannot be given.
    b_trail = _trail(client, "festival", "b-trail", b)
    refused = client.patch(
        f"{base}/trails/{b_trail['id']}",
        json={"cover_sha256": a_files["cover"]},
        headers={**b, "If-Match": b_trail["etag"]},
    )
    problem(refused, 422)
    # Stories, by id, placed at a stop.
    _same_as_nowhere(
        lambda ref: client.post(
            f"{base}/trails/{b_trail['id']}/stops",
            json={
                "key": "un",
                "title": {"fr": "Un"},
                "zone": {"type": "circle", "center": [4.39, 50.40], "radius_m": 25},
                "story_id": ref,
            },
            headers=b,
        ),
        a_files["story"],
        999_999,
    )
    # Another organisation's resumable upload, by id.
    for method in ("GET", "HEAD", "DELETE", "PATCH"):
        headers = {**b, "Tus-Resumable": "1.0.0", "Upload-Offset": "0"}
        headers["Content-Type"] = "application/offset+octet-stream"
        got = client.request(
            method, f"{base}/uploads/{a_files['upload']}", headers=headers, content=b"x"
        )
        assert got.status_code == 404, (method, got.text)
    # Dedupe of uploads: the same bytes in B are B's own asset, with B's file name.
    wav = tmp_path / "tone-330.wav"
    with wav.open("rb") as fh:
        own = client.post(f"{base}/assets", files={"file": ("b.wav", fh, "audio/wav")}, headers=b)
    assert own.status_code == 201 and own.json()["id"] != asset["id"]
    assert own.json()["filename"] == "b.wav"
    # Nothing of A's is reachable from B's stories either.
    assert client.get(f"{base}/stories/{story['id']}/photo", headers=b).status_code == 404


def test_a_contributor_names_only_their_own_uploads(
    client: TestClient, people: People, a_files: dict[str, Any]
) -> None:
    contributor, editor = people["contributor"], people["editor"]
    base = "/v1/orgs/mill"
    # The editor's photo and form, named by the contributor: as unknown as a hash from nowhere.
    _contribution_refs_refused(
        client, "mill", contributor, a_files["editor_photo"], a_files["editor_form"]
    )
    # Their own photo and form, yes; and an editor may name any of the organisation's.
    mine = client.post(
        f"{base}/contributions",
        json=_contribution(
            photo_sha256=a_files["photo"], consent={**CONSENT, "form_sha256": a_files["form"]}
        ),
        headers=contributor,
    )
    assert mine.status_code == 201, mine.text
    theirs = client.post(
        f"{base}/stories",
        json={"title": "E", "photo_sha256": a_files["photo"], "versions": {"fr": {"text": "x"}}},
        headers=editor,
    )
    assert theirs.status_code == 201, theirs.text
    photo = client.get(f"{base}/stories/{theirs.json()['id']}/photo", headers=editor)
    assert photo.status_code == 200 and not has_metadata(photo.content)


def test_private_images_are_stored_without_their_metadata(
    client: TestClient, people: People, blobs: MemoryBlobStore, tmp_path: Path
) -> None:
    contributor = people["contributor"]
    for fmt, mime in (("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")):
        original = portrait(fmt, seed=fmt)
        assert has_metadata(original)
        r = client.post(
            "/v1/orgs/mill/photos", files={"file": ("p", original, mime)}, headers=contributor
        )
        assert r.status_code == 201, r.text
        stored = b"".join(blobs.open(f"photos/{r.json()['sha256']}"))
        assert r.json()["mime_type"] == mime and r.json()["bytes"] == len(stored)
        assert hashlib.sha256(stored).hexdigest() == r.json()["sha256"]
        assert not has_metadata(stored), fmt
        if fmt != "JPEG":  # lossless formats keep every pixel
            assert pixels(stored) == pixels(original)
    for fmt, mime in (("JPEG", "image/jpeg"), ("PNG", "image/png")):
        r = client.post(
            "/v1/orgs/mill/consent-forms",
            files={"file": ("scan", portrait(fmt, seed="scan"), mime)},
            headers=contributor,
        )
        assert r.status_code == 201, r.text
        assert not has_metadata(b"".join(blobs.open(f"consent-forms/{r.json()['sha256']}")))
    pdf = client.post(
        "/v1/orgs/mill/consent-forms",
        files={"file": ("f.pdf", PDF, "application/pdf")},
        headers=contributor,
    )
    assert pdf.json()["sha256"] == hashlib.sha256(PDF).hexdigest()
    # An image that does not open is refused like any file of the wrong type.
    fake = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    problem(
        client.post("/v1/orgs/mill/photos", files={"file": ("p", fake, "")}, headers=contributor),
        415,
    )


def _withdraw(client: TestClient, people: People, story_id: int) -> dict[str, Any]:
    editor = people["editor"]
    consents = client.get(f"/v1/orgs/mill/stories/{story_id}/consents", headers=editor).json()
    consent_id = consents["items"][0]["id"]
    r = client.post(f"/v1/orgs/mill/consents/{consent_id}/withdraw", headers=editor)
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()
    return result


def test_withdrawal_removes_a_photo_no_other_story_of_the_same_organisation_uses(
    client: TestClient, people: People, blobs: MemoryBlobStore, db: Database
) -> None:
    contributor, editor, b = people["contributor"], people["editor"], people["stranger"]
    shared = _upload(client, "photo", portrait("PNG", seed="shared"), contributor, "mill")
    alone = _upload(client, "photo", portrait("PNG", seed="alone"), contributor, "mill")
    twin_bytes = portrait("PNG", seed="also in festival")
    twin = _upload(client, "photo", twin_bytes, contributor, "mill")
    # Organisation B uploaded the very same bytes itself: its own copy, under its own consent.
    assert _upload(client, "photo", twin_bytes, b, "festival") == twin

    def contribute(sha: str) -> int:
        r = client.post(
            "/v1/orgs/mill/contributions", json=_contribution(photo_sha256=sha), headers=contributor
        )
        assert r.status_code == 201, r.text
        story_id: int = r.json()["id"]
        return story_id

    def story(org: str, sha: str, headers: dict[str, str]) -> int:
        body = {"title": "S", "photo_sha256": sha, "versions": {"fr": {"text": "x"}}}
        r = client.post(f"/v1/orgs/{org}/stories", json=body, headers=headers)
        assert r.status_code == 201, r.text
        story_id: int = r.json()["id"]
        return story_id

    with_shared, with_alone, with_twin = contribute(shared), contribute(alone), contribute(twin)
    editors_story = story("mill", shared, editor)
    b_story = story("festival", twin, b)
    # Before the fix, B could name A's photo; a story made then still names it.
    leaked = story("festival", twin, b)
    with db.transaction() as session:
        session.execute(update(Story).where(Story.id == leaked).values(photo_sha256=alone))

    # Used by no other story of A: the photo goes, and nobody can name it any more.
    assert _withdraw(client, people, with_alone)["blobs_deleted"] >= 1
    assert not blobs.exists(f"photos/{alone}")
    gone = client.post(
        "/v1/orgs/mill/stories",
        json={"title": "S", "photo_sha256": alone, "versions": {"fr": {"text": "x"}}},
        headers=editor,
    )
    problem(gone, 422)
    problem(client.get(f"/v1/orgs/festival/stories/{leaked}/photo", headers=b), 404)

    # Still shown by another story of A: it stays for that story.
    _withdraw(client, people, with_shared)
    assert blobs.exists(f"photos/{shared}")
    assert (
        client.get(f"/v1/orgs/mill/stories/{editors_story}/photo", headers=editor).status_code
        == 200
    )

    # Held by B through its own upload: A lets go of it (A cannot name it), B keeps its copy.
    _withdraw(client, people, with_twin)
    problem(
        client.post(
            "/v1/orgs/mill/stories",
            json={"title": "S", "photo_sha256": twin, "versions": {"fr": {"text": "x"}}},
            headers=editor,
        ),
        422,
    )
    kept = client.get(f"/v1/orgs/festival/stories/{b_story}/photo", headers=b)
    assert kept.status_code == 200 and pixels(kept.content) == pixels(twin_bytes)


def test_a_contributor_uploading_bytes_another_member_has_gets_an_asset_of_their_own(
    client: TestClient, people: People, tmp_path: Path
) -> None:
    contributor, editor, editor2 = people["contributor"], people["editor"], people["editor2"]
    wav = ffmpeg_make(tmp_path / "t.wav", "-f", "lavfi", "-i", "sine=f=520:r=22050:d=1")
    data = wav.read_bytes()

    def post(headers: dict[str, str], name: str) -> Any:
        return client.post(
            "/v1/orgs/mill/assets", files={"file": (name, data, "audio/wav")}, headers=headers
        )

    editors = post(editor, "interview-marie-confidential.wav")
    assert editors.status_code == 201
    # Not the editor's id, nor their file name, nor a 200 that says the bytes were known.
    mine = post(contributor, "mine.wav")
    assert mine.status_code == 201, mine.text
    assert mine.json()["id"] != editors.json()["id"] and mine.json()["filename"] == "mine.wav"
    assert "confidential" not in mine.text
    # Their own again: the same asset. Another editor: the organisation's shared asset.
    again = post(contributor, "again.wav")
    assert again.status_code == 200 and again.json()["id"] == mine.json()["id"]
    shared = post(editor2, "copy.wav")
    assert shared.status_code == 200 and shared.json()["id"] == editors.json()["id"]
    # The same through a resumable upload.
    started = tus.start(client, contributor, len(data), "big.wav")
    by_tus = tus.send(client, started.headers["location"], contributor, data)
    assert by_tus.status_code == 204, by_tus.text
    assert by_tus.headers["baladeur-asset-id"] == str(mine.json()["id"])
    # And the asset is theirs to use and read (the editor's is not).
    listed = client.get("/v1/orgs/mill/assets", headers=contributor).json()
    assert [a["id"] for a in listed["items"]] == [mine.json()["id"]]
    r = client.post(
        "/v1/orgs/mill/contributions",
        json=_contribution(versions={"fr": {"audio_asset_id": mine.json()["id"]}}),
        headers=contributor,
    )
    assert r.status_code == 201, r.text
    # Withdrawing that contribution takes the recording out of the organisation, every copy
    # of it included, as when the organisation had one asset per recording.
    _withdraw(client, people, r.json()["id"])
    for asset_id in (mine.json()["id"], editors.json()["id"]):
        assert client.get(f"/v1/orgs/mill/assets/{asset_id}", headers=editor).status_code == 404
