"""The migration that scopes private files gives each named file to the organisation that
named it first: a copy another organisation named later (by its hash) is not theirs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, MetaData, insert, select

from server.db import migrate

NOW = datetime(2026, 5, 1, tzinfo=UTC)


def _add(engine: Engine, tables: MetaData, table: str, **values: Any) -> int:
    with engine.begin() as connection:
        result = connection.execute(insert(tables.tables[table]).values(**values))
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])


def test_named_files_are_held_by_the_organisation_that_named_them_first(
    empty_engine: Engine,
) -> None:
    migrate.upgrade(empty_engine, "0006")
    tables = MetaData()
    tables.reflect(empty_engine)
    stamps = {"created_at": NOW, "updated_at": NOW}
    org_a = _add(empty_engine, tables, "organisations", slug="a", name="A", version=1, **stamps)
    org_b = _add(empty_engine, tables, "organisations", slug="b", name="B", version=1, **stamps)
    member = _add(
        empty_engine,
        tables,
        "users",
        email="c@example.org",
        display_name="c",
        is_admin=False,
        **stamps,
    )

    def story(org: int, photo: str | None, by: int | None = None) -> int:
        return _add(
            empty_engine,
            tables,
            "stories",
            organisation_id=org,
            title="s",
            role="voice",
            credits=[],
            consents=[],
            status="approved",
            version=1,
            photo_sha256=photo,
            submitted_by_id=by,
            **stamps,
        )

    first = story(org_a, "a" * 64, member)
    story(org_b, "a" * 64)  # named later, from elsewhere, by its hash
    story(org_a, "a" * 64)
    story(org_b, "b" * 64)
    story(org_a, None)
    _add(
        empty_engine,
        tables,
        "consent_records",
        story_id=first,
        organisation_id=org_a,
        person="p",
        publication=True,
        archive=True,
        given_on=NOW,
        form_sha256="f" * 64,
        recorded_by_id=member,
        created_at=NOW,
    )

    migrate.upgrade(empty_engine)

    held = MetaData()
    held.reflect(empty_engine, only=["private_files"])
    files = held.tables["private_files"]
    with empty_engine.connect() as connection:
        rows = connection.execute(
            select(files.c.organisation_id, files.c.kind, files.c.sha256, files.c.uploaded_by_id)
        ).all()
    assert sorted(tuple(r) for r in rows) == sorted(
        [
            (org_a, "photo", "a" * 64, member),
            (org_b, "photo", "b" * 64, None),
            (org_a, "form", "f" * 64, member),
        ]
    )
