"""Migrations run on both backends and match the models."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from sqlalchemy import Column, Engine, MetaData, String, inspect

from server.db import migrate
from server.db.models import Base

OUR_TABLES = set(Base.metadata.tables)


def _our_tables(engine: Engine) -> set[str]:
    return OUR_TABLES & set(inspect(engine).get_table_names())


def test_upgrade_downgrade_and_no_autogenerate_difference(empty_engine: Engine) -> None:
    assert migrate.current_revision(empty_engine) is None
    migrate.upgrade(empty_engine)
    head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    assert migrate.current_revision(empty_engine) == head
    assert _our_tables(empty_engine) == OUR_TABLES
    assert migrate.pending_differences(empty_engine) == []

    migrate.downgrade(empty_engine)
    assert migrate.current_revision(empty_engine) is None
    assert _our_tables(empty_engine) == set()

    # Down then up again works: nothing of the first run is left behind.
    migrate.upgrade(empty_engine)
    assert migrate.pending_differences(empty_engine) == []


def test_autogenerate_would_notice_a_model_change(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    changed = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["organisations"].append_column(Column("nickname", String(20)))

    diffs = migrate.pending_differences(empty_engine, changed)

    assert [(d[0], d[2], d[3].name) for d in diffs] == [("add_column", "organisations", "nickname")]
