"""The catalogue's answer, built from columns without a model per trail, on both backends:
what the OpenAPI document promises, what the manifest says, every combination of filters,
and the ETag that lets a client ask again for nothing."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from server.db.models import Release, Trail
from server.db.session import Database
from server.schemas.trails import TrailPage, TrailPublic
from tests.support.factories import add_trail, trail_source

FESTIVAL_END = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
TRAILS: list[tuple[str, float, float, dict[str, Any]]] = [
    (
        "moulin",
        50.405,
        4.395,
        {"title": {"fr": "Le Moulin"}, "description": {"fr": "Roues à aubes « anciennes »"}},
    ),
    (
        "kerk",
        50.41,
        4.44,
        {"languages": ["nl", "fr-BE"], "title": {"nl": "De Kerk", "fr-BE": "L'Église"}},
    ),
    (
        "festival",
        50.42,
        4.40,
        {
            "title": {"fr": "Moulin en fête"},
            "valid_from": (FESTIVAL_END - timedelta(days=10)).isoformat(),
            "valid_until": FESTIVAL_END.isoformat(),
        },
    ),
    ("namur", 50.4674, 4.872, {"languages": ["de"], "title": {"de": "Die Mühle"}}),
]


@pytest.fixture
def published(db: Database) -> None:
    for slug, lat, lon, fields in TRAILS:
        add_trail(db, trail_source(slug, lat, lon, **fields))


def _from_manifests(db: Database) -> dict[str, dict[str, Any]]:
    """Each trail's item as the manifest-based model writes it (distance aside)."""
    with db.transaction() as session:
        releases = session.scalars(
            select(Release).join(Trail, Trail.current_release_id == Release.id)
        ).all()
        return {
            r.manifest["slug"]: TrailPublic.from_release(r).model_dump(mode="json")
            for r in releases
        }


def _same_instant(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is b
    return datetime.fromisoformat(a) == datetime.fromisoformat(b)


def test_items_say_what_the_manifest_says_and_validate_against_the_schema(
    client: TestClient, db: Database, published: None
) -> None:
    answer = client.get("/v1/trails", params={"near": "50.405,4.395", "radius_m": 100_000})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    page = answer.json()
    TrailPage.model_validate(page)  # the response model the OpenAPI document shows
    assert list(page) == ["items", "limit", "offset"]
    assert [t["slug"] for t in page["items"]] == ["moulin", "festival", "kerk", "namur"]
    expected = _from_manifests(db)
    for item in page["items"]:
        want = expected[item["slug"]]
        assert list(item) == list(TrailPublic.model_fields)
        assert item["distance_m"] is not None and want["distance_m"] is None
        for key in ("published_at", "valid_from", "valid_until"):
            assert _same_instant(item[key], want[key]), key
            if item[key] is not None:
                assert item[key].endswith("Z")  # UTC, as the models write it
        plain = {"distance_m", "published_at", "valid_from", "valid_until"}
        assert {k: v for k, v in item.items() if k not in plain} == {
            k: v for k, v in want.items() if k not in plain
        }
    festival = next(t for t in page["items"] if t["slug"] == "festival")
    assert _same_instant(festival["valid_until"], FESTIVAL_END.isoformat())
    assert page["items"][0]["distance_m"] == 0.0
    # Non-ASCII text arrives as text (UTF-8), not as escapes.
    assert "« anciennes »" in answer.text


FILTERS: dict[str, tuple[str, str]] = {
    "near": ("near", "50.405,4.395"),
    "bbox": ("bbox", "4.3,50.3,4.5,50.5"),
    "lang": ("lang", "fr"),
    "q": ("q", "moulin"),
}
# Which trails each filter keeps (near: 20 km; bbox: around Charleroi; fr also finds fr-BE).
KEPT = {
    "near": {"moulin", "kerk", "festival"},
    "bbox": {"moulin", "kerk", "festival"},
    "lang": {"moulin", "kerk", "festival"},
    "q": {"moulin", "festival"},
}


@pytest.mark.parametrize(
    "combination",
    [c for n in range(len(FILTERS) + 1) for c in itertools.combinations(FILTERS, n)],
    ids=lambda c: "+".join(c) or "none",
)
def test_every_combination_of_filters(
    client: TestClient, published: None, combination: tuple[str, ...]
) -> None:
    params = dict(FILTERS[name] for name in combination)
    if "near" in combination:
        params["radius_m"] = "20000"
    answer = client.get("/v1/trails", params=params)
    assert answer.status_code == 200, answer.text
    slugs = [t["slug"] for t in answer.json()["items"]]
    expected = {slug for slug, *_ in TRAILS}
    for name in combination:
        expected &= KEPT[name]
    assert sorted(slugs) == sorted(expected)
    if "near" in combination:
        distances = [t["distance_m"] for t in answer.json()["items"]]
        assert distances == sorted(distances)
    # The page is cut where asked.
    assert len(client.get("/v1/trails", params=params | {"limit": 1}).json()["items"]) == min(
        1, len(expected)
    )


def test_an_unchanged_page_is_not_sent_again(
    client: TestClient, db: Database, published: None
) -> None:
    first = client.get("/v1/trails", params={"lang": "fr"})
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    again = client.get("/v1/trails", params={"lang": "fr"}, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    listed = client.get(
        "/v1/trails", params={"lang": "fr"}, headers={"If-None-Match": f'"other", W/{etag}'}
    )
    assert listed.status_code == 304
    head = client.head("/v1/trails", params={"lang": "fr"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == etag
    # Another page, or the same once a trail is published, has another ETag.
    other = client.get("/v1/trails", params={"lang": "nl"}, headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["etag"] != etag
    add_trail(db, trail_source("forge", 50.40, 4.39, title={"fr": "La Forge"}))
    changed = client.get("/v1/trails", params={"lang": "fr"}, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert "forge" in [t["slug"] for t in changed.json()["items"]]
    assert changed.headers["etag"] != etag


def test_an_expired_trail_leaves_the_listing(
    client: TestClient, db: Database, published: None
) -> None:
    with db.transaction() as session:
        release = session.scalars(
            select(Release).join(Trail, Trail.current_release_id == Release.id)
            .where(Trail.address == "festival")
        ).one()  # fmt: skip
        release.valid_until = datetime.now(UTC) - timedelta(seconds=1)
    slugs = [t["slug"] for t in client.get("/v1/trails").json()["items"]]
    assert sorted(slugs) == ["kerk", "moulin", "namur"]
