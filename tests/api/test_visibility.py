"""What visitors see: public trails are listed, unlisted open by address, private need a code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from media.blobs.memory import MemoryBlobStore
from server.auth.passwords import hash_password
from server.db.models import Trail
from server.db.session import Database
from server.publishing import publish
from server.search import MAX_QUERY_LENGTH
from tests.api.test_releases import draft
from tests.support.problems import problem
from trails.bundle.signing import Keyring
from trails.vocabulary import Visibility

CODE = "lantern-2026"


@pytest.fixture
def keys(tmp_path: Path) -> Keyring:
    return Keyring(tmp_path / "keys")


def published(
    db: Database,
    blobs: MemoryBlobStore,
    keys: Keyring,
    slug: str,
    visibility: Visibility = Visibility.public,
    **overrides: Any,
) -> None:
    """A published trail of the 'mill' organisation with this visibility."""
    draft(db, slug, **overrides)
    with db.transaction() as session:
        session.execute(
            update(Trail)
            .where(Trail.slug == slug)
            .values(
                visibility=visibility,
                access_code_hash=hash_password(CODE) if visibility == Visibility.private else None,
            )
        )
    publish(db, blobs, keys, slug, publisher="Mill")


def _slugs(client: TestClient, **params: Any) -> list[str]:
    r = client.get("/v1/trails", params=params)
    assert r.status_code == 200, r.text
    return [t["slug"] for t in r.json()["items"]]


def test_unlisted_is_not_listed_but_opens_by_its_address(
    client: TestClient, db: Database, blobs: MemoryBlobStore, keys: Keyring
) -> None:
    published(db, blobs, keys, "open-walk")
    published(db, blobs, keys, "hidden-walk", Visibility.unlisted)
    assert _slugs(client) == ["open-walk"]
    assert _slugs(client, near="50.405,4.395") == ["open-walk"]
    assert _slugs(client, bbox="4.3,50.3,4.5,50.5") == ["open-walk"]
    detail = client.get("/v1/trails/hidden-walk")
    assert detail.status_code == 200 and detail.json()["visibility"] == "unlisted"
    assert client.get("/v1/trails/hidden-walk/manifest").status_code == 200
    bundle = client.get("/v1/trails/hidden-walk/bundle", follow_redirects=False)
    assert bundle.status_code == 307


def test_private_needs_its_access_code_and_reads_like_an_unknown_trail(
    client: TestClient, db: Database, blobs: MemoryBlobStore, keys: Keyring
) -> None:
    published(db, blobs, keys, "secret-walk", Visibility.private)
    assert _slugs(client) == [] and _slugs(client, q="secret") == []
    unknown = problem(client.get("/v1/trails/no-such-walk"), 404)["detail"]
    paths = [
        "/v1/trails/secret-walk",
        "/v1/trails/secret-walk/manifest",
        "/v1/trails/secret-walk/manifest.sig.json",
        "/v1/trails/secret-walk/changes?since=1",
        "/v1/trails/secret-walk/bundle",
    ]
    for path in paths:
        for headers in ({}, {"X-Access-Code": "wrong-code-1"}):
            body = problem(client.get(path, headers=headers, follow_redirects=False), 404)
            # Same words as for a trail that does not exist, but for the address.
            assert body["detail"] == unknown.replace("no-such-walk", "secret-walk")
    assert "access code" in unknown
    for path in paths:
        by_header = client.get(path, headers={"X-Access-Code": CODE}, follow_redirects=False)
        assert by_header.status_code in (200, 307), (path, by_header.text)
        joiner = "&" if "?" in path else "?"
        by_query = client.get(f"{path}{joiner}code={CODE}", follow_redirects=False)
        assert by_query.status_code == by_header.status_code
    assert client.get("/v1/trails/secret-walk", params={"code": CODE}).json()["visibility"] == (
        "private"
    )
    downloaded = client.get("/v1/trails/secret-walk/bundle", headers={"X-Access-Code": CODE})
    assert downloaded.status_code == 200
    assert downloaded.headers["content-type"] == "application/zip"


def test_language_and_text_filters(
    client: TestClient, db: Database, blobs: MemoryBlobStore, keys: Keyring
) -> None:
    published(
        db,
        blobs,
        keys,
        "moulin",
        languages=["fr", "nl"],
        title={"fr": "Le Moulin de Marchienne", "nl": "De Molen"},
        description={"fr": "Un Théâtre d'eau et de meules"},
    )
    published(db, blobs, keys, "gare", languages=["fr-BE"], title={"fr-BE": "La Gare du Sud"})
    published(
        db,
        blobs,
        keys,
        "mine",
        languages=["en"],
        title={"en": "The Old Mine"},
        stops=[
            {
                "key": "start",
                "title": {"en": "Start"},
                "zone": {"type": "circle", "center": [4.4, 50.41], "radius_m": 30},
            }
        ],
    )
    published(db, blobs, keys, "hidden-moulin", Visibility.unlisted, title={"fr": "Moulin caché"})
    assert _slugs(client, lang="nl") == ["moulin"]
    assert _slugs(client, lang="fr") == ["gare", "moulin"]
    assert _slugs(client, lang="fr-BE") == ["gare"]
    assert _slugs(client, lang="en") == ["mine"]
    assert _slugs(client, lang="de") == []
    assert _slugs(client, q="moulin") == ["moulin"]
    assert _slugs(client, q="THEATRE") == ["moulin"]  # case and accents ignored
    assert _slugs(client, q="molen") == ["moulin"]  # any language's text
    assert _slugs(client, q="gare sud") == ["gare"]  # every word, in any order
    assert _slugs(client, q="gare nord") == []
    assert _slugs(client, q="the", lang="en") == ["mine"]
    both = _slugs(client, q="the")  # "theatre" and "the", best match first
    assert sorted(both) == ["mine", "moulin"]
    assert _slugs(client, q="the", limit=1, offset=1) == both[1:]
    assert _slugs(client, q="moulin", near="50.405,4.395", radius_m=5000) == ["moulin"]
    body = problem(client.get("/v1/trails", params={"lang": "xx-not-a-tag"}), 422)
    assert body["errors"][0]["field"] == "lang"
    problem(client.get("/v1/trails", params={"q": "x" * (MAX_QUERY_LENGTH + 1)}), 422)
