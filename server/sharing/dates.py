"""A trail's validity window as words on a poster, in local time and the poster's language."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.i18n import format_day, format_days
from trails.i18n import render
from trails.messages import msg


def _local_days(
    valid_from: datetime | None, valid_until: datetime | None, zone: ZoneInfo
) -> tuple[date | None, date | None]:
    first = valid_from.astimezone(zone).date() if valid_from else None
    last = None
    if valid_until:
        end = valid_until.astimezone(zone)
        # An end at local midnight closes the day before: "until 15 June 00:00" is the 14th.
        last = end.date() - timedelta(days=1) if end.time() == time(0, 0) else end.date()
        if first and last < first:
            last = first
    return first, last


def format_validity(
    valid_from: datetime | None, valid_until: datetime | None, timezone: str, language: str
) -> str | None:
    """The local dates of a validity window as Babel writes them in ``language``.

    For example "12\u201314 juin 2026" in French, or "From Jun 12, 2026" for an open end.

    Returns None when the trail has no window. Datetimes must be timezone-aware.
    """
    if valid_from is None and valid_until is None:
        return None
    first, last = _local_days(valid_from, valid_until, ZoneInfo(timezone))
    if first and last:
        return format_days(first, last, language)
    if first:
        return render(msg("From {date}", date=format_day(first, language)), language)
    assert last is not None
    return render(msg("Until {date}", date=format_day(last, language)), language)
