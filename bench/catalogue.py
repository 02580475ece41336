"""Catalogue benchmark: "trails near me" over many published trails, at the API and in SQL.

Run from the repository root: ``.venv/bin/python bench/catalogue.py`` (``--quick`` for 2,000
trails and 8 clients). See bench/README.md, section Catalogue.
"""

from __future__ import annotations

import asyncio
import math
import random
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy import Engine, Table, create_engine, event, insert, select, update

from bench.common import Baseline, Result, baladeur_server, percentile, standalone
from server.catalogue import list_published
from server.db.migrate import upgrade
from server.db.models import Release, Trail
from server.db.session import Database
from server.settings import Settings
from tests.support.factories import add_trail, trail_source

CENTRE = (50.0, 4.5)  # lat, lon: around Charleroi
DENSITY_PER_KM2 = 0.1  # 100,000 trails over 1,000 km x 1,000 km
RADIUS_M = 5000.0
GOAL_P99_MS = 25.0
GOAL_RATIO = 3.0
BATCH = 5000


def area_side_km(n: int) -> float:
    """Side of the square the trails are spread over, so density is the same at any size."""
    return math.sqrt(n / DENSITY_PER_KM2)


def random_point(rng: random.Random, side_km: float) -> tuple[float, float]:
    """A uniformly random (lat, lon) in the square around CENTRE."""
    lat0, lon0 = CENTRE
    half = side_km / 2
    dlat = rng.uniform(-half, half) / 111.32
    dlon = rng.uniform(-half, half) / (111.32 * math.cos(math.radians(lat0)))
    return lat0 + dlat, lon0 + dlon


def populate(db: Database, n: int, seed: int = 7) -> None:
    """Publish one trail through the real path, then bulk-copy it ``n`` times, spread out.

    Trails and releases are inserted directly (executemany) because publishing 100,000 trails
    one by one would take hours and measure nothing the catalogue does.
    """
    add_trail(db, trail_source("template", *CENTRE))
    rng = random.Random(seed)
    side = area_side_km(n)
    trails, releases = cast(Table, Trail.__table__), cast(Table, Release.__table__)
    with db.engine.begin() as conn:
        trail_row = dict(conn.execute(select(trails)).mappings().one())
        release_row = dict(conn.execute(select(releases)).mappings().one())
    for key in ("id", "current_release_id", "route"):
        trail_row.pop(key)
    for key in ("id", "start_point", "extent", "trail_id"):
        release_row.pop(key)
    first = 1000  # ids above the template's
    now = datetime.now(UTC)
    for start in range(0, n, BATCH):
        ids = range(first + start, first + min(n, start + BATCH))
        t_rows, r_rows = [], []
        for i in ids:
            lat, lon = random_point(rng, side)
            d = 0.002
            t_rows.append(
                trail_row | {"id": i, "slug": f"t{i}", "address": f"t{i}", "created_at": now}
            )
            r_rows.append(
                release_row
                | {
                    "id": i,
                    "trail_id": i,
                    "start_point": f"SRID=4326;POINT({lon!r} {lat!r})",
                    "extent": f"SRID=4326;POLYGON(({lon - d!r} {lat - d!r},{lon + d!r} "
                    f"{lat - d!r},{lon + d!r} {lat + d!r},{lon - d!r} {lat + d!r},"
                    f"{lon - d!r} {lat - d!r}))",
                }
            )
        with db.engine.begin() as conn:
            conn.execute(insert(trails), t_rows)
            conn.execute(insert(releases), r_rows)
            conn.execute(
                update(trails)
                .where(trails.c.id >= ids[0], trails.c.id <= ids[-1])
                .values(current_release_id=trails.c.id)
            )
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def capture_sql(db: Database, points: list[tuple[float, float]]) -> list[tuple[str, Any]]:
    """The exact statement and parameters ``list_published`` sends for each point."""
    captured: list[tuple[str, Any]] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        captured.append((statement, params))

    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        out = []
        for point in points:
            del captured[:]
            with db.sessions() as session:
                list_published(session, near=point, radius_m=RADIUS_M)
            out.append(captured[-1])
        return out
    finally:
        event.remove(db.engine, "before_cursor_execute", on_execute)


def time_raw_sql(engine: Engine, queries: list[tuple[str, Any]], clients: int) -> list[float]:
    """Latency (s) of each statement run straight on a connection, ``clients`` at once."""
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(chunk: list[tuple[str, Any]]) -> None:
        mine = []
        with engine.connect() as conn:
            for statement, params in chunk:
                start = time.perf_counter()
                conn.exec_driver_sql(statement, params).fetchall()
                mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(queries[k::clients],)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


async def time_api(base: str, points: list[tuple[float, float]], clients: int) -> list[float]:
    """Latency (s) of ``GET /v1/trails?near=…`` from ``clients`` concurrent clients."""
    latencies: list[float] = []
    queue = list(points)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def worker() -> None:
            while queue:
                lat, lon = queue.pop()
                start = time.perf_counter()
                response = await client.get(
                    "/v1/trails", params={"near": f"{lat},{lon}", "radius_m": RADIUS_M}
                )
                latencies.append(time.perf_counter() - start)
                if response.status_code != 200:
                    raise RuntimeError(f"catalogue answered {response.status_code}")

        await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies


@contextmanager
def backend(kind: str) -> Iterator[tuple[Database, dict[str, str], Engine]]:
    """A fresh, migrated database of ``kind``; its server settings; an engine for raw SQL."""
    with tempfile.TemporaryDirectory(prefix="bench-catalogue-") as tmp:
        env = {"BALADEUR_DATA_DIR": tmp}
        cluster = None
        if kind == "postgis":
            from tests.support.postgres import start_cluster

            cluster = start_cluster()
            env["BALADEUR_DATABASE_URL"] = cluster.url()
            bootstrap = create_engine(cluster.url())
            with bootstrap.begin() as conn:
                conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
            bootstrap.dispose()
        try:
            settings = Settings(data_dir=Path(tmp), database_url=env.get("BALADEUR_DATABASE_URL"))
            db = Database.from_settings(settings)
            upgrade(db.engine)
            raw = db.engine
            if kind == "postgis":
                # One connection per client, as the API's pool would give under load.
                raw = create_engine(db.engine.url, pool_size=64, max_overflow=0)
            try:
                yield db, env, raw
            finally:
                if raw is not db.engine:
                    raw.dispose()
                db.dispose()
        finally:
            if cluster is not None:
                cluster.stop()


def measure(kind: str, n: int, clients: int, requests: int) -> dict[str, Any]:
    """Populate one backend, then time the API and the raw SQL on the same points."""
    rng = random.Random(11)
    side = area_side_km(n)
    points = [random_point(rng, side) for _ in range(requests)]
    with backend(kind) as (db, env, raw):
        start = time.perf_counter()
        populate(db, n)
        load_s = time.perf_counter() - start
        queries = capture_sql(db, points)
        time_raw_sql(raw, queries[: clients * 2], clients)  # warm-up
        sql = time_raw_sql(raw, queries, clients)
        with baladeur_server(env) as (base, _proc):
            asyncio.run(time_api(base, points[: clients * 2], clients))  # warm-up
            api = asyncio.run(time_api(base, points, clients))
        with db.sessions() as session:
            found = [len(list_published(session, near=p, radius_m=RADIUS_M)) for p in points[:50]]
    return {"sql": sql, "api": api, "load_s": load_s, "mean_found": sum(found) / len(found)}


def run(quick: bool = False) -> list[Result]:
    """p50/p99 at the API on SpatiaLite and PostGIS, each beside the same SQL run directly."""
    n = 2000 if quick else 100_000
    clients = 8 if quick else 32
    requests = 200 if quick else 3200
    results = []
    for kind in ("spatialite", "postgis"):
        m = measure(kind, n, clients, requests)
        extra = {
            "trails": n,
            "clients": clients,
            "requests": requests,
            "populate_s": round(m["load_s"], 1),
            "mean_trails_found": m["mean_found"],
        }
        api_p99 = percentile(m["api"], 99) * 1000
        sql_p99 = percentile(m["sql"], 99) * 1000
        what = f"near, {RADIUS_M / 1000:g} km, {n:,} trails, {clients} clients"
        results += [
            Result(
                "catalogue", f"{kind}: {what}: p50", "ms", percentile(m["api"], 50) * 1000,
                Baseline("same SQL run directly", percentile(m["sql"], 50) * 1000), extra=extra,
            ),
            Result(
                "catalogue", f"{kind}: {what}: p99", "ms", api_p99,
                Baseline("same SQL run directly", sql_p99),
                goal=f"<= {GOAL_P99_MS:g} ms and <= {GOAL_RATIO:g}x raw SQL",
                met=api_p99 <= GOAL_P99_MS and api_p99 <= GOAL_RATIO * sql_p99, extra=extra,
            ),
        ]  # fmt: skip
    return results


def main() -> int:
    return standalone(run, __doc__, quick="2,000 trails, 8 clients")


if __name__ == "__main__":
    sys.exit(main())
