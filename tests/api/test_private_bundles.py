"""A private trail's files, fetched by their hash, need its access code or a capability.

The bundle of a private trail used to download from ``/v1/bundles/<sha256>.zip`` with no
code at all. Every by-hash public address is tried for a private trail's files: the bundle
answers only with the code, or with the expiring capability its redirect carries; single
media files of a private trail are never served.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from media.blobs.memory import MemoryBlobStore
from server.auth.capabilities import CAPABILITY_TTL_S, BundleCapabilities
from server.db.models import Visibility
from server.db.session import Database
from server.settings import Settings
from tests.api.test_stories import VTT, upload_audio
from tests.api.test_visibility import CODE, published
from tests.support.people import People
from tests.support.problems import problem
from trails.bundle.signing import Keyring


@pytest.fixture
def keys(tmp_path: Path) -> Keyring:
    return Keyring(tmp_path / "keys")


def _bundle_address(client: TestClient, slug: str, **params: str) -> str:
    redirect = client.get(f"/v1/trails/{slug}/bundle", params=params, follow_redirects=False)
    assert redirect.status_code == 307, redirect.text
    return str(redirect.headers["location"])


def test_a_private_bundle_by_its_hash_needs_the_code_or_a_capability(
    client: TestClient, db: Database, blobs: MemoryBlobStore, keys: Keyring, settings: Settings
) -> None:
    published(db, blobs, keys, "secret-walk", Visibility.private)
    published(db, blobs, keys, "open-walk")
    address = _bundle_address(client, "secret-walk", code=CODE)
    path = urlsplit(address).path
    sha = path.rsplit("/", 1)[1].removesuffix(".zip")
    unknown = problem(client.get(f"/v1/bundles/{'0' * 64}.zip"), 404)["detail"]

    # Without the code, or with a wrong one: exactly as a bundle that does not exist.
    for headers in ({}, {"X-Access-Code": "wrong-code-1"}):
        for method in ("GET", "HEAD"):
            refused = client.request(method, path, headers=headers)
            assert refused.status_code == 404, (method, headers)
        body = problem(client.get(path, headers=headers), 404)
        assert body["detail"] == unknown.replace("0" * 64, sha)
    # With the code, as a header or in the query.
    assert client.get(path, headers={"X-Access-Code": CODE}).status_code == 200
    assert client.get(path, params={"code": CODE}).status_code == 200
    # The redirect's own address works as it is (a QR code's ?code= does not follow it),
    # byte ranges included, so a download resumes.
    assert "code" not in parse_qs(urlsplit(address).query)
    whole = client.get(address)
    assert whole.status_code == 200 and whole.headers["content-type"] == "application/zip"
    part = client.get(address, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == whole.content[10:20]
    # A forged, altered, borrowed or expired capability opens nothing.
    other_sha = _bundle_address(client, "open-walk").rsplit("/", 1)[1].removesuffix(".zip")
    capabilities = BundleCapabilities(settings.resolved_secret_key())
    expired = capabilities.issue(sha, time.time() - CAPABILITY_TTL_S - 60)
    for access in (
        "forged",
        f"{int(time.time()) + 3600}.AAAA",
        capabilities.issue(other_sha, time.time()),
        expired,
        # Digits that int() refuses: a superscript, and more than it converts.
        "\u00b2.AAAA",
        "9" * 5000 + ".AAAA",
    ):
        problem(client.get(path, params={"access": access}), 404)
    # A public trail's bundle needs nothing.
    assert client.get(f"/v1/bundles/{other_sha}.zip").status_code == 200


def test_a_private_trails_media_are_not_served_by_hash(
    client: TestClient, people: People, tmp_path: Path
) -> None:
    editor = people["editor"]
    base = "/v1/orgs/mill"
    audio = upload_audio(client, editor, tmp_path)
    story = client.post(
        f"{base}/stories",
        json={
            "title": "La roue",
            "versions": {"fr": {"audio_asset_id": audio["id"], "transcript_vtt": VTT}},
        },
        headers=editor,
    ).json()
    trail = client.post(
        f"{base}/trails",
        json={"slug": "secret-mill", "title": {"fr": "Moulin"}, "languages": ["fr"]},
        headers=editor,
    ).json()
    stop = {
        "key": "roue",
        "title": {"fr": "La roue"},
        "zone": {"type": "circle", "center": [4.3958, 50.4043], "radius_m": 25},
        "story_id": story["id"],
    }
    assert (
        client.post(f"{base}/trails/{trail['id']}/stops", json=stop, headers=editor).status_code
        == 201
    )
    etag = client.get(f"{base}/trails/{trail['id']}", headers=editor).headers["etag"]
    private = client.patch(
        f"{base}/trails/{trail['id']}",
        json={"visibility": "private", "access_code": "lantern-2026-mill"},
        headers={**editor, "If-Match": etag},
    )
    assert private.status_code == 200, private.text
    released = client.post(f"{base}/trails/{trail['id']}/releases", json={}, headers=editor)
    assert released.status_code == 201, released.text
    manifest = client.get(
        "/v1/trails/secret-mill/manifest", params={"code": "lantern-2026-mill"}
    ).json()
    names = [row["path"].rsplit("/", 1)[1] for row in manifest["media"]]
    assert {name.rsplit(".", 1)[1] for name in names} >= {"vtt"}, names
    for name in names:
        for params in ({}, {"code": "lantern-2026-mill"}):
            problem(client.get(f"/v1/media/{name}", params=params), 404)
