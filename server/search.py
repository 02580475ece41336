"""Text search of the catalogue: what is indexed, how words are read, and the query each
database is given.

Text is folded in Python (case folded, accents removed) both when a release is published and
when a visitor searches, so that SQLite FTS5 and PostgreSQL full-text search index and match
the very same words, whatever each backend's own Unicode support (SQLite's ``lower()`` knows
only ASCII; PostgreSQL's ``unaccent`` is an extension a server may not have).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

# SQLite's FTS5 index of ``releases.search_text`` (made by migration 0013).
FTS5_TABLE = "release_search"

# The longest ``q`` accepted (characters); a longer one is refused (422), not cut, so that
# nobody gets results for words they did not see being dropped.
MAX_QUERY_LENGTH = 200

# The most words ``q`` may hold: each is a prefix the index expands, so a query of many short
# words costs many scans. More is refused (422), for the same reason as a longer ``q``.
MAX_QUERY_WORDS = 12

# Letters and digits only: punctuation, quotes, ``*``, ``:``, ``-`` and brackets separate
# words and never reach either engine's query syntax.
_WORD = re.compile(r"[^\W_]+")


def folded(text: str) -> str:
    """Text for matching: case folded and without accents ("Théâtre" matches "theatre")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The distinct folded words of ``text``, in order; none for punctuation alone."""
    return list(dict.fromkeys(_WORD.findall(folded(text))))


def indexed_text(manifest: Mapping[str, Any]) -> str:
    """The words a release is found by: its title, description and stop titles, folded.

    Story transcripts are not indexed: a stop's title is what a visitor sees in the list.
    """
    parts: list[str] = [*manifest.get("title", {}).values()]
    parts += manifest.get("description", {}).values()
    for stop in manifest.get("stops", []):
        parts += stop.get("title", {}).values()
    # Repeated words are kept: how often a word occurs weighs in the ranking.
    return " ".join(_WORD.findall(folded(" ".join(parts))))


# Shorter words are matched whole, not as the start of longer ones: "b*" would read the
# index entries of every word beginning with b, and rank most of the catalogue.
MIN_PREFIX_LENGTH = 3


def _prefix(word: str) -> bool:
    return len(word) >= MIN_PREFIX_LENGTH


def fts5_query(found: list[str]) -> str:
    """An FTS5 MATCH expression: every word, quoted, as a prefix (``"moul"*``) when long
    enough. Quoting makes ``AND``, ``OR``, ``NEAR`` and ``NOT`` plain words."""
    return " ".join(f'"{w}"*' if _prefix(w) else f'"{w}"' for w in found)


def tsquery(found: list[str]) -> str:
    """A PostgreSQL ``to_tsquery('simple', ...)`` text: every word, as a prefix (``moul:*``)
    when long enough."""
    return " & ".join(f"{w}:*" if _prefix(w) else w for w in found)
