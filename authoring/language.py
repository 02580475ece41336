"""The language the ``baladeur`` command speaks, from the environment as gettext reads it.

``LANGUAGE`` (a colon-separated list of preferences) comes first, then the locale: the first
of ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is set. ``C`` and ``POSIX`` mean English,
and, as in GNU gettext, they also silence ``LANGUAGE``. The first preference among the
interface languages wins; anything else (unknown, malformed, huge) gives English.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from babel.core import parse_locale

from trails.i18n import INTERFACE_LANGUAGES, SOURCE_LANGUAGE, render

# A longer value is not a locale name, and a longer list is not a list of preferences: both
# are ignored, so that a 10 kB variable costs no more than a normal one and means English.
MAX_VALUE_CHARS = 200
MAX_PREFERENCES = 32
_POSIX = ("c", "posix")


def _primary(name: str) -> str | None:
    """The language of a locale name (``nl_BE.UTF-8@euro`` is ``nl``); None if unreadable."""
    if len(name) > MAX_VALUE_CHARS:
        return None
    try:
        return parse_locale(name.strip())[0].lower()
    except ValueError:
        return None


def language_from(environ: Mapping[str, str]) -> str:
    """The interface language the variables of ``environ`` ask for; English when none fits."""
    locale = next((environ[v] for v in ("LC_ALL", "LC_MESSAGES", "LANG") if environ.get(v)), "")
    if _primary(locale) in _POSIX:
        return SOURCE_LANGUAGE
    preferences = environ.get("LANGUAGE", "")
    listed = preferences.split(":") if len(preferences) <= MAX_VALUE_CHARS else []
    wanted = [*listed[:MAX_PREFERENCES], locale]
    for name in wanted:
        language = _primary(name) if name else None
        if language in _POSIX:
            return SOURCE_LANGUAGE
        if language in INTERFACE_LANGUAGES:
            return language
    return SOURCE_LANGUAGE


def environment_language() -> str:
    """The interface language of this process's environment."""
    return language_from(os.environ)


def say(text: str) -> str:
    """A text in the command's language: a marked message translated, other text as it is."""
    return render(text, environment_language())
