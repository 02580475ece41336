from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from server.sharing.dates import APOSTROPHE, EN_DASH, format_validity

BXL = "Europe/Brussels"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "end", "fr", "en"),
    [
        (
            utc(2026, 6, 12, 8),
            utc(2026, 6, 14, 20),
            "du 12 au 14 juin 2026",
            f"12{EN_DASH}14 June 2026",
        ),
        (
            utc(2026, 6, 30, 8),
            utc(2026, 7, 2, 20),
            "du 30 juin au 2 juillet 2026",
            f"30 June {EN_DASH} 2 July 2026",
        ),
        (
            utc(2026, 12, 30, 8),
            utc(2027, 1, 2, 8),
            "du 30 décembre 2026 au 2 janvier 2027",
            f"30 December 2026 {EN_DASH} 2 January 2027",
        ),
        (utc(2026, 6, 1, 8), utc(2026, 6, 1, 20), "le 1er juin 2026", "1 June 2026"),
        (utc(2026, 6, 12, 8), None, "à partir du 12 juin 2026", "From 12 June 2026"),
        (None, utc(2026, 6, 14, 8), f"jusqu{APOSTROPHE}au 14 juin 2026", "Until 14 June 2026"),
    ],
)
def test_formats_in_both_languages(
    start: datetime | None, end: datetime | None, fr: str, en: str
) -> None:
    assert format_validity(start, end, BXL, "fr") == fr
    assert format_validity(start, end, BXL, "en") == en


def test_dates_are_local_to_the_trail() -> None:
    # 22:30 UTC on 11 June is already the 12th in Brussels, still the 11th in New York.
    start, end = utc(2026, 6, 11, 22, 30), utc(2026, 6, 14, 12)
    assert format_validity(start, end, BXL, "en") == f"12{EN_DASH}14 June 2026"
    assert format_validity(start, end, "America/New_York", "en") == f"11{EN_DASH}14 June 2026"


def test_end_at_local_midnight_closes_the_day_before() -> None:
    brussels_midnight = datetime(2026, 6, 15, 0, 0, tzinfo=timezone(timedelta(hours=2)))
    assert format_validity(utc(2026, 6, 12, 8), brussels_midnight, BXL, "fr") == (
        "du 12 au 14 juin 2026"
    )


def test_no_window_gives_nothing() -> None:
    assert format_validity(None, None, BXL, "fr") is None
