"""The studio in French, Dutch, English and German: it starts in the browser's language,
the switch names each language in itself, the choice outlives a reload, and a Dutch or
German page shows no English interface words on the main screens.

Screenshots: test-artefacts/studio/languages/{lang}-{screen}.png.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx

from tests.studio.conftest import Studio
from tests.studio.test_review import invitation, resident_submits
from tests.support.browser import artefact, watch_csp
from tests.support.drafts import add_stop, new_trail
from tests.support.studio_pages import VIEWPORT, sign_in

MESSAGES = Path(__file__).resolve().parents[2] / "web" / "studio" / "messages"
NAMES = {"fr": "Français", "nl": "Nederlands", "en": "English", "de": "Deutsch"}
# The heading of the trail list, in each language.
TRAILS = {"fr": "Parcours", "nl": "Wandelingen", "en": "Trails", "de": "Rundgänge"}
# Words a Dutch or German page may share with English: names, formats, international terms
# and words the languages spell alike ("details", "still", "was"), and "English" in the
# switch. Any other English word there is untranslated.
ALLOWED = {"baladeur", "studio", "english", "charleroi", "marchienne", "moulin", "roue", "verre"}
ALLOWED |= {"musée", "marie", "dupont", "example", "org", "apple", "bing", "google", "maps"}
ALLOWED |= {"openstreetmap", "geo", "gps", "gpx", "geojson", "kml", "wav", "flac", "ogg", "srt"}
ALLOWED |= {"vtt", "webvtt", "csv", "pdf", "png", "jpeg", "webp", "url", "tile", "opus", "aac"}
ALLOWED |= {"android", "iphone", "audio", "browser", "code", "details", "download", "downloads"}
ALLOWED |= {"festival", "link", "links", "mail", "min", "minute", "online", "offline", "per"}
ALLOWED |= {"route", "server", "stereo", "binaural", "team", "workshop", "zone", "start"}
# Dutch words spelt as English ones.
ALLOWED |= {"account", "camera", "enter", "interface", "letters", "metadata", "open", "over"}
ALLOWED |= {"partners", "past", "pixels", "spelling", "upload", "volume", "waypoint", "week"}
ALLOWED |= {"waypoints", "west"}
# German words spelt as English ones.
ALLOWED |= {"format", "name", "optional", "organisation", "original", "pause", "person"}
ALLOWED |= {"polygon", "position", "private", "radius", "stand", "still", "text", "track"}
ALLOWED |= {"version", "was"}
_WORD = re.compile(r"[^\W\d_]{3,}")


def _message(lang: str, key: str) -> str:
    return str(json.loads((MESSAGES / f"{lang}.json").read_text())[key])


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def _english_only() -> set[str]:
    """Words of the English interface that a Dutch or German page should not show."""
    table = json.loads((MESSAGES / "en.json").read_text())
    # Argument names and ICU keywords ({n, plural, one {...}}) are not words people see.
    icu = re.compile(r"\{\s*\w+\s*(,\s*\w+\s*,?)?|\b(zero|one|two|few|many|other)\s*\{")
    return _words(" ".join(icu.sub(" ", m) for m in table.values())) - ALLOWED


# Fields whose values are the API's own words (a role, a state), which the studio translates:
# not content, so a page showing them untranslated must fail.
MACHINE = {"role", "state", "status", "visibility", "live_state", "live_visibility", "mode"}
MACHINE |= {"kind", "severity", "type", "rolloff", "replay", "on_exit", "credit"}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() if k not in MACHINE for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _content(studio: Studio, trail_id: int) -> list[str]:
    """Every text the people of 'mill' wrote (titles, names, labels...): content, not interface.

    The test accounts are named after their roles ("owner", "contributor"): on these pages
    those words are people's names, so they cannot be told from an untranslated role.
    """
    found: list[str] = []
    base = f"{studio.url}/v1/orgs/mill"
    with httpx.Client(base_url=base, headers=studio.api("owner"), follow_redirects=True) as api:
        for path in (
            "/trails?limit=100",
            f"/trails/{trail_id}/stops",
            "/contributions?status=submitted&limit=100",
            "/contributions?status=approved&limit=100",
            "/invitations?limit=100",
            "/members?limit=100",
            "/member-invitations?limit=100",
            "",
        ):
            answer = api.get(path)
            assert answer.status_code == 200, (path, answer.text)
            found += _strings(answer.json())
    return found


def _interface_text(page: Any, content: list[str]) -> str:
    """What the page shows, less what people wrote (trail, stop and contribution texts)."""
    # Links (the visitors' address) are addresses, not words.
    text = re.sub(r"https?://\S+", " ", str(page.evaluate("() => document.body.innerText")))
    for piece in sorted(content, key=len, reverse=True):
        if len(piece) > 2:
            text = text.replace(piece, " ")
    return text


# The main screens, in the order a mediator goes through them.
SCREENS = ["trails", "stop", "details", "publish", "review", "invitations", "members"]


def _site(studio: Studio) -> int:
    """A published trail whose draft adds a stop without audio, a resident's story waiting
    for review and an invitation link; the trail's id."""
    headers = studio.api("editor")
    with httpx.Client(base_url=studio.url) as api:
        trail = new_trail(api, headers, "langues-walk", title="Le chemin des langues")
        add_stop(api, headers, trail["id"], "porte", title="La porte", silent=True)
        published = api.post(
            f"/v1/orgs/mill/trails/{trail['id']}/releases", json={}, headers=headers
        )
        assert published.status_code < 300, published.text
        # Downloaded once: the audience card has a bar.
        bundle = api.get("/v1/trails/langues-walk/bundle", follow_redirects=True)
        assert bundle.status_code == 200
        add_stop(api, headers, trail["id"], "bief", title="Le bief", center=(4.396, 50.4040))
    return int(trail["id"])


def _open(page: Any, screen: str, trail_id: int) -> None:
    """Go to ``screen`` through the page's own links and wait until it has drawn."""
    if screen == "trails":
        page.click("nav a[href='/studio']")
        page.wait_for_selector("#trail-list")
    elif screen == "stop":
        page.click(f"#trail-list a[href='/studio/trails/{trail_id}']")
        page.wait_for_selector("#check-list li")
        page.click("#stop-list li[data-key=bief] .stop-name")
        page.wait_for_selector("#stop-form")
    elif screen in {"details", "publish"}:
        page.click(f"#tab-{screen}")
        page.wait_for_selector("#trail-details" if screen == "details" else "#audience-chart")
    else:
        page.click(f"#nav-{screen}")
        page.wait_for_selector(
            {"review": "#review-list", "invitations": "#invitation-list", "members": "#members"}[
                screen
            ]
        )


def test_the_studio_in_each_language(studio: Studio, chromium: Any) -> None:
    trail_id = _site(studio)
    code = invitation(studio)
    resident_submits(studio, studio.folder, code, "Les cloches de midi")
    content = _content(studio, trail_id)
    english = _english_only()
    assert len(english) > 300, "the English word list is too small to mean anything"

    # A German browser, nothing remembered: the studio starts in German, sign-in included.
    context = watch_csp(
        chromium.new_context(viewport=VIEWPORT, base_url=studio.url, locale="de-DE")
    )
    page = context.new_page()
    page.goto("/studio")
    page.wait_for_selector("#sign-in")
    assert page.evaluate("() => document.documentElement.lang") == "de"
    assert page.locator("#sign-in button[type=submit]").inner_text() == _message("de", "signIn")
    sign_in(page, "owner")

    for lang in ["fr", "nl", "en", "de"]:
        # From the trail list, drawn whole before the switch draws it again in the new language.
        _open(page, "trails", trail_id)
        page.get_by_role("button", name=lang.upper(), exact=True).click()
        page.wait_for_selector(f"#list-title:text-is('{TRAILS[lang]}')")
        assert page.evaluate("() => document.documentElement.lang") == lang
        # Each language by its code, named in itself on hover.
        switch = page.locator(".lang-switch button").all()
        assert [b.inner_text() for b in switch] == ["FR", "NL", "EN", "DE"]
        assert [b.get_attribute("title") for b in switch] == [NAMES[c] for c in NAMES]
        assert [b.get_attribute("lang") for b in switch] == list(NAMES)
        pressed = page.get_by_role("button", name=lang.upper(), exact=True)
        assert pressed.get_attribute("aria-pressed") == "true"
        for screen in SCREENS:
            if screen != "trails":
                _open(page, screen, trail_id)
            page.screenshot(
                path=str(artefact("studio", "languages", f"{lang}-{screen}.png")), full_page=True
            )
            if lang in {"nl", "de"}:
                shown = _interface_text(page, content)
                assert sorted(_words(shown) & english) == [], f"{lang} {screen}:\n{shown}"

    # A choice against the browser's German (Dutch) outlives a reload.
    page.get_by_role("button", name="NL", exact=True).click()
    page.wait_for_function("() => document.documentElement.lang === 'nl'")
    page.reload()
    page.wait_for_selector("#members")
    assert page.evaluate("() => document.documentElement.lang") == "nl"
    assert page.get_by_role("button", name="NL", exact=True).get_attribute("aria-pressed") == "true"
    context.close()


def test_a_remembered_language_no_longer_offered_gives_way_to_the_browsers(
    studio: Studio, chromium: Any
) -> None:
    """Italian was chosen once (say, by a later studio): a Dutch browser now gets Dutch."""
    context = watch_csp(
        chromium.new_context(viewport=VIEWPORT, base_url=studio.url, locale="nl-BE")
    )
    context.add_init_script("localStorage.setItem('baladeur.studio.lang', 'it')")
    page = context.new_page()
    page.goto("/studio")
    page.wait_for_selector("#sign-in")
    assert page.evaluate("() => document.documentElement.lang") == "nl"
    assert page.locator("#sign-in button[type=submit]").inner_text() == _message("nl", "signIn")
    pressed = page.locator(".lang-switch button[aria-pressed=true]")
    assert [b.get_attribute("title") for b in pressed.all()] == ["Nederlands"]
    context.close()


def test_a_browser_in_none_of_the_four_languages_gets_english(
    studio: Studio, chromium: Any
) -> None:
    context = watch_csp(
        chromium.new_context(viewport=VIEWPORT, base_url=studio.url, locale="it-IT")
    )
    page = context.new_page()
    page.goto("/studio")
    page.wait_for_selector("#sign-in")
    assert page.evaluate("() => document.documentElement.lang") == "en"
    assert page.get_by_role("button", name="Sign in").is_visible()
    context.close()
