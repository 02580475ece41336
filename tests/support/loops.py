"""Coroutines run on an event loop of their own, in a thread of their own.

The browser tests' sync Playwright keeps an event loop running in the main thread for the
rest of the session, so a test that runs after them cannot start one there.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_apart(scenario: Callable[[], Coroutine[Any, Any, T]], timeout_s: float = 60) -> T:
    """Run ``scenario()`` on a new event loop in a new thread; its result, or its error."""
    results: list[T] = []
    failures: list[BaseException] = []

    def target() -> None:
        try:
            results.append(asyncio.run(scenario()))
        except BaseException as exc:  # reported in the test's thread
            failures.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=timeout_s)
    assert not thread.is_alive(), "the scenario did not finish"
    if failures:
        raise failures[0]
    return results[0]
