from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from server.sharing.dates import format_validity

BXL = "Europe/Brussels"
# Babel (CLDR) writes ranges with an en dash, set between thin spaces when the two sides
# are more than days.
DASH = "\u2013"
SPACED = f"\u2009{DASH}\u2009"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (
            utc(2026, 6, 12, 8),
            utc(2026, 6, 14, 20),
            {
                "fr": f"12{DASH}14 juin 2026",
                "nl": f"12{DASH}14 jun 2026",
                "de": f"12.{DASH}14. Juni 2026",
                "en": f"Jun 12{SPACED}14, 2026",
            },
        ),
        (
            utc(2026, 6, 30, 8),
            utc(2026, 7, 2, 20),
            {
                "fr": f"30 juin{SPACED}2 juil. 2026",
                "nl": f"30 jun{SPACED}2 jul 2026",
                "de": f"30. Juni{SPACED}2. Juli 2026",
                "en": f"Jun 30{SPACED}Jul 2, 2026",
            },
        ),
        (
            utc(2026, 12, 30, 8),
            utc(2027, 1, 2, 8),
            {
                "fr": f"30 déc. 2026{SPACED}2 janv. 2027",
                "nl": f"30 dec 2026{SPACED}2 jan 2027",
                "de": f"30. Dez. 2026{SPACED}2. Jan. 2027",
                "en": f"Dec 30, 2026{SPACED}Jan 2, 2027",
            },
        ),
        (
            utc(2026, 6, 1, 8),
            utc(2026, 6, 1, 20),
            {"fr": "1 juin 2026", "nl": "1 jun 2026", "de": "1. Juni 2026", "en": "Jun 1, 2026"},
        ),
        (
            utc(2026, 6, 12, 8),
            None,
            {
                "fr": "À partir du 12 juin 2026",
                "nl": "Vanaf 12 jun 2026",
                "de": "Ab 12. Juni 2026",
                "en": "From Jun 12, 2026",
            },
        ),
        (
            None,
            utc(2026, 6, 14, 8),
            {
                "fr": "Jusqu\u2019au 14 juin 2026",
                "nl": "Tot 14 jun 2026",
                "de": "Bis 14. Juni 2026",
                "en": "Until Jun 14, 2026",
            },
        ),
    ],
)
def test_formats_in_the_four_languages_as_babel_does(
    start: datetime | None, end: datetime | None, expected: dict[str, str]
) -> None:
    for language, words in expected.items():
        assert format_validity(start, end, BXL, language) == words, language


def test_dates_are_local_to_the_trail() -> None:
    # 22:30 UTC on 11 June is already the 12th in Brussels, still the 11th in New York.
    start, end = utc(2026, 6, 11, 22, 30), utc(2026, 6, 14, 12)
    assert format_validity(start, end, BXL, "de") == f"12.{DASH}14. Juni 2026"
    assert format_validity(start, end, "America/New_York", "de") == f"11.{DASH}14. Juni 2026"


def test_end_at_local_midnight_closes_the_day_before() -> None:
    brussels_midnight = datetime(2026, 6, 15, 0, 0, tzinfo=timezone(timedelta(hours=2)))
    assert format_validity(utc(2026, 6, 12, 8), brussels_midnight, BXL, "fr") == (
        f"12{DASH}14 juin 2026"
    )


def test_no_window_gives_nothing() -> None:
    assert format_validity(None, None, BXL, "fr") is None
