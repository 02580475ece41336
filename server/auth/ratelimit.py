"""Limits on guessing secrets (passwords, access codes), counted atomically in the database.

Every API replica shares one count, because the counters live in the database and each
attempt is one atomic upsert. An attempt is counted *before* its secret is checked, so
concurrent guesses cannot slip past the limit between a check and its record: of 60 guesses
sent at once with a limit of 10, exactly 10 are checked. A right answer gives its attempt
back.

Two locks, kept apart so that an attacker cannot lock an owner out:

- an **address** that makes more than ``attempts`` attempts in the window is refused (429)
  until the window ends, whatever it tries;
- a **subject** (an account, a private trail) that has had more than ``attempts`` attempts
  from anywhere turns *hot*: from then on each address may still try it a few times
  (``hot_tries``), and each of those tries waits a delay that grows with the attack (up to
  ``max_delay_s``). The owner signing in from a clean address gets in, after the delay.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import cast

from fastapi import Request
from sqlalchemy import Connection, Engine, Table, case, delete, update
from sqlalchemy.dialects import postgresql, sqlite

from server.db.models import AttemptCounter
from server.errors import TooManyRequests
from trails.messages import msg

_TABLE = cast(Table, AttemptCounter.__table__)


def client_address(request: Request) -> str:
    """The caller's address: the peer, or what a proxy named in the settings forwarded.

    ``baladeur serve`` lets uvicorn rewrite the peer from ``X-Forwarded-For`` only when the
    peer is one of ``BALADEUR_FORWARDED_ALLOW_IPS``; the header itself is never read here.
    """
    return request.client.host if request.client else "unknown"


class AttemptCounters:
    """Counters of attempts per key in fixed windows, stored in the database."""

    def __init__(self, engine: Engine, secret: str) -> None:
        self.engine = engine
        # Keys are stored as keyed hashes: the table holds no email or client address.
        self._secret = hmac.new(secret.encode(), b"baladeur attempt counters", "sha256").digest()

    def key(self, raw: str) -> str:
        """The stored form of a counter's key."""
        return hmac.new(self._secret, raw.encode(), hashlib.sha256).hexdigest()

    def take(self, *raws: str, window_s: int, now: float | None = None) -> list[tuple[int, int]]:
        """Count one attempt under each key; each count including it, and its window's end.

        One statement per key, each atomic on both backends (a new key starts at 1, an ended
        window starts again at 1, otherwise the count goes up by one), in one transaction.
        """
        with self.engine.begin() as conn:
            return [self.count(conn, raw, window_s=window_s, now=now) for raw in raws]

    def count(
        self, conn: Connection, raw: str, *, window_s: int, now: float | None = None
    ) -> tuple[int, int]:
        """Count one attempt under ``raw`` in the caller's transaction: the count, the end."""
        moment = int(now if now is not None else time.time())
        insert = (postgresql.insert if self._postgres else sqlite.insert)(_TABLE)
        expired = _TABLE.c.window_ends <= moment
        statement = (
            insert.values(key=self.key(raw), attempts=1, window_ends=moment + window_s)
            .on_conflict_do_update(
                index_elements=[_TABLE.c.key],
                set_={
                    "attempts": case((expired, 1), else_=_TABLE.c.attempts + 1),
                    "window_ends": case((expired, moment + window_s), else_=_TABLE.c.window_ends),
                },
            )
            .returning(_TABLE.c.attempts, _TABLE.c.window_ends)
        )
        row = conn.execute(statement).one()
        return int(row[0]), int(row[1])

    def give_back(self, *raws: str, forget: str | None = None) -> None:
        """Uncount one attempt under each key (it turned out right), and forget ``forget``."""
        keys = [self.key(raw) for raw in raws]
        with self.engine.begin() as conn:
            conn.execute(
                update(_TABLE)
                .where(_TABLE.c.key.in_(keys), _TABLE.c.attempts > 0)
                .values(attempts=_TABLE.c.attempts - 1)
            )
            if forget is not None:
                conn.execute(delete(_TABLE).where(_TABLE.c.key == self.key(forget)))

    @property
    def _postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"


def purge_expired(engine: Engine, now: float | None = None) -> int:
    """Remove every counter whose window has ended (the scheduler runs this each tick)."""
    moment = int(now if now is not None else time.time())
    with engine.begin() as conn:
        result = conn.execute(delete(_TABLE).where(_TABLE.c.window_ends <= moment))
        return int(result.rowcount)


@dataclass(frozen=True)
class Policy:
    """How many attempts one kind of secret allows, and how a hot subject slows down."""

    name: str
    attempts: int
    window_s: int
    hot_tries: int = 3
    max_delay_s: float = 8.0


@dataclass
class Attempt:
    """One counted attempt; call :meth:`succeeded` when the secret was right."""

    counters: AttemptCounters
    keys: tuple[str, ...]
    pair: str
    delay_s: float

    def succeeded(self) -> None:
        """A right answer does not count against anyone, and cleans its address's record."""
        self.counters.give_back(*self.keys, forget=self.pair)


class Limiter:
    """The one limiter of guessed secrets: sign-in (per account) and access codes (per trail)."""

    def __init__(self, counters: AttemptCounters, policy: Policy) -> None:
        self.counters = counters
        self.policy = policy

    def _refuse(self, at_subject: bool, window_ends: int, now: float) -> TooManyRequests:
        wait = max(1, window_ends - int(now))
        if not at_subject:
            words = msg(
                "too many attempts from your address; try again in {wait} seconds", wait=wait
            )
        elif self.policy.name == "sign-in":
            words = msg("too many attempts at this account; try again in {wait} seconds", wait=wait)
        else:
            words = msg("too many attempts at this trail; try again in {wait} seconds", wait=wait)
        return TooManyRequests(words, wait)

    def attempt(self, subject: str, address: str, now: float | None = None) -> Attempt:
        """Count an attempt at ``subject`` from ``address``, or refuse it with 429."""
        now = now if now is not None else time.time()
        policy, counters = self.policy, self.counters
        address_key = f"{policy.name}:address:{address}"
        subject_key = f"{policy.name}:subject:{subject}"
        pair_key = f"{policy.name}:pair:{subject}:{address}"
        window = policy.window_s
        # One transaction (one commit): the address is counted first, and an address over
        # its limit does not count against the subject.
        with counters.engine.begin() as conn:
            taken, ends = counters.count(conn, address_key, window_s=window, now=now)
            if taken <= policy.attempts:
                on_subject, _ = counters.count(conn, subject_key, window_s=window, now=now)
                from_here, pair_ends = counters.count(conn, pair_key, window_s=window, now=now)
        if taken > policy.attempts:
            raise self._refuse(False, ends, now)
        delay = 0.0
        excess = on_subject - policy.attempts
        if excess > 0:
            # Hot: each address gets a few tries, each slower than the last attack's.
            if from_here > policy.hot_tries:
                counters.give_back(subject_key)
                raise self._refuse(True, pair_ends, now)
            delay = min(policy.max_delay_s, 0.25 * 2.0 ** min(excess, 10))
        return Attempt(counters, (address_key, subject_key), pair_key, delay)
