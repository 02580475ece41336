"""Spatial queries: metres not degrees, index-backed, the same answers on both backends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from server.catalogue import list_published
from server.db import migrate
from server.db.engine import make_engine
from server.db.session import Database
from tests.support.factories import add_trail, trail_source
from trails.geo import BBox, haversine_m

MILL = (50.4050, 4.3950)  # lat, lon
# Name, latitude, longitude: a spread of distances and bearings from the mill.
PLACES = [
    ("north-800m", 50.4122, 4.3950),
    ("east-1500m", 50.4050, 4.4161),
    ("south-3km", 50.3780, 4.3950),
    ("charleroi-centre", 50.4108, 4.4446),
    ("namur", 50.4674, 4.8720),
    ("brussels", 50.8467, 4.3525),
    ("across-the-dateline", -16.5, 179.99),
]


def _populate(db: Database) -> None:
    for name, lat, lon in PLACES:
        add_trail(db, trail_source(name, lat, lon))
    add_trail(db, trail_source("draft-only", 50.4051, 4.3951), published=False)
    add_trail(db, trail_source("hidden", 50.4052, 4.3952, visibility="unlisted"))
    expired = datetime.now(UTC) - timedelta(days=1)
    add_trail(
        db,
        trail_source(
            "festival-over",
            50.4053,
            4.3953,
            valid_from=(expired - timedelta(days=2)).isoformat(),
            valid_until=expired.isoformat(),
        ),
    )


def _near(db: Database, radius_m: float) -> list[tuple[str, float]]:
    with db.transaction() as session:
        rows = list_published(session, near=MILL, radius_m=radius_m)
        return [(r.slug, r.distance_m or 0.0) for r in rows]


def _in_box(db: Database, box: BBox) -> list[str]:
    with db.transaction() as session:
        return [r.slug for r in list_published(session, bbox=box)]


def test_near_sorted_by_distance_in_metres(db: Database) -> None:
    _populate(db)
    found = _near(db, 5000)
    assert [name for name, _ in found] == [
        "north-800m",
        "east-1500m",
        "south-3km",
        "charleroi-centre",
    ]
    for name, distance in found:
        _, lat, lon = next(p for p in PLACES if p[0] == name)
        # Ellipsoidal (database) against spherical (haversine): within 0.5 %.
        assert distance == pytest.approx(haversine_m(MILL[0], MILL[1], lat, lon), rel=0.005)


def test_radius_is_a_distance_not_degrees(db: Database) -> None:
    _populate(db)
    assert [name for name, _ in _near(db, 1000)] == ["north-800m"]
    assert [name for name, _ in _near(db, 700)] == []
    # 40 km reaches Namur (about 34 km) but not Brussels (about 49 km).
    assert "namur" in dict(_near(db, 40_000))
    assert "brussels" not in dict(_near(db, 40_000))


def test_drafts_unlisted_and_expired_trails_are_not_listed(db: Database) -> None:
    _populate(db)
    names = {name for name, _ in _near(db, 200)}
    assert names.isdisjoint({"draft-only", "hidden", "festival-over"})


def test_bbox_intersects(db: Database) -> None:
    _populate(db)
    charleroi = BBox(4.38, 50.37, 4.45, 50.42)
    assert _in_box(db, charleroi) == sorted(
        ["north-800m", "east-1500m", "south-3km", "charleroi-centre"]
    )
    # A box that only grazes the edge of a zone (30 m around north-800m's start) still finds it.
    graze = BBox(4.3952, 50.4124, 4.40, 50.42)
    assert _in_box(db, graze) == ["north-800m"]
    assert _in_box(db, BBox(0.0, 0.0, 1.0, 1.0)) == []


def test_queries_use_the_spatial_index(db: Database, backend: str) -> None:
    _populate(db)
    with db.engine.connect() as conn:
        if backend == "spatialite":
            count = conn.execute(text("SELECT count(*) FROM idx_releases_start_point")).scalar_one()
            assert count == len(PLACES) + 2  # the draft has no release
            sql = (
                "EXPLAIN QUERY PLAN SELECT id FROM releases WHERE id IN (SELECT rowid FROM "
                "SpatialIndex WHERE f_table_name='releases' AND f_geometry_column='start_point' "
                "AND search_frame=BuildMbr(4.3,50.3,4.5,50.5,4326))"
            )
            plan = " ".join(str(row) for row in conn.execute(text(sql)))
            assert "SpatialIndex" in plan
        else:
            conn.execute(text("SET enable_seqscan = off"))
            plan = " ".join(
                row[0]
                for row in conn.execute(
                    text(
                        "EXPLAIN SELECT id FROM releases WHERE start_point && "
                        "ST_MakeEnvelope(4.3, 50.3, 4.5, 50.5, 4326)"
                    )
                )
            )
            assert "idx_releases_start_point" in plan


@pytest.fixture
def both_backends(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[], list[Database]]:
    def build() -> list[Database]:
        databases = []
        spatialite = tmp_path_factory.mktemp("cmp") / "cmp.db"
        cluster = request.getfixturevalue("postgres_cluster")
        template = request.getfixturevalue("postgis_template")
        admin = make_engine(cluster.url())
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"CREATE DATABASE compare_backends TEMPLATE {template}"))
        admin.dispose()
        for url in (f"sqlite:///{spatialite}", cluster.url("compare_backends")):
            engine = make_engine(url)
            migrate.upgrade(engine)
            databases.append(Database(engine))
        return databases

    return build


def test_backends_agree(both_backends: Callable[[], list[Database]]) -> None:
    spatialite, postgis = both_backends()
    for db in (spatialite, postgis):
        _populate(db)
    for radius in (500, 5000, 40_000, 200_000):
        a, b = _near(spatialite, radius), _near(postgis, radius)
        assert [n for n, _ in a] == [n for n, _ in b]
        for (_, da), (_, db_) in zip(a, b, strict=True):
            assert da == pytest.approx(db_, abs=0.01)
    box = BBox(4.0, 50.0, 5.0, 51.0)
    assert _in_box(spatialite, box) == _in_box(postgis, box)
    for db in (spatialite, postgis):
        db.dispose()
