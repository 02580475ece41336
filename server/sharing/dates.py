"""A trail's validity window as words on a poster, in local time and the poster's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Typography for print: an en dash between dates, a curly apostrophe in French.
EN_DASH = "\u2013"
APOSTROPHE = "\u2019"


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


@dataclass(frozen=True)
class _Wording:
    """How one language words a window. Placeholders: ``{first}`` and ``{last}`` are full
    dates, ``{day}`` and ``{month}`` the first date's day and month."""

    months: tuple[str, ...]
    one_day: str
    same_month: str
    same_year: str
    span: str
    since: str
    until: str
    first_of_month: str | None = None  # how the 1st is written, if not as "1"

    def day(self, d: date) -> str:
        return self.first_of_month if d.day == 1 and self.first_of_month else str(d.day)

    def full(self, d: date) -> str:
        return f"{self.day(d)} {self.months[d.month - 1]} {d.year}"

    def window(self, first: date | None, last: date | None) -> str:
        if first and last:
            if first == last:
                pattern = self.one_day
            elif (first.year, first.month) == (last.year, last.month):
                pattern = self.same_month
            elif first.year == last.year:
                pattern = self.same_year
            else:
                pattern = self.span
        elif first:
            pattern = self.since
        else:
            pattern = self.until
        return pattern.format(
            first=self.full(first) if first else "",
            last=self.full(last) if last else "",
            day=self.day(first) if first else "",
            month=self.months[first.month - 1] if first else "",
        )


_WORDING = {
    "fr": _Wording(
        months=(
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
        ),
        one_day="le {last}",
        same_month="du {day} au {last}",
        same_year="du {day} {month} au {last}",
        span="du {first} au {last}",
        since="à partir du {first}",
        until=f"jusqu{APOSTROPHE}au {{last}}",
        first_of_month="1er",
    ),
    "en": _Wording(
        months=(
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
        ),
        one_day="{last}",
        same_month=f"{{day}}{EN_DASH}{{last}}",
        same_year=f"{{day}} {{month}} {EN_DASH} {{last}}",
        span=f"{{first}} {EN_DASH} {{last}}",
        since="From {first}",
        until="Until {last}",
    ),
}


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
    return _WORDING["fr" if language == "fr" else "en"].window(first, last)
