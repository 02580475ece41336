"""A trail's validity window as words on a poster, in local time and the poster's language."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Typography for print: an en dash between dates, a curly apostrophe in French.
EN_DASH = "\u2013"
APOSTROPHE = "\u2019"

_MONTHS = {
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}


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


def _day_fr(day: date) -> str:
    return "1er" if day.day == 1 else str(day.day)


def _fr(first: date | None, last: date | None) -> str:
    def full(d: date) -> str:
        return f"{_day_fr(d)} {_MONTHS['fr'][d.month - 1]} {d.year}"

    if first and last:
        if first == last:
            return f"le {full(first)}"
        if (first.year, first.month) == (last.year, last.month):
            return f"du {_day_fr(first)} au {full(last)}"
        if first.year == last.year:
            return f"du {_day_fr(first)} {_MONTHS['fr'][first.month - 1]} au {full(last)}"
        return f"du {full(first)} au {full(last)}"
    if first:
        return f"à partir du {full(first)}"
    assert last is not None
    return f"jusqu{APOSTROPHE}au {full(last)}"


def _en(first: date | None, last: date | None) -> str:
    def full(d: date) -> str:
        return f"{d.day} {_MONTHS['en'][d.month - 1]} {d.year}"

    if first and last:
        if first == last:
            return full(first)
        if (first.year, first.month) == (last.year, last.month):
            return f"{first.day}{EN_DASH}{full(last)}"
        if first.year == last.year:
            return f"{first.day} {_MONTHS['en'][first.month - 1]} {EN_DASH} {full(last)}"
        return f"{full(first)} {EN_DASH} {full(last)}"
    if first:
        return f"From {full(first)}"
    assert last is not None
    return f"Until {full(last)}"


def format_validity(
    valid_from: datetime | None, valid_until: datetime | None, timezone: str, language: str
) -> str | None:
    """The local dates of a validity window, e.g. "du 12 au 14 juin 2026" or "12-14 June 2026"
    (with an en dash).

    Returns None when the trail has no window. Datetimes must be timezone-aware.
    """
    if valid_from is None and valid_until is None:
        return None
    first, last = _local_days(valid_from, valid_until, ZoneInfo(timezone))
    return _fr(first, last) if language == "fr" else _en(first, last)
