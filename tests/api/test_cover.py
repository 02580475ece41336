"""A trail's cover image: upload, draft, publish, bundle and catalogue; refusals."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import yaml
from fastapi.testclient import TestClient
from PIL import Image

from media.blobs.memory import MemoryBlobStore
from media.limits import MediaLimits
from server import covers
from server.accounts import get_or_create_organisation
from server.db.session import Database
from server.draft_source import load_trail, to_source
from server.folder_media import MediaContext
from server.source_import import import_source
from tests.support.factories import trail_source
from tests.support.people import People
from tests.support.problems import problem
from trails.bundle.verify import verify_bundle
from trails.source import load_source
from trails.storage_names import cover_key

# Charleroi, as EXIF GPS rationals: a position that must never reach a visitor.
_GPS = {1: "N", 2: (50.0, 24.0, 15.0), 3: "E", 4: (4.0, 23.0, 40.0)}


def gps_jpeg(size: tuple[int, int] = (2400, 1200)) -> bytes:
    """A JPEG photo with an EXIF GPS position and a camera name, as phones write them."""
    image = Image.new("RGB", size, (180, 90, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif.get_ifd(0x8825).update(_GPS)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def png(size: tuple[int, int] = (64, 48)) -> bytes:
    """A small PNG with transparency."""
    out = io.BytesIO()
    Image.new("RGBA", size, (10, 200, 30, 128)).save(out, format="PNG")
    return out.getvalue()


def draft(db: Database, slug: str, *, org: str = "mill", **overrides: Any) -> int:
    """Import a one-stop draft trail (no media) into an organisation; return its id."""
    loaded = trail_source(slug, 50.405, 4.395, **overrides)
    with db.transaction() as session:
        organisation = get_or_create_organisation(session, org)
        media = MediaContext(MemoryBlobStore(), MediaLimits())
        return import_source(session, loaded, organisation, slug, media).id


def cover_url(trail_id: int, org: str = "mill") -> str:
    """The cover sub-resource of a draft trail."""
    return f"/v1/orgs/{org}/trails/{trail_id}/cover"


def etag(client: TestClient, trail_id: int, headers: dict[str, str]) -> str:
    """The draft's current ETag."""
    return str(client.get(f"/v1/orgs/mill/trails/{trail_id}", headers=headers).headers["etag"])


def upload(
    client: TestClient, trail_id: int, data: bytes, headers: dict[str, str], name: str = "c.jpg"
) -> Any:
    """PUT a cover with the draft's current ETag."""
    return client.put(
        cover_url(trail_id),
        files={"file": (name, data, "application/octet-stream")},
        headers={**headers, "If-Match": etag(client, trail_id, headers)},
    )


def test_upload_publish_bundle_and_catalogue(
    client: TestClient, people: People, db: Database, tmp_path: Path
) -> None:
    editor = people["editor"]
    trail_id = draft(db, "walk")
    assert (
        client.get(f"/v1/orgs/mill/trails/{trail_id}", headers=editor).json()["cover_sha256"]
        is None
    )
    r = upload(client, trail_id, gps_jpeg(), editor)
    assert r.status_code == 200, r.text
    sha = r.json()["cover_sha256"]
    assert r.headers["etag"] == r.json()["etag"]
    stored = client.get(cover_url(trail_id), headers=people["contributor"])
    assert stored.status_code == 200 and stored.headers["content-type"] == "image/jpeg"
    assert hashlib.sha256(stored.content).hexdigest() == sha
    image = Image.open(io.BytesIO(stored.content))
    # Re-encoded to at most 1600 px, with no EXIF at all (so no GPS, no camera name).
    assert image.size == (1600, 800)
    assert "exif" not in image.info and not image.getexif()
    assert b"PhoneMaker" not in stored.content

    published = client.post(f"/v1/orgs/mill/trails/{trail_id}/releases", json={}, headers=editor)
    assert published.status_code == 201, published.text
    bundle = client.get("/v1/trails/walk/bundle?profile=opus")
    assert bundle.status_code == 200
    path = tmp_path / "walk.zip"
    path.write_bytes(bundle.content)
    key = client.app.state.keyring.current()  # type: ignore[attr-defined]
    report = verify_bundle(path, {key.id: key.public})
    assert report.ok, report.problems
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["trail"]["cover"] == f"media/{sha}.jpg"
        row = next(m for m in manifest["media"] if m["path"] == f"media/{sha}.jpg")
        assert (row["kind"], row["mime_type"]) == ("image", "image/jpeg")
        assert zf.read(f"media/{sha}.jpg") == stored.content

    listed = client.get("/v1/trails").json()["items"][0]
    assert listed["cover"] == f"/v1/media/{sha}.jpg"
    assert client.get("/v1/trails/walk").json()["cover"] == f"/v1/media/{sha}.jpg"
    public = client.get(f"/v1/media/{sha}.jpg")
    assert public.status_code == 200 and public.content == stored.content
    assert public.headers["content-type"] == "image/jpeg"


def test_png_is_flattened_and_removal_clears_it(
    client: TestClient, people: People, db: Database
) -> None:
    editor = people["editor"]
    trail_id = draft(db, "walk")
    r = upload(client, trail_id, png(), editor, name="c.png")
    assert r.status_code == 200, r.text
    image = Image.open(io.BytesIO(client.get(cover_url(trail_id), headers=editor).content))
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (64, 48))
    stale = r.json()["etag"]
    gone = client.delete(cover_url(trail_id), headers={**editor, "If-Match": stale})
    assert gone.status_code == 200 and gone.json()["cover_sha256"] is None
    problem(client.delete(cover_url(trail_id), headers={**editor, "If-Match": stale}), 412)
    problem(client.get(cover_url(trail_id), headers=editor), 404)
    published = client.post(f"/v1/orgs/mill/trails/{trail_id}/releases", json={}, headers=editor)
    assert published.status_code == 201, published.text
    assert client.get("/v1/trails/walk").json()["cover"] is None


def test_refusals(client: TestClient, people: People, db: Database) -> None:
    editor = people["editor"]
    trail_id = draft(db, "walk")
    body = problem(upload(client, trail_id, b"GIF89a" + b"\0" * 100, editor), 415)
    assert "JPEG, PNG or WebP" in body["detail"]
    # Right magic bytes, broken image.
    problem(upload(client, trail_id, b"\x89PNG\r\n\x1a\n" + b"\0" * 200, editor), 415)
    big = b"\xff\xd8\xff" + b"\0" * (covers.MAX_BYTES + 10)
    problem(upload(client, trail_id, big, editor), 413)
    no_etag = client.put(
        cover_url(trail_id), files={"file": ("c.png", png(), "image/png")}, headers=editor
    )
    problem(no_etag, 428)
    problem(upload(client, trail_id, png(), people["contributor"]), 403)
    other = draft(db, "fete", org="festival")
    files = {"file": ("c.png", png(), "image/png")}
    problem(client.put(cover_url(other), files=files, headers={**editor, "If-Match": "*"}), 404)
    problem(client.get(cover_url(other), headers=editor), 404)
    problem(client.delete(cover_url(other), headers={**editor, "If-Match": "*"}), 404)
    assert (
        client.get(f"/v1/orgs/mill/trails/{trail_id}", headers=editor).json()["cover_sha256"]
        is None
    )


def test_source_folder_cover_round_trips(db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "src"
    (folder / "media").mkdir(parents=True)
    (folder / "media" / "cover.jpg").write_bytes(gps_jpeg((800, 600)))
    data = {
        "slug": "walk",
        "languages": ["fr"],
        "title": {"fr": "Walk"},
        "cover": "media/cover.jpg",
        "stops": [
            {
                "key": "a",
                "title": {"fr": "A"},
                "zone": {"type": "circle", "center": [4.39, 50.4], "radius_m": 20},
            }
        ],
    }
    (folder / "trail.yaml").write_text(yaml.safe_dump(data))
    blobs = MemoryBlobStore()
    with db.transaction() as session:
        org = get_or_create_organisation(session, "mill")
        trail = import_source(
            session, load_source(folder), org, "x", MediaContext(blobs, MediaLimits())
        )
        sha = trail.cover_sha256
        assert sha is not None
        exported = to_source(session, load_trail(session, "walk"))
    assert exported.cover == f"media/{sha}.jpg"
    cleaned = covers.read(blobs, sha)
    assert b"PhoneMaker" not in cleaned and not Image.open(io.BytesIO(cleaned)).getexif()
    # Importing the exported cover again keeps it byte for byte.
    (folder / "media" / f"{sha}.jpg").write_bytes(cleaned)
    (folder / "trail.yaml").write_text(yaml.safe_dump({**data, "cover": f"media/{sha}.jpg"}))
    with db.transaction() as session:
        org = get_or_create_organisation(session, "mill")
        again = import_source(
            session, load_source(folder), org, "y", MediaContext(blobs, MediaLimits())
        )
        assert again.cover_sha256 == sha
    # A folder without a cover line clears it.
    (folder / "trail.yaml").write_text(
        yaml.safe_dump({k: v for k, v in data.items() if k != "cover"})
    )
    with db.transaction() as session:
        org = get_or_create_organisation(session, "mill")
        cleared = import_source(
            session, load_source(folder), org, "z", MediaContext(blobs, MediaLimits())
        )
        assert cleared.cover_sha256 is None


def test_push_and_pull_leave_the_cover_to_the_studio(
    client: TestClient, people: People, db: Database
) -> None:
    editor = people["editor"]
    trail_id = draft(db, "walk")
    sha = upload(client, trail_id, png(), editor, name="c.png").json()["cover_sha256"]
    source = client.get("/v1/orgs/mill/trails/by-slug/walk/source", headers=editor)
    assert source.status_code == 200, source.text
    document = source.json()
    assert document["trail"]["cover"] is None  # pull gets no file for it
    pushed = client.put(
        "/v1/orgs/mill/trails/by-slug/walk/source",
        json={"trail": document["trail"]},
        headers={**editor, "If-Match": document["etag"]},
    )
    assert pushed.status_code == 200, pushed.text
    assert pushed.json()["changed"] is False
    after = client.get(f"/v1/orgs/mill/trails/{trail_id}", headers=editor).json()
    assert after["cover_sha256"] == sha


def test_a_lost_cover_blob_is_a_reason_not_to_publish(
    client: TestClient, people: People, db: Database, blobs: MemoryBlobStore
) -> None:
    editor = people["editor"]
    trail_id = draft(db, "walk")
    sha = upload(client, trail_id, png(), editor, name="c.png").json()["cover_sha256"]
    blobs.delete(cover_key(sha))
    refused = client.post(f"/v1/orgs/mill/trails/{trail_id}/releases", json={}, headers=editor)
    body = problem(refused, 409)
    assert [e["field"] for e in body["errors"]] == ["cover"]
    assert "choose it again" in body["errors"][0]["message"]
