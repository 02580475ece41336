"""Audience figures without tracking: completed bundle downloads counted per trail and day.

A download is *completed* by the response that sends a bundle's last byte: a whole download
(200), or the last part of a resumed or split one (206 ending at the last byte). So a resumed
download counts once (its earlier, interrupted parts stop short of the end), a download cut
off before the end counts nothing, and a download split into parallel ranges counts once.
Only the number per trail and UTC day is stored: no address, user agent, identifier or
position, and nothing that could tell two visitors apart.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from server.db.models import DownloadCount
from server.db.session import Database
from trails.errors import invalid
from trails.messages import msg

# The longest range of days one request may ask for (a year, leap day included).
MAX_DAYS = 366
# Days shown when the caller names no range: the last four weeks and two days, today included.
DEFAULT_DAYS = 30


def today() -> date:
    """The current UTC day, the day a download is counted on."""
    return datetime.now(UTC).date()


def count_download(db: Database, trail_id: int, day: date | None = None) -> None:
    """Add one completed download of a trail on a day (by default today), in its own
    transaction: the response has been sent, the request's session is gone."""
    on = day or today()
    with db.transaction() as session:
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = insert(DownloadCount).values(trail_id=trail_id, day=on, count=1)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["trail_id", "day"],
                set_={"count": DownloadCount.count + 1},
            )
        )


def counter(db: Database, trail_id: int) -> Callable[[], None]:
    """What a bundle response calls once it has sent the bundle's last byte."""
    return lambda: count_download(db, trail_id)


def day_range(start: date | None, end: date | None) -> tuple[date, date]:
    """The days asked for, by default the last ``DEFAULT_DAYS``; a field error when reversed
    or longer than ``MAX_DAYS``."""
    last = end or today()
    first = start or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise invalid("from", first.isoformat(), msg("the first day must not be after the last"))
    if (last - first).days + 1 > MAX_DAYS:
        raise invalid(
            "from",
            first.isoformat(),
            msg("ask for at most {max} days at a time", max=MAX_DAYS),
        )
    return first, last


def daily_counts(
    session: Session, trail_id: int, first: date, last: date
) -> list[tuple[date, int]]:
    """Every day from ``first`` to ``last`` with its completed downloads (0 when none)."""
    rows = session.execute(
        select(DownloadCount.day, DownloadCount.count).where(
            DownloadCount.trail_id == trail_id,
            DownloadCount.day >= first,
            DownloadCount.day <= last,
        )
    )
    stored = {day: count for day, count in rows}
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [(day, stored.get(day, 0)) for day in days]


def csv_text(rows: list[tuple[date, int]]) -> str:
    """The counts as CSV: a header row, then one ``YYYY-MM-DD,count`` line per day."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["day", "downloads"])
    writer.writerows((day.isoformat(), count) for day, count in rows)
    return out.getvalue()
