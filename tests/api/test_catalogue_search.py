"""Catalogue text search (``q``) by the database, on both backends: words, accents, ranking,
hostile input, and the index following publish, unpublish and deletion."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update

from server.catalogue import list_published
from server.db import migrate
from server.db.models import Release, Trail
from server.db.session import Database
from server.search import MAX_QUERY_LENGTH, MAX_QUERY_WORDS
from tests.support.factories import add_trail, trail_source
from tests.support.problems import problem

TRAILS: dict[str, dict[str, Any]] = {
    "moulin": {
        "languages": ["fr"],
        "title": {"fr": "Le Moulin de Marchienne"},
        "description": {"fr": "Roues à aubes et meules"},
    },
    "muhle": {"languages": ["de"], "title": {"de": "Die alte Mühle am Bach"}},
    "eglise": {
        "languages": ["fr", "nl"],
        "title": {"fr": "L'Église Saint-Christophe", "nl": "De Sint-Christoffelkerk"},
    },
    "harbour": {"languages": ["en"], "title": {"en": "Harbour Walk"}},
}


def _publish_all(db: Database) -> None:
    for slug, fields in TRAILS.items():
        add_trail(db, trail_source(slug, 50.4, 4.4, **fields))


def _slugs(client: TestClient, q: str, **params: Any) -> list[str]:
    r = client.get("/v1/trails", params={"q": q, **params})
    assert r.status_code == 200, r.text
    return [t["slug"] for t in r.json()["items"]]


def test_accents_and_case_are_ignored_in_every_language(client: TestClient, db: Database) -> None:
    _publish_all(db)
    assert _slugs(client, "moulin") == ["moulin"]
    assert _slugs(client, "MOULIN") == ["moulin"]
    assert _slugs(client, "muhle") == ["muhle"]
    assert _slugs(client, "MÜHLE") == ["muhle"]
    assert _slugs(client, "eglise") == ["eglise"]
    assert _slugs(client, "ÉGLISE saint") == ["eglise"]
    assert _slugs(client, "sint-christoffelkerk") == ["eglise"]  # Dutch text, hyphenated
    assert _slugs(client, "harbour walk") == ["harbour"]
    assert _slugs(client, "mou") == ["moulin"]  # the start of a word
    assert _slugs(client, "mo") == []  # of three letters or more; shorter words whole
    assert _slugs(client, "le moulin") == ["moulin"]
    assert _slugs(client, "oulin") == []  # but not its middle
    assert _slugs(client, "moulin harbour") == []  # every word must be there
    assert sorted(_slugs(client, "depart")) == ["eglise", "harbour", "moulin", "muhle"]  # stops


@pytest.mark.parametrize("q", ["?", "!!! ...", "-", "*", '"', "()", ":", "—«»"])
def test_text_without_a_word_finds_nothing(client: TestClient, db: Database, q: str) -> None:
    _publish_all(db)
    assert _slugs(client, q) == []


@pytest.mark.parametrize(
    "q",
    [
        '"moulin',
        'moulin"',
        "moulin*",
        "*moulin",
        "marchienne:moulin",
        "(moulin)",
        "-moulin",
        "moulin -marchienne",
        "moulin & marchienne",
        "moulin | marchienne",
        "!moulin",
        "moulin:*",
        "{moulin}^",
    ],
)
def test_query_syntax_is_read_as_plain_words(client: TestClient, db: Database, q: str) -> None:
    _publish_all(db)
    assert _slugs(client, q) == ["moulin"]


@pytest.mark.parametrize(
    "q", ["AND", "OR", "NOT", "NEAR", "moulin OR harbour", "moulin AND marchienne", "NEAR(moulin)"]
)
def test_operators_are_words_to_find(client: TestClient, db: Database, q: str) -> None:
    _publish_all(db)
    assert _slugs(client, q) == []  # no trail holds a word starting with "or", "not", ...


def test_a_query_longer_than_the_limit_is_refused(client: TestClient, db: Database) -> None:
    _publish_all(db)
    body = problem(client.get("/v1/trails", params={"q": ("moulin " * 1500)[:10_000]}), 422)
    assert body["errors"][0]["field"] == "query.q"
    assert _slugs(client, ("moulin " * 100)[:MAX_QUERY_LENGTH]) == ["moulin"]
    assert _slugs(client, "x" * MAX_QUERY_LENGTH) == []


def test_a_query_of_too_many_words_is_refused(client: TestClient, db: Database) -> None:
    _publish_all(db)
    many = " ".join("abcdefghijklmnopqrstuvwxyz"[: MAX_QUERY_WORDS + 1])
    body = problem(client.get("/v1/trails", params={"q": many}), 422)
    assert body["errors"][0]["field"] == "q"
    assert str(MAX_QUERY_WORDS) in body["errors"][0]["message"]
    # Repeated words count once; punctuation is no word.
    assert _slugs(client, "moulin " * 20 + "! ? ; " * 5) == ["moulin"]


def test_best_match_first_unless_sorted_by_distance(client: TestClient, db: Database) -> None:
    add_trail(
        db,
        trail_source(
            "a-passing-mention",
            50.4,
            4.4,
            title={"fr": "Tour de la ville"},
            description={"fr": "Gare, église, halles, place, parc, pont et un moulin au bout"},
        ),
    )
    add_trail(
        db,
        trail_source(
            "z-mills",
            50.45,
            4.45,
            title={"fr": "Moulins et moulins"},
            description={"fr": "Le moulin à eau, le moulin à vent"},
        ),
    )
    assert _slugs(client, "moulin") == ["z-mills", "a-passing-mention"]
    assert _slugs(client, "moulin", limit=1, offset=1) == ["a-passing-mention"]
    near = _slugs(client, "moulin", near="50.4,4.4", radius_m=20_000)
    assert near == ["a-passing-mention", "z-mills"]


def test_the_index_follows_publish_unpublish_and_deletion(client: TestClient, db: Database) -> None:
    add_trail(db, trail_source("walk", 50.4, 4.4, title={"fr": "Le Moulin"}))
    assert _slugs(client, "moulin") == ["walk"]
    # A new release replaces the words of the old one.
    add_trail(db, trail_source("walk", 50.4, 4.4, title={"fr": "La Forge"}))
    assert _slugs(client, "moulin") == []
    assert _slugs(client, "forge") == ["walk"]
    with db.transaction() as session:
        session.execute(update(Trail).values(current_release_id=None))
    assert _slugs(client, "forge") == []
    with db.transaction() as session:
        session.execute(delete(Release))
    assert _slugs(client, "forge") == []


def test_a_deleted_release_leaves_no_word_in_the_sqlite_index(db: Database) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL indexes the row itself: a deleted row leaves with its terms")
    add_trail(db, trail_source("walk", 50.4, 4.4, title={"fr": "Zanzibar"}))

    def stored() -> int:
        with db.engine.connect() as conn:
            return conn.exec_driver_sql(
                "SELECT count(*) FROM release_search_data WHERE instr(block, 'zanzibar') > 0"
            ).scalar_one()

    assert stored() == 1
    with db.transaction() as session:
        session.execute(delete(Release))
    with db.engine.connect() as conn:
        matched = "SELECT count(*) FROM release_search WHERE release_search MATCH 'zanzibar'"
        assert conn.exec_driver_sql(matched).scalar() == 0
    assert stored() >= 1  # marked deleted, but the term is still in its segments
    db.scrub()  # what a withdrawal or an erasure ends with
    assert stored() == 0


def test_the_migration_fills_releases_published_before_it(db: Database) -> None:
    add_trail(db, trail_source("walk", 50.4, 4.4, title={"fr": "Le Vieux Moulin"}))
    with db.transaction() as session:
        before = list_published(session, text="vieux")
    migrate.downgrade(db.engine, "0012")
    migrate.upgrade(db.engine)
    with db.transaction() as session:
        after = list_published(session, text="vieux")
        stored = session.scalars(select(Release.search_text)).one()
    assert [t.slug for t in after] == ["walk"]
    assert after == before
    assert stored == "le vieux moulin depart"
