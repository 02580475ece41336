"""A sliding-window limit on failed sign-ins, per account and per client address."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

from server.errors import TooManyRequests


class SignInLimiter:
    """Counts failures in memory; each replica limits on its own (documented)."""

    def __init__(self, attempts: int, window_s: float) -> None:
        self.attempts = attempts
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures[key]
        while failures and failures[0] <= now - self.window_s:
            failures.popleft()
        return failures

    def check(self, *keys: str) -> None:
        """Refuse with 429 when any key has used up its attempts in the window."""
        now = time.monotonic()
        with self._lock:
            for key in keys:
                failures = self._recent(key, now)
                if len(failures) >= self.attempts:
                    wait = int(failures[0] + self.window_s - now) + 1
                    raise TooManyRequests(
                        f"too many failed sign-ins; try again in {wait} seconds", wait
                    )

    def failed(self, *keys: str) -> None:
        """Record a failed attempt under each key."""
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, key: str) -> None:
        """A successful sign-in clears the account's failures (not the address's)."""
        with self._lock:
            self._failures.pop(key, None)
