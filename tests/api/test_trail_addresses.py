"""Slugs are per organisation; a public address is claimed by the first publish (finding 10 f).

Creating a trail answered 409 when another organisation had an unpublished draft of that
slug, which confirmed the draft's existence. Now a draft's slug is unique in its
organisation only, and the server-wide public address is taken when a trail is first
published: only a published trail (reachable at that address anyway) can make a name busy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text

from media.blobs.memory import MemoryBlobStore
from server.db import migrate
from server.db.models import Trail
from server.db.session import Database
from server.publishing import publish
from tests.api.test_releases import draft
from tests.support.people import People
from tests.support.problems import problem
from trails.bundle.signing import Keyring
from trails.errors import Conflict


@pytest.fixture
def keys(tmp_path: Path) -> Keyring:
    return Keyring(tmp_path / "keys")


def _create(client: TestClient, headers: dict[str, str], org: str, slug: str) -> object:
    return client.post(
        f"/v1/orgs/{org}/trails",
        json={"slug": slug, "title": {"fr": slug}, "languages": ["fr"]},
        headers=headers,
    )


def _org_id(db: Database, slug: str) -> int:
    from server.db.models import Organisation

    with db.transaction() as session:
        found = session.scalar(select(Organisation.id).where(Organisation.slug == slug))
    assert found is not None
    return found


def test_another_organisations_draft_is_not_revealed(client: TestClient, people: People) -> None:
    theirs = _create(client, people["stranger"], "festival", "nuit-secrete")
    assert theirs.status_code == 201  # type: ignore[attr-defined]
    # The same answer as for a name nobody uses: the draft is neither refused nor told.
    for slug in ("nuit-secrete", "nuit-libre"):
        ours = _create(client, people["editor"], "mill", slug)
        assert ours.status_code == 201, ours.text  # type: ignore[attr-defined]
    # Within one organisation a slug is still unique.
    problem(_create(client, people["editor"], "mill", "nuit-secrete"), 409)


def test_the_first_publish_claims_the_address(
    client: TestClient, people: People, db: Database, blobs: MemoryBlobStore, keys: Keyring
) -> None:
    draft(db, "fete", org="festival")
    mill_trail = draft(db, "fete", org="mill")
    festival = publish(
        db, blobs, keys, "fete", publisher="Festival", organisation_id=_org_id(db, "festival")
    )
    assert client.get("/v1/trails/fete").json()["release"] == festival.number
    with pytest.raises(Conflict, match="used by another published trail"):
        publish(db, blobs, keys, "fete", publisher="Mill", organisation_id=_org_id(db, "mill"))
    # Through the API too, and a new draft of a published address is refused at once.
    problem(
        client.post(
            f"/v1/orgs/mill/trails/{mill_trail}/releases", json={}, headers=people["editor"]
        ),
        409,
    )
    problem(_create(client, people["editor"], "mill", "fete"), 409)
    # A QR code of the unpublished draft would open the other trail: refused as well.
    problem(client.get(f"/v1/orgs/mill/trails/{mill_trail}/qr.svg", headers=people["editor"]), 409)
    with db.transaction() as session:
        claimed = session.execute(select(Trail.organisation_id, Trail.address)).all()
    assert sorted(a or "" for _, a in claimed) == ["", "fete"]
    # Without an organisation, the command line asks which trail is meant.
    with pytest.raises(Conflict, match="several organisations"):
        publish(db, blobs, keys, "fete", publisher="?")


DAY = "2026-01-01"
ORG = {"requires_second_approval": False, "version": 1, "created_at": DAY, "updated_at": DAY}
TRAIL = {
    "titles": "{}",
    "descriptions": "{}",
    "languages": "[]",
    "mode": "free",
    "timezone": "UTC",
    "visibility": "public",
    "credits": "[]",
    "settings": "{}",
    "version": 1,
    "created_at": DAY,
    "updated_at": DAY,
}


def _row(conn: Any, table: str, shapes: dict[str, str] | None = None, **values: Any) -> None:
    """Insert one row with plain SQL (the models describe the schema after the migration)."""
    names = [*values, *(shapes or {})]
    slots = [f":{n}" for n in values]
    slots += [f"ST_GeomFromText('{wkt}', 4326)" for wkt in (shapes or {}).values()]
    conn.execute(
        text(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(slots)})"), values
    )


def test_migration_keeps_every_row_and_claims_published_addresses(
    empty_engine: Engine,
) -> None:
    migrate.upgrade(empty_engine, "0010")
    line = {"route": "LINESTRING(4.39 50.4, 4.40 50.41)"}
    with empty_engine.begin() as conn:
        _row(conn, "organisations", id=1, slug="mill", name="Mill", **ORG)
        _row(conn, "trails", line, id=1, organisation_id=1, slug="walk", **TRAIL)
        _row(conn, "trails", line, id=2, organisation_id=1, slug="draft", **TRAIL)
        point = {"center": "POINT(4.39 50.4)"}
        stop = {"titles": "{}", "rules": "{}", "zone_kind": "circle", "radius_m": 20}
        _row(conn, "stops", point, id=1, trail_id=1, key="s", position=0, version=1, **stop)
        shapes = {
            "start_point": "POINT(4.39 50.4)",
            "extent": "POLYGON((4.39 50.4, 4.4 50.4, 4.4 50.41, 4.39 50.4))",
        }
        release = {"manifest": "{}", "manifest_sha256": "x", "visibility": "public"}
        _row(conn, "releases", shapes, id=1, trail_id=1, number=1, created_at=DAY, **release)
        conn.execute(text("UPDATE trails SET current_release_id = 1 WHERE id = 1"))
    migrate.upgrade(empty_engine)
    with empty_engine.connect() as conn:
        rows = conn.execute(
            text("SELECT slug, address, current_release_id, ST_AsText(route) FROM trails")
        ).all()
        assert sorted((r[0], r[1] or "", r[2] or 0) for r in rows) == [
            ("draft", "", 0),
            ("walk", "walk", 1),
        ]
        assert all(r[3] and r[3].upper().startswith("LINESTRING") for r in rows)
        assert conn.execute(text("SELECT count(*) FROM stops")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM releases")).scalar() == 1
        # The same slug in another organisation is allowed now; the address stays unique.
        _row(conn, "organisations", id=2, slug="fest", name="Fest", **ORG)
        _row(conn, "trails", id=3, organisation_id=2, slug="walk", **TRAIL)
        conn.commit()
    assert migrate.pending_differences(empty_engine) == []
