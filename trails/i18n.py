"""Interface languages and the gettext catalogues that render a :class:`Message` in one.

The catalogues are the PO files in ``trails/locales/`` (docs/translating.md), one domain,
``baladeur``, for every side: the server renders messages in the language a request asks
for, the ``baladeur`` command in the language of its environment, and both print messages
that come from here and from ``media/``. They live beside the domain core because both sides
read them and neither may import the other.

This module needs Babel, which comes with the server extra (like ``trails/plot.py``): the
core install never imports it. The files are read directly at first use rather than
compiled to ``.mo`` files at set-up: there is no build artefact to forget, a wheel carries
the same files a translator edits, and reading three small files takes milliseconds.
"""

from __future__ import annotations

import gettext
import io
import logging
import math
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, Literal, get_args

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

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


def babel_locale(language: str) -> Locale:
    """Babel's locale of an interface language (English for anything it does not know)."""
    try:
        return Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(SOURCE_LANGUAGE)


def _parameter_format(language: str) -> Callable[[Any], str]:
    locale = babel_locale(language)

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
    return str(format_decimal(value, locale=babel_locale(language)))
