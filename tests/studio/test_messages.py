"""The studio's messages (web/studio/messages/<lang>.json, ICU MessageFormat): whatever counts
is a plural in every language. Completeness, placeholders, parsing and the fallback to English
are checked with the other web apps in tests/test_web_messages.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

MESSAGES = Path(__file__).resolve().parents[2] / "web" / "studio" / "messages"
# Messages that count something, whose words change with the number.
COUNTING = {
    "stopCount",
    "polygonZone",
    "gpxRouteUsed",
    "gpxWaypointsUsed",
    "copyTitleTooLong",
    "stopsAdded",
    "stopsRemoved",
    "stopsChanged",
    "tooLong",
    "usesTooMany",
    "importPreview",
    "importCreate",
    "importDone",
    "passwordRule",
    "passwordTooShort",
    "proposed",
    "audienceTotal",
}
_PLURAL = re.compile(r"\{\s*(\w+)\s*,\s*plural\s*,")
# A plural in brackets glued to its word, in the four languages: stop(s), importé(e)s, halte(n).
_BY_HAND = re.compile(r"\w\((s|e|es|n|en)\)")


def _tables() -> dict[str, dict[str, str]]:
    return {p.stem: json.loads(p.read_text()) for p in sorted(MESSAGES.glob("*.json"))}


def test_the_studio_has_no_hand_written_message_table() -> None:
    assert not (MESSAGES.parent / "src" / "messages.js").exists()
    assert len(_tables()["en"]) > 600


def test_english_counts_with_plurals_not_parentheses() -> None:
    english = _tables()["en"]
    assert {k for k, v in english.items() if _PLURAL.search(v)} == COUNTING
    # "point(s)" is a plural written by hand; "Fade in (s)" is a unit, and fine.
    assert [k for k, v in english.items() if _BY_HAND.search(v)] == []


def test_every_language_keeps_each_plural_of_english() -> None:
    """A translation may choose its own words, but not drop the number's grammar."""
    tables = _tables()
    wanted = {key: set(_PLURAL.findall(tables["en"][key])) for key in COUNTING}
    for lang, table in tables.items():
        for key, names in wanted.items():
            if key in table:
                assert names <= set(_PLURAL.findall(table[key])), (lang, key, table[key])
        assert [k for k, v in table.items() if _BY_HAND.search(v)] == [], lang
