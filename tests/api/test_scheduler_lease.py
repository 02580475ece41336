"""The scheduler's lease: at most one holder at a time, renewed, taken over once expired.

Issue 21: every ``serve`` and ``worker`` process ran the scheduler, so its duties ran once
per process. The processes here are ``Lease`` objects on one database; the multi-process
version (real ``baladeur worker`` processes, one killed) is in ``test_one_scheduler.py``.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from server import scheduler
from server.db.session import Database
from server.lease import Lease
from server.settings import Settings


def _at_once(count: int, call: Any) -> list[Any]:
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        results[i] = call(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_one_holder_among_many_trying_at_once(db: Database) -> None:
    leases = [Lease(db.engine, "duty", 30, holder=f"process-{i}") for i in range(8)]
    held = _at_once(8, lambda i: leases[i].hold())
    assert held.count(True) == 1
    winner = leases[held.index(True)]
    assert leases[0].current_holder() == winner.holder
    # Everyone tries again: the holder renews, the others are still refused.
    assert [lease.hold() for lease in leases] == held


def test_an_expired_lease_is_taken_over_and_its_old_holder_refused(db: Database) -> None:
    first = Lease(db.engine, "duty", 0.3, holder="first")
    second = Lease(db.engine, "duty", 0.3, holder="second")
    assert first.hold() and not second.hold()
    time.sleep(0.4)  # the first holder stopped renewing
    assert first.current_holder() is None
    assert second.hold() and not first.hold()
    assert first.current_holder() == "second"


def test_a_released_lease_is_free_at_once_and_names_are_separate(db: Database) -> None:
    first = Lease(db.engine, "duty", 60, holder="first")
    second = Lease(db.engine, "duty", 60, holder="second")
    other_duty = Lease(db.engine, "other", 60, holder="second")
    assert first.hold() and other_duty.hold() and not second.hold()
    second.release()  # not its lease: nothing happens
    assert not second.hold()
    first.release()
    assert second.hold()


def test_of_two_clocks_one_ticks_and_the_other_takes_over_when_it_stops(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticks: list[tuple[float, int]] = []
    real_tick = scheduler.tick

    def recording(*args: Any, **kwargs: Any) -> scheduler.Tick:
        ticks.append((time.monotonic(), threading.get_ident()))
        return real_tick(*args, **kwargs)

    monkeypatch.setattr(scheduler, "tick", recording)
    settings = Settings(data_dir=tmp_path, scheduler_interval_s=0.05, scheduler_lease_s=2.0)
    stop_first = scheduler.start(db, settings)
    stop_second = lambda: None  # noqa: E731
    try:
        deadline = time.monotonic() + 10
        while not ticks and time.monotonic() < deadline:
            time.sleep(0.01)
        stop_second = scheduler.start(db, settings)
        time.sleep(1.0)
        stopped_at = time.monotonic()
        stop_first()
        time.sleep(1.0)
    finally:
        stop_first()
        stop_second()
    first = ticks[0][1]
    before = [ident for at, ident in ticks if at < stopped_at]
    after = [ident for at, ident in ticks if at > stopped_at + 0.2]
    assert set(before) == {first} and len(before) >= 5, "the second clock ticked too"
    # Given up when the first stopped, the lease went to the second clock at its next try.
    assert after and first not in after
