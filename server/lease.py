"""A lease in the database: at most one process at a time holds a named duty.

Each process that may run a duty (every ``baladeur serve`` replica and every
``baladeur worker``) calls :meth:`Lease.hold` periodically. One statement, atomic on
SQLite and PostgreSQL alike, either renews the caller's lease, takes over one that has
expired, or leaves another holder's alone; the row it returns says which. Expiry is read
on the database's clock, so the processes' own clocks may disagree.
"""

from __future__ import annotations

import os
import socket
import uuid
from typing import cast

from sqlalchemy import ColumnElement, Engine, Table, delete, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite

from server.db.models import SchedulerLease

_TABLE = cast(Table, SchedulerLease.__table__)


def holder_id() -> str:
    """A name for this process, unique among processes past and present (host, pid, nonce)."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _now_ms(engine: Engine) -> ColumnElement[int]:
    """The database's clock in Unix milliseconds, as an SQL expression."""
    if engine.dialect.name == "postgresql":
        # clock_timestamp(), not now(): the time of the statement, not of the transaction.
        return literal_column("(extract(epoch from clock_timestamp()) * 1000)::bigint")
    return literal_column("CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)")


class Lease:
    """One named lease, as seen by one holder."""

    def __init__(self, engine: Engine, name: str, length_s: float, holder: str | None = None):
        self.engine = engine
        self.name = name
        self.length_ms = max(1, int(length_s * 1000))
        self.holder = holder or holder_id()

    def hold(self) -> bool:
        """Renew or take the lease if it is ours or has expired; whether we hold it now."""
        now = _now_ms(self.engine)
        insert = (postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert)(
            _TABLE
        )
        statement = (
            insert.values(name=self.name, holder=self.holder, expires_ms=now + self.length_ms)
            .on_conflict_do_update(
                index_elements=[_TABLE.c.name],
                set_={"holder": insert.excluded.holder, "expires_ms": insert.excluded.expires_ms},
                # Another's lease still running is left alone: no row comes back.
                where=(_TABLE.c.holder == self.holder) | (_TABLE.c.expires_ms <= now),
            )
            .returning(_TABLE.c.holder)
        )
        with self.engine.begin() as conn:
            row = conn.execute(statement).first()
        return row is not None and row[0] == self.holder

    def release(self) -> None:
        """Give the lease up (if ours), so that another process takes it at its next try."""
        with self.engine.begin() as conn:
            conn.execute(
                delete(_TABLE).where(_TABLE.c.name == self.name, _TABLE.c.holder == self.holder)
            )

    def current_holder(self) -> str | None:
        """Who holds the lease now, if anyone (an expired lease is held by no one)."""
        now = _now_ms(self.engine)
        with self.engine.connect() as conn:
            return conn.execute(
                select(_TABLE.c.holder).where(_TABLE.c.name == self.name, _TABLE.c.expires_ms > now)
            ).scalar()
