"""The French and English messages stay in step; every message the code asks for exists."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "web" / "studio" / "src"


def _table(name: str) -> dict[str, str]:
    text = (SRC / "messages.js").read_text()
    body = text.split(f"export const {name} = {{", 1)[1].split("\n};", 1)[0]
    return dict(re.findall(r'^\s+([A-Za-z_]+): "((?:[^"\\]|\\.)*)",$', body, flags=re.MULTILINE))


def test_french_and_english_have_the_same_messages() -> None:
    english, french = _table("EN"), _table("FR")
    assert len(english) > 100
    assert set(english) == set(french)
    # Placeholders must survive translation.
    for key, text in english.items():
        assert set(re.findall(r"{\w+}", text)) == set(re.findall(r"{\w+}", french[key])), key


def test_every_literal_message_key_exists() -> None:
    english = _table("EN")
    used = set()
    for path in SRC.glob("*.js"):
        used |= set(re.findall(r'\bt\("([A-Za-z_]+)"', path.read_text()))
    assert used, "no messages found: has the t() helper been renamed?"
    assert sorted(used - set(english)) == []
