"""Interface languages: which one a request wants, and messages rendered in it.

The catalogues are the gettext PO files in ``server/locales/`` (docs/translating.md). They
are read directly at first use, with Babel, rather than compiled to ``.mo`` files at set-up:
there is no build artefact to forget, a wheel carries the same files a translator edits, and
reading three small files takes milliseconds once per process.
"""

from __future__ import annotations

import gettext
import io
import logging
import math
import re
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal, get_args

from babel import Locale, UnknownLocaleError
from babel.core import negotiate_locale
from babel.dates import format_interval, format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from starlette.requests import Request

from trails.messages import Message, fill, plain

log = logging.getLogger(__name__)

InterfaceLanguage = Literal["fr", "nl", "en", "de"]
"""The languages of every screen, message and printed sheet (BCP 47 primary tags)."""
INTERFACE_LANGUAGES: tuple[str, ...] = get_args(InterfaceLanguage)
SOURCE_LANGUAGE = "en"
"""The language message ids are written in, and the fallback of any missing translation."""

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DOMAIN = "baladeur"
TEMPLATE = LOCALES_DIR / f"{DOMAIN}.pot"

# An Accept-Language header longer than this is read only this far: a 10 kB header costs
# no more than a normal one, and no browser sends more than a few dozen tags.
MAX_HEADER_CHARS = 400
_RANGE = re.compile(
    r"^\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]{1,5}))?\s*$"
)


def catalogue_path(language: str) -> Path:
    """Where the PO file of one language lives."""
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The gettext translations of one language; English (the ids themselves) for the source.

    Entries with an empty translation are left out, so gettext falls back to the English id.
    """
    path = catalogue_path(language)
    # Only the interface languages are looked up (and cached), whatever a caller passes.
    if language not in INTERFACE_LANGUAGES or language == SOURCE_LANGUAGE or not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


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


def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(SOURCE_LANGUAGE)


def _parameter_format(language: str) -> Callable[[Any], str]:
    locale = _locale(language)

    def fmt(value: Any) -> str:
        # Measures (floats) take the language's decimal sign; whole numbers stay as they are,
        # since most are identifiers or counts that a person may copy (asset 12345, not 12 345).
        if isinstance(value, float) and math.isfinite(value):
            return str(format_decimal(value, locale=locale))
        if isinstance(value, Message):
            # A message given as a parameter of another ("WebVTT {problem}") is rendered too.
            return render(value, language)
        return plain(value)

    return fmt


def render(text: str, language: str) -> str:
    """A text in ``language``: a :class:`Message` translated, any other string as it is.

    A missing or broken translation gives the English text, never the message id's
    placeholders or a key. English keeps the exact text the code wrote.
    """
    if not isinstance(text, Message) or language == SOURCE_LANGUAGE:
        return str(text)
    catalogue = translations(language)
    if text.plural is not None and text.n is not None:
        template = catalogue.ngettext(text.msgid, text.plural, text.n)
    else:
        template = catalogue.gettext(text.msgid)
    try:
        return fill(template, text.params, _parameter_format(language))
    except (KeyError, IndexError, ValueError):
        log.warning("broken %s translation of %r; English used", language, text.msgid)
        return str(text)


def format_number(value: float, language: str) -> str:
    """A number as ``language`` writes it (decimal comma, grouping)."""
    return str(format_decimal(value, locale=_locale(language)))


def format_day(day: date, language: str) -> str:
    """A date with day, month name and year, as ``language`` writes it."""
    return str(format_skeleton("yMMMd", day, locale=_locale(language)))


def format_days(first: date, last: date, language: str) -> str:
    """A range of dates as ``language`` writes it, sharing the month or year when they can."""
    if first == last:
        return format_day(first, language)
    return str(format_interval(first, last, "yMMMd", locale=_locale(language)))
