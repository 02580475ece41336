"""Two real ``baladeur worker`` processes on one database: one scheduler between them.

Issue 21: every process ran the scheduler. Here a scheduled release goes live once (one
``release.live`` entry), and when the lease's holder is killed with SIGKILL (no chance to
give the lease up) the other worker takes over within the lease and a quarter of it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from server.auth.ratelimit import AttemptCounters
from server.db.models import AttemptCounter, AuditEntry, Release, ReleaseState
from server.db.session import Database
from server.lease import Lease
from server.releases import activate_due
from server.scheduler import LEASE
from server.settings import Settings
from tests.api.test_releases import draft, releases_url
from tests.support.people import People

LEASE_S = 3.0
BALADEUR = str(Path(sys.executable).with_name("baladeur"))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # The test's own application runs no clock: the workers are the only contenders.
    return Settings(data_dir=tmp_path, inprocess_worker=False, scheduler_interval_s=0)


def _wait_for(condition: Callable[[], object], within_s: float, what: str) -> float:
    """Poll ``condition`` until it is true; the seconds it took."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > within_s:
            raise AssertionError(f"{what}: not within {within_s} s")
        time.sleep(0.05)
    return time.monotonic() - started


@pytest.fixture
def workers(database_url: str, tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Two ``baladeur worker`` processes sharing the test's database and data directory."""
    env = os.environ | {
        "BALADEUR_DATABASE_URL": database_url,
        "BALADEUR_DATA_DIR": str(tmp_path / "var"),
        "BALADEUR_SCHEDULER_INTERVAL_S": "0.2",
        "BALADEUR_SCHEDULER_LEASE_S": str(LEASE_S),
        "BALADEUR_LOG_FORMAT": "text",
    }
    processes = []
    for i in range(2):
        log = (tmp_path / f"worker-{i}.log").open("wb")
        processes.append(
            subprocess.Popen(
                [BALADEUR, "worker", "--workers", "1"], env=env, stdout=log, stderr=log
            )
        )
    try:
        yield processes
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _holder_pid(lease: Lease) -> int | None:
    holder = lease.current_holder()
    return int(holder.split(":")[1]) if holder else None


def _live_entries(db: Database) -> int:
    with db.transaction() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "release.live")
            )
            or 0
        )


@pytest.mark.slow
def test_two_workers_publish_once_and_survive_a_killed_holder(
    client: TestClient,
    people: People,
    db: Database,
    workers: list[subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    trail_id = draft(db, "walk")
    later = datetime.now(UTC) + timedelta(days=1)
    scheduled = client.post(
        releases_url(trail_id), json={"publish_at": later.isoformat()}, headers=people["editor"]
    )
    assert scheduled.status_code in (201, 202), scheduled.text
    lease = Lease(db.engine, LEASE, LEASE_S, holder="the test")
    pids = {p.pid for p in workers}
    _wait_for(lambda: _holder_pid(lease) in pids, 60, "a worker holds the lease")

    # Both workers run; the release's time comes.
    with db.transaction() as session:
        session.execute(update(Release).values(publish_at=datetime.now(UTC)))
    _wait_for(lambda: client.get("/v1/trails/walk").status_code == 200, 20, "the release is live")
    time.sleep(1.0)  # several more ticks of both clocks
    assert _live_entries(db) == 1
    assert all(p.poll() is None for p in workers)

    # The holder dies without giving the lease up; the other takes over.
    holder = _holder_pid(lease)
    assert holder is not None
    os.kill(holder, signal.SIGKILL)
    other = (pids - {holder}).pop()
    took = _wait_for(lambda: _holder_pid(lease) == other, LEASE_S * 2 + 5, "the other takes over")
    assert took <= LEASE_S * 1.25 + 1.0, took  # a little slack for a loaded machine
    # And it does the duties: an ended window of the attempt limiter is forgotten.
    AttemptCounters(db.engine, "secret").take("old", window_s=1, now=time.time() - 60)
    _wait_for(lambda: _counters(db) == 0, 10, "the survivor purges ended windows")
    assert _live_entries(db) == 1
    print(f"taken over {took:.2f} s after SIGKILL (lease {LEASE_S} s)")


def _counters(db: Database) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(AttemptCounter)) or 0)


def test_a_due_release_goes_live_once_when_two_processes_race(
    client: TestClient, people: People, db: Database
) -> None:
    # The lease keeps a second clock out; publishing is guarded anyway (a held lease can
    # outlive a tick slower than the lease): two activations at once make one release live.
    trail_id = draft(db, "walk")
    later = datetime.now(UTC) + timedelta(days=1)
    client.post(
        releases_url(trail_id), json={"publish_at": later.isoformat()}, headers=people["editor"]
    )
    with db.transaction() as session:
        session.execute(update(Release).values(publish_at=datetime.now(UTC) - timedelta(seconds=1)))
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def race(i: int) -> None:
        barrier.wait()
        try:
            results[i] = activate_due(db)
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=race, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    activated = [r for r in results if isinstance(r, list)]
    assert sum(len(r) for r in activated) == 1, results
    assert _live_entries(db) == 1
    with db.transaction() as session:
        assert session.scalars(select(Release.state)).all() == [ReleaseState.live]
