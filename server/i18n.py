"""A request's interface language (``Accept-Language``), and dates on printed matter.

The languages, the catalogues and the rendering of a message are in ``trails/i18n.py``,
shared with the ``baladeur`` command.
"""

from __future__ import annotations

import re
from datetime import date

from babel.core import negotiate_locale
from babel.dates import format_interval, format_skeleton
from starlette.requests import Request

from trails.i18n import INTERFACE_LANGUAGES, SOURCE_LANGUAGE, babel_locale

# An Accept-Language header longer than this is read only this far: a 10 kB header costs
# no more than a normal one, and no browser sends more than a few dozen tags.
MAX_HEADER_CHARS = 400
_RANGE = re.compile(
    r"^\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]{1,5}))?\s*$"
)


def negotiate(header: str | None) -> str:
    """The interface language for an ``Accept-Language`` header; English when none fits.

    Ranges are taken by descending q-value (ties in the order sent); ``nl-BE`` matches
    ``nl``; ``q=0`` excludes; a malformed range is skipped, never an error.
    """
    if not header:
        return SOURCE_LANGUAGE
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header[:MAX_HEADER_CHARS].split(",")):
        match = _RANGE.match(part)
        if not match:
            continue
        try:
            q = float(match.group(2)) if match.group(2) is not None else 1.0
        except ValueError:
            continue
        if 0 < q <= 1 and match.group(1) != "*":
            ranked.append((-q, index, match.group(1).lower()))
    preferred = [tag for _, _, tag in sorted(ranked)]
    chosen = negotiate_locale(preferred, INTERFACE_LANGUAGES, sep="-")
    return chosen if chosen in INTERFACE_LANGUAGES else SOURCE_LANGUAGE


def request_language(request: Request) -> str:
    """The interface language a request asked for, by its ``Accept-Language`` header."""
    return negotiate(request.headers.get("accept-language"))


def language_headers(language: str) -> dict[str, str]:
    """The headers of a response whose words depend on ``Accept-Language``."""
    return {"Content-Language": language, "Vary": "Accept-Language"}


def format_day(day: date, language: str) -> str:
    """A date with day, month name and year, as ``language`` writes it."""
    return str(format_skeleton("yMMMd", day, locale=babel_locale(language)))


def format_days(first: date, last: date, language: str) -> str:
    """A range of dates as ``language`` writes it, sharing the month or year when they can."""
    if first == last:
        return format_day(first, language)
    return str(format_interval(first, last, "yMMMd", locale=babel_locale(language)))
