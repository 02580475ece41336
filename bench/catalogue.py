"""Catalogue benchmark: "trails near a place" and two-word text search over many published
trails, at the API and in SQL.

Run from the repository root: ``.venv/bin/python bench/catalogue.py`` (``--quick`` for 2,000
trails and 8 clients; ``--compare PATH`` also times the API of another checkout, e.g. a
worktree of the main branch, on the same databases in the same run). See bench/README.md,
section Catalogue.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, Table, create_engine, event, insert, select, update

from bench.common import (
    Baseline,
    Result,
    baladeur_server,
    free_port,
    percentile,
    stop,
    wait_http,
)
from server.catalogue import list_published
from server.db.migrate import upgrade
from server.db.models import Release, Trail
from server.db.session import Database
from server.search import indexed_text
from server.settings import Settings
from tests.support.factories import add_trail, trail_source
from tests.support.replicas import NGINX_TEMPLATE, render_nginx_conf

CENTRE = (50.0, 4.5)  # lat, lon: around Charleroi
DENSITY_PER_KM2 = 0.1  # 100,000 trails over 1,000 km x 1,000 km
RADIUS_M = 5000.0
GOAL_P99_MS = 25.0
GOAL_RATIO = 3.0
GOAL_TEXT_P99_MS = 50.0
GOAL_REPLICAS_RATIO = 1.7
BATCH = 5000
WRK_SCRIPT = Path(__file__).with_name("catalogue.lua")
# wrk runs for a set time; the script stops it once every request is answered.
WRK_LIMIT_S = 900
# Made-up words of three syllables: none is the start of another, so a query's selectivity
# is known (each trail holds 9 of 400 words; two of them pick about 1 trail in 2,000).
_SYLLABLES = [c + v for c in "bdfklmnprstv" for v in "aeiou"]
WORDS = sorted(
    {a + b + c for a in _SYLLABLES[:8] for b in _SYLLABLES[8:16] for c in _SYLLABLES[16:23]}
)[:400]
TITLE_WORDS = 3
DESCRIPTION_WORDS = 6


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


def trail_words(rng: random.Random) -> tuple[str, str]:
    """A made-up title and description."""
    chosen = rng.sample(WORDS, TITLE_WORDS + DESCRIPTION_WORDS)
    return " ".join(chosen[:TITLE_WORDS]).title(), " ".join(chosen[TITLE_WORDS:])


def populate(db: Database, n: int, seed: int = 7) -> None:
    """Publish one trail through the real path, then bulk-copy it ``n`` times, spread out,
    each with its own made-up words.

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
            title, description = trail_words(rng)
            texts = {"title": {"fr": title}, "description": {"fr": description}}
            d = 0.002
            t_rows.append(
                trail_row | {"id": i, "slug": f"t{i}", "address": f"t{i}", "created_at": now}
            )
            r_rows.append(
                release_row
                | {
                    "id": i,
                    "trail_id": i,
                    **texts,
                    "search_text": indexed_text(texts),
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


def capture_sql(db: Database, searches: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """The exact statement and parameters ``list_published`` sends for each search."""
    captured: list[tuple[str, Any]] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        captured.append((statement, params))

    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        out = []
        for search in searches:
            del captured[:]
            with db.sessions() as session:
                list_published(session, **search)
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


def cpu_s(pid: int) -> float:
    """CPU time (user + system) a live process has used so far, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Timed:
    """What one load of requests measured: latency percentiles of the answered requests (s),
    how many were answered and how many failed, over how long."""

    answered: int = 0
    p50_s: float = math.nan
    p99_s: float = math.nan
    errors: int = 0
    first_error: str = ""
    wall_s: float = 0.0
    # CPU time the server process spent meanwhile (user + system), when measured.
    server_cpu_s: float = math.nan

    def percentile_s(self, q: int) -> float:
        """The p50 or p99 latency, in seconds."""
        return {50: self.p50_s, 99: self.p99_s}[q]

    def cpu_ms_per_request(self) -> float:
        """The server's CPU time per answered request, in ms: its Python, whatever the load."""
        return self.server_cpu_s / self.answered * 1000 if self.answered else math.nan

    def throughput(self) -> float:
        """Answered requests per second over the run."""
        return self.answered / self.wall_s if self.wall_s else math.nan


def wrk_binary() -> str:
    """The load generator: wrk (Debian's package), installed by ``scripts/setup.sh test``."""
    found = shutil.which("wrk")
    if found is None:
        raise FileNotFoundError("wrk is not installed (apt-get install wrk)")
    return found


def time_api(base: str, queries: list[dict[str, Any]], clients: int) -> Timed:
    """Latency of ``GET /v1/trails`` with each query, from ``clients`` concurrent connections.

    The clients are wrk's (one thread of C, about 0.05 ms of CPU per request) rather than
    Python's: on a 2-core machine, an httpx client spent about as much CPU per request as
    the server it measured, and set the latencies. A refused or reset connection, a timeout
    or an answer other than 200 counts as an error of the run instead of ending it.
    """
    paths = [f"/v1/trails?{urlencode(q)}" for q in queries]
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        listed = Path(tmp) / "paths.txt"
        listed.write_text("\n".join(paths) + "\n")
        command = [
            wrk_binary(), "-t1", f"-c{clients}", f"-d{WRK_LIMIT_S}s", "--timeout", "30s",
            "-s", str(WRK_SCRIPT), base,
        ]  # fmt: skip
        env = {**os.environ, "BENCH_PATHS": str(listed)}
        proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        finished = threading.Event()
        lines: list[str] = []

        def read() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                if line.strip() == "finished":
                    finished.set()
                lines.append(line)
            finished.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        # Every path answered (or wrk gave up): stop it now, and it prints its figures.
        finished.wait(WRK_LIMIT_S + 30)
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
        reader.join(timeout=10)
    figures = next((json.loads(line) for line in reversed(lines) if line.startswith("{")), None)
    if figures is None:
        raise RuntimeError(f"wrk printed no figures (exit {proc.returncode}): {''.join(lines)}")
    failed = {k: figures[k] for k in ("not_200", "connect", "read", "write", "timeout")}
    errors = sum(failed.values())
    return Timed(
        answered=max(0, figures["requests"] - figures["not_200"] - figures["timeout"]),
        p50_s=figures["p50_us"] / 1e6,
        p99_s=figures["p99_us"] / 1e6,
        errors=errors,
        first_error=", ".join(f"{n} {k}" for k, n in failed.items() if n),
        wall_s=figures["duration_us"] / 1e6,
    )


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


def text_query(rng: random.Random) -> str:
    """Two words that one made-up trail holds (what a visitor types: its title's start)."""
    title, _ = trail_words(rng)
    return " ".join(title.split()[:2])


def measure(
    kind: str,
    n: int,
    clients: int,
    requests: int,
    compare: Path | None = None,
    replicas: bool = False,
) -> dict[str, Any]:
    """Populate one backend, then time the API and the raw SQL on the same searches; also
    another checkout's API (``compare``) and replicas behind nginx (``replicas``)."""
    rng = random.Random(11)
    side = area_side_km(n)
    points = [random_point(rng, side) for _ in range(requests)]
    words = [text_query(random.Random(rng.randrange(n))) for _ in range(requests)]
    searches: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {
        "near": (
            [{"near": p, "radius_m": RADIUS_M} for p in points],
            [{"near": f"{lat},{lon}", "radius_m": RADIUS_M} for lat, lon in points],
        ),
        "q": ([{"text": q} for q in words], [{"q": q} for q in words]),
    }
    out: dict[str, Any] = {}
    with backend(kind) as (db, env, raw):
        start = time.perf_counter()
        populate(db, n)
        out["load_s"] = time.perf_counter() - start
        for what, (calls, _) in searches.items():
            queries = capture_sql(db, calls)
            time_raw_sql(raw, queries[: clients * 2], clients)  # warm-up
            out[f"{what}_sql"] = time_raw_sql(raw, queries, clients)
            with db.sessions() as session:
                found = [len(list_published(session, **c)) for c in calls[:50]]
            out[f"{what}_found"] = sum(found) / len(found)
        servers: dict[str, Path | None] = {"api": None}
        if compare is not None:
            servers["compared"] = compare
        for name, code in servers.items():
            with baladeur_server(env, code=code) as (base, proc):
                for what, (_, params) in searches.items():
                    time_api(base, params[: clients * 2], clients)  # warm-up
                    before = cpu_s(proc.pid)
                    timed = time_api(base, params, clients)
                    timed.server_cpu_s = cpu_s(proc.pid) - before
                    out[f"{what}_{name}"] = timed
        if replicas:
            # Long enough to be a throughput, and each set twice, taking turns, keeping its
            # best: a change of the machine's load then touches every set.
            near = (searches["near"][1] * 25)[: max(len(points), 5000)]
            for _ in range(2):
                for name, (count, options) in REPLICA_SETS.items():
                    with balanced(env, count, options) as base:
                        time_api(base, near[: clients * 4], clients)  # warm-up
                        timed = time_api(base, near, clients)
                    best = out.get(f"balanced_{name}")
                    if best is None or timed.throughput() > best.throughput():
                        out[f"balanced_{name}"] = timed
    return out


# Behind nginx (deploy/nginx.conf, round robin): replicas, each `baladeur serve` with options.
REPLICA_SETS: dict[str, tuple[int, tuple[str, ...]]] = {
    "one replica": (1, ()),
    "two replicas": (2, ()),
    "one replica of 2 workers": (1, ("--workers", "2")),
}


@contextmanager
def balanced(env: dict[str, str], count: int, options: tuple[str, ...]) -> Iterator[str]:
    """``count`` replicas (``baladeur serve`` with ``options``) behind nginx on loopback,
    configured from deploy/nginx.conf as the multi-replica test renders it; its address."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise FileNotFoundError("nginx is not installed (apt-get install nginx)")
    with tempfile.TemporaryDirectory(prefix="bench-nginx-") as tmp, ExitStack() as stack:
        upstreams = []
        for _ in range(count):
            # Worker processes each import the whole application: slow on a loaded machine.
            base, _proc = stack.enter_context(baladeur_server(env, *options, start_s=300))
            upstreams.append(base.removeprefix("http://"))
        port = free_port()
        conf = Path(tmp) / "nginx.conf"
        rendered = render_nginx_conf(
            NGINX_TEMPLATE.read_text(), upstreams, f"127.0.0.1:{port}", Path(tmp)
        )
        # The access log would cost nginx a write per request: not what is measured here.
        logged = f"access_log {tmp}/access.log upstreams;"
        conf.write_text(rendered.replace(logged, "access_log off;"))
        args = [binary, "-c", str(conf), "-p", tmp, "-e", f"{tmp}/error.log"]
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        stack.callback(stop, proc)
        wait_http(f"http://127.0.0.1:{port}/healthz", proc)
        yield f"http://127.0.0.1:{port}"


def _rows(
    kind: str, what: str, label: str, goal_ms: float, m: dict[str, Any], extra: dict[str, Any]
) -> list[Result]:
    """p50 and p99 at the API beside the same SQL run directly, and the failed requests."""
    api: Timed = m[f"{what}_api"]
    sql = m[f"{what}_sql"]
    extra = extra | {"mean_trails_found": m[f"{what}_found"], "first_error": api.first_error}
    api_p99 = api.p99_s * 1000
    sql_p99 = percentile(sql, 99) * 1000
    if what == "near":
        goal = f"<= {goal_ms:g} ms and <= {GOAL_RATIO:g}x raw SQL"
        met = api_p99 <= goal_ms and api_p99 <= GOAL_RATIO * sql_p99
    else:
        goal, met = f"<= {goal_ms:g} ms", api_p99 <= goal_ms
    return [
        Result(
            "catalogue", f"{kind}: {label}: p50", "ms", api.p50_s * 1000,
            Baseline("same SQL run directly", percentile(sql, 50) * 1000), extra=extra,
        ),
        Result(
            "catalogue", f"{kind}: {label}: p99", "ms", api_p99,
            Baseline("same SQL run directly", sql_p99), goal=goal, met=met and api.errors == 0,
            extra=extra,
        ),
        Result(
            "catalogue", f"{kind}: {label}: failed requests", "", float(api.errors),
            goal="0", met=api.errors == 0, notes=api.first_error, extra=extra,
        ),
        Result(
            "catalogue", f"{kind}: {label}: server CPU per request", "ms",
            api.cpu_ms_per_request(),
            Baseline("same SQL run directly, p50", percentile(sql, 50) * 1000), extra=extra,
        ),
    ]  # fmt: skip


def _compared_rows(kind: str, what: str, label: str, m: dict[str, Any]) -> list[Result]:
    """The other checkout's API on the same searches, beside this one's, for information."""
    theirs: Timed = m[f"{what}_compared"]
    ours: Timed = m[f"{what}_api"]
    return [
        Result(
            "catalogue", f"{kind}: {label}: compared checkout: p{q}", "ms",
            theirs.percentile_s(q) * 1000,
            Baseline("this checkout, same run", ours.percentile_s(q) * 1000),
            notes=f"{theirs.errors} failed", extra={"errors": theirs.errors},
        )
        for q in (50, 99)
    ] + [
        Result(
            "catalogue", f"{kind}: {label}: compared checkout: server CPU per request", "ms",
            theirs.cpu_ms_per_request(),
            Baseline("this checkout, same run", ours.cpu_ms_per_request()),
        )
    ]  # fmt: skip


def _replica_rows(m: dict[str, Any], clients: int) -> list[Result]:
    """Throughput of ``near`` through nginx: two replicas (and one of two worker processes)
    against one replica, in the same run."""
    one: Timed = m["balanced_one replica"]
    rows = []
    for name in ("two replicas", "one replica of 2 workers"):
        timed: Timed = m[f"balanced_{name}"]
        goal = f">= {GOAL_REPLICAS_RATIO:g}x one replica" if name == "two replicas" else None
        ratio = timed.throughput() / one.throughput()
        rows.append(
            Result(
                "catalogue", f"postgis: near, {clients} clients, nginx, {name}: throughput",
                "req/s", timed.throughput(),
                Baseline("one replica behind the same nginx", one.throughput()),
                goal=goal,
                met=None if goal is None else ratio >= GOAL_REPLICAS_RATIO and timed.errors == 0,
                notes=f"{timed.errors} failed; {os.cpu_count()} cores shared with the clients",
                extra={"errors": timed.errors, "baseline_errors": one.errors},
            )
        )  # fmt: skip
    return rows


def run(quick: bool = False, compare: Path | None = None) -> list[Result]:
    """p50/p99 of ``near`` and ``q`` at the API on SpatiaLite and PostGIS, each beside the
    same SQL run directly; replicas' throughput on PostGIS."""
    n = 2000 if quick else 100_000
    clients = 8 if quick else 32
    requests = 1000 if quick else 3200
    results = []
    for kind in ("spatialite", "postgis"):
        m = measure(kind, n, clients, requests, compare, replicas=kind == "postgis")
        extra = {
            "trails": n,
            "clients": clients,
            "requests": requests,
            "populate_s": round(m["load_s"], 1),
        }
        size = f"{n:,} trails, {clients} clients"
        near = f"near, {RADIUS_M / 1000:g} km, {size}"
        text = f"q, two words, {size}"
        results += _rows(kind, "near", near, GOAL_P99_MS, m, extra)
        results += _rows(kind, "q", text, GOAL_TEXT_P99_MS, m, extra)
        if compare is not None:
            results += _compared_rows(kind, "near", near, m)
            results += _compared_rows(kind, "q", text, m)
        if kind == "postgis":
            results += _replica_rows(m, clients)
    return results


def main() -> int:
    """Run this benchmark alone."""
    import argparse

    from rich.console import Console

    from bench.common import results_table

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2,000 trails, 8 clients")
    parser.add_argument("--compare", type=Path, help="another checkout's API to time alongside")
    args = parser.parse_args()
    results = run(args.quick, args.compare)
    Console(width=200).print(results_table(results))
    return 1 if any(r.met is False for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
