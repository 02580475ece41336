"""Bundle delivery over real HTTP: redirects, strong ETags, ranges, validity, updates, keys."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from media.blobs.memory import MemoryBlobStore
from server.app import create_app
from server.db.session import Database
from server.jobs import Jobs, make_huey
from server.settings import Settings
from tests.support.factories import add_trail, trail_source
from tests.support.live import live_server
from trails.bundle.signing import Keyring


@pytest.fixture
def blobs() -> MemoryBlobStore:
    return MemoryBlobStore()


@pytest.fixture
def keys(tmp_path: Path) -> Keyring:
    return Keyring(tmp_path / "keys")


@pytest.fixture
def base_url(db: Database, blobs: MemoryBlobStore, keys: Keyring, tmp_path: Path) -> Iterator[str]:
    settings = Settings(data_dir=tmp_path, inprocess_worker=False)
    jobs = Jobs(settings, huey=make_huey(settings, immediate=True), database=db, blobs=blobs)
    app = create_app(settings, database=db, blobs=blobs, jobs=jobs, keys=keys)
    with live_server(app) as url:
        yield url


def _publish(db: Database, blobs: MemoryBlobStore, keys: Keyring, slug: str = "walk", **kw):
    return add_trail(db, trail_source(slug, 50.405, 4.395, **kw), blobs=blobs, keys=keys)


def test_bundle_redirects_to_an_immutable_url(
    base_url: str, db: Database, blobs: MemoryBlobStore, keys: Keyring
) -> None:
    _publish(db, blobs, keys)
    with httpx.Client(base_url=base_url) as http:
        first = http.get("/v1/trails/walk/bundle", params={"profile": "aac"})
        assert first.status_code == 307
        location = first.headers["location"]
        assert location.startswith("/v1/bundles/") and location.endswith(".zip")
        got = http.get(location)
    assert got.status_code == 200
    sha = hashlib.sha256(got.content).hexdigest()
    assert got.headers["etag"] == f'"{sha}"'
    assert location == f"/v1/bundles/{sha}.zip"
    assert got.headers["accept-ranges"] == "bytes"
    assert got.headers["cache-control"] == "public, max-age=31536000, immutable"
    with zipfile.ZipFile(io.BytesIO(got.content)) as zf:
        assert zf.namelist()[:2] == ["manifest.json", "manifest.sig.json"]
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["profile"] == "aac"
    # Saved under the trail's name, release and profile, as the signed manifest gives them.
    saved = f'filename="{manifest["trail"]["slug"]}-{manifest["trail"]["release"]}-aac.zip"'
    assert saved in got.headers["content-disposition"]


def test_ranges_resume_a_download(
    base_url: str, db: Database, blobs: MemoryBlobStore, keys: Keyring
) -> None:
    _publish(db, blobs, keys)
    with httpx.Client(base_url=base_url, follow_redirects=True) as http:
        whole = http.get("/v1/trails/walk/bundle")
        url, body, etag = str(whole.url), whole.content, whole.headers["etag"]
        size = len(body)

        part = http.get(url, headers={"Range": "bytes=10-19"})
        assert part.status_code == 206
        assert part.content == body[10:20]
        assert part.headers["content-range"] == f"bytes 10-19/{size}"
        assert part.headers["content-length"] == "10"

        rest = http.get(url, headers={"Range": "bytes=100-", "If-Range": etag})
        assert rest.status_code == 206 and rest.content == body[100:]

        tail = http.get(url, headers={"Range": "bytes=-50"})
        assert tail.status_code == 206 and tail.content == body[-50:]

        stale = http.get(url, headers={"Range": "bytes=100-", "If-Range": '"0000"'})
        assert stale.status_code == 200 and stale.content == body

        past = http.get(url, headers={"Range": f"bytes={size}-"})
        assert past.status_code == 416
        assert past.headers["content-range"] == f"bytes */{size}"
        assert past.headers["content-type"] == "application/problem+json"

        head = http.head(url)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == str(size)

        cached = http.get(url, headers={"If-None-Match": etag})
        assert cached.status_code == 304


def test_manifest_signature_verifies_with_the_published_keys(
    base_url: str, db: Database, blobs: MemoryBlobStore, keys: Keyring
) -> None:
    _publish(db, blobs, keys)
    with httpx.Client(base_url=base_url) as http:
        manifest = http.get("/v1/trails/walk/manifest")
        signature = http.get("/v1/trails/walk/manifest.sig.json").json()
        listed = http.get("/v1/keys").json()["keys"]
    assert manifest.headers["etag"] == f'"{hashlib.sha256(manifest.content).hexdigest()}"'
    current = [k for k in listed if k["current"]]
    assert [k["id"] for k in current] == [signature["key_id"]]
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(current[0]["public_key"]))
    public.verify(base64.b64decode(signature["signature"]), manifest.content)
    assert json.loads(manifest.content)["trail"]["slug"] == "walk"


def test_changes_since_a_release(
    base_url: str, db: Database, blobs: MemoryBlobStore, keys: Keyring
) -> None:
    _publish(db, blobs, keys)
    _publish(db, blobs, keys, title={"fr": "Nouveau titre"})
    with httpx.Client(base_url=base_url) as http:
        changes = http.get("/v1/trails/walk/changes", params={"since": 1}).json()
        missing = http.get("/v1/trails/walk/changes", params={"since": 7})
    assert changes["from_release"] == 1 and changes["to_release"] == 2
    assert changes["add"] == [] and changes["drop"] == []
    assert changes["download_bytes"] == changes["manifest_bytes"] > 0
    assert missing.status_code == 404
    assert "download the whole bundle" in missing.json()["detail"]


def test_validity_window(
    base_url: str, db: Database, blobs: MemoryBlobStore, keys: Keyring
) -> None:
    now = datetime.now(UTC)
    _publish(
        db,
        blobs,
        keys,
        slug="over",
        valid_from=(now - timedelta(days=3)).isoformat(),
        valid_until=(now - timedelta(hours=1)).isoformat(),
    )
    _publish(db, blobs, keys, slug="soon", valid_from=(now + timedelta(days=2)).isoformat())
    with httpx.Client(base_url=base_url) as http:
        gone = http.get("/v1/trails/over/bundle")
        early = http.get("/v1/trails/soon/bundle")
        assert http.get("/v1/trails/over/manifest").status_code == 410
        assert http.get("/v1/trails/over/changes", params={"since": 1}).status_code == 410
        assert http.get("/v1/trails/soon/manifest").status_code == 200
    assert gone.status_code == 410
    assert "available until" in gone.json()["detail"]
    assert early.status_code == 403
    assert "opens on" in early.json()["detail"]


def test_unknown_names_are_404(base_url: str) -> None:
    with httpx.Client(base_url=base_url) as http:
        for path in (
            "/v1/bundles/" + "0" * 64 + ".zip",
            "/v1/bundles/../etc/passwd",
            "/v1/media/" + "a" * 64 + ".opus",
            "/v1/media/not-a-hash.opus",
            "/v1/trails/nothing/bundle",
        ):
            assert http.get(path).status_code == 404, path


def test_a_replaced_release_stays_downloadable_for_visitors_midway(
    base_url: str, db: Database, blobs: MemoryBlobStore, keys: Keyring
) -> None:
    _publish(db, blobs, keys)
    with httpx.Client(base_url=base_url) as http:
        old = http.get("/v1/trails/walk/bundle").headers["location"]
        head = http.get(old, headers={"Range": "bytes=0-99"})
        assert head.status_code == 206
        _publish(db, blobs, keys, title={"fr": "Nouvelle version"})
        new = http.get("/v1/trails/walk/bundle").headers["location"]
        assert new != old
        rest = http.get(old, headers={"Range": "bytes=100-", "If-Range": head.headers["etag"]})
    assert rest.status_code == 206
    body = head.content + rest.content
    assert f'"{hashlib.sha256(body).hexdigest()}"' == head.headers["etag"]
