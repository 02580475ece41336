"""The player in French, Dutch, English and German: it starts in the browser's language,
remembers the visitor's choice, and a Dutch or German page shows no English interface words.

Screenshots: test-artefacts/player/lang-{lang}-{list,trail}.png.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.player.conftest import Site
from tests.support.browser import artefact, phone_context

SLUG = "moulin-de-marchienne"
MESSAGES = Path(__file__).resolve().parents[2] / "web" / "player" / "messages"
HEADINGS = {"fr": "Parcours", "nl": "Wandelingen", "en": "Trails", "de": "Rundgänge"}
DOWNLOAD = {
    "fr": "Télécharger pour le hors-ligne",
    "nl": "Downloaden voor offline gebruik",
    "en": "Download for offline",
    "de": "Für offline herunterladen",
}
# Words a Dutch or German page may share with English: names, international terms and the
# few words the three languages spell alike. Any other English word there is untranslated.
ALLOWED = {"baladeur", "gps", "offline", "min", "ok", "download", "hand", "later", "route"}
ALLOWED |= {"server", "position"}
_WORD = re.compile(r"[^\W\d_]{3,}")


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def _message_words(lang: str) -> set[str]:
    table = json.loads((MESSAGES / f"{lang}.json").read_text())
    # Placeholder names and ICU keywords ({n, plural, one {...}}) are not words a visitor sees.
    icu = re.compile(r"\{\s*\w+\s*(,\s*\w+\s*,?)?|\b(zero|one|two|few|many|other)\s*\{")
    text = " ".join(icu.sub(" ", m) for m in table.values())
    return _words(text)


def _english_only() -> set[str]:
    """Words of the English interface that no other language's page should show."""
    return _message_words("en") - ALLOWED


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _interface_text(page: Any, content: list[str]) -> str:
    """What the page shows, less the trail's own texts (its content, not the interface)."""
    text = str(page.evaluate("() => document.body.innerText"))
    for piece in sorted(content, key=len, reverse=True):
        if len(piece) > 2:
            text = text.replace(piece, " ")
    return text


def test_each_language_on_the_list_and_trail_screens(site: Site, chromium: Any) -> None:
    content = _strings(site.manifest())
    context = phone_context(chromium, site.url, locale="de-DE")
    page = context.new_page()
    page.goto("/play")
    page.wait_for_selector("#trail-list a")
    # The browser asks for German: the player starts in German without being told.
    assert page.locator("h1").text_content() == HEADINGS["de"]
    assert page.evaluate("() => document.documentElement.lang") == "de"

    for lang in ["fr", "nl", "en", "de"]:
        page.goto("/play")
        page.wait_for_selector("#trail-list a")
        page.get_by_role("button", name=lang.upper(), exact=True).click()
        page.wait_for_function(f"() => document.documentElement.lang === '{lang}'")
        page.wait_for_selector("#trail-list a")
        assert page.locator("h1").text_content() == HEADINGS[lang]
        pressed = page.get_by_role("button", name=lang.upper(), exact=True)
        assert pressed.get_attribute("aria-pressed") == "true"
        page.screenshot(path=str(artefact("player", f"lang-{lang}-list.png")))
        list_text = _interface_text(page, content)

        page.click(f"#trail-list a[data-slug={SLUG}]")
        page.wait_for_selector("#download")
        assert DOWNLOAD[lang] in (page.locator("#download").text_content() or "")
        # The switch is on this screen too.
        assert page.get_by_role("button", name="FR", exact=True).is_visible()
        page.screenshot(path=str(artefact("player", f"lang-{lang}-trail.png")), full_page=True)
        trail_text = _interface_text(page, content)

        if lang in {"nl", "de"}:
            english = _english_only()
            assert len(english) > 100, "the English word list is too small to mean anything"
            assert sorted(_words(list_text) & english) == [], list_text
            assert sorted(_words(trail_text) & english) == [], trail_text

    # A choice against the browser's German (Dutch) outlives a reload.
    page.get_by_role("button", name="NL", exact=True).click()
    page.wait_for_function("() => document.documentElement.lang === 'nl'")
    page.reload()
    page.wait_for_selector("#download")
    assert page.evaluate("() => document.documentElement.lang") == "nl"
    assert DOWNLOAD["nl"] in (page.locator("#download").text_content() or "")
    context.close()
