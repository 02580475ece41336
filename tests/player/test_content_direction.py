"""A trail's own texts in a right-to-left language read right to left in the player, while its
French interface stays left to right; and a visitor who picks Arabic among a trail's languages
hears and reads the Arabic stories.

Screenshots: test-artefacts/player/rtl-{list,trail,listening,bilingual-fr,bilingual-ar}.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.player.conftest import Site, demo_site
from tests.player.field import state, until
from tests.support.audio import ffmpeg_make, tone
from tests.support.browser import artefact, phone_context
from tests.support.factories import add_demo

TITLE_AR = "طاحونة مارشيين"
DESCRIPTION_AR = "مسار تجريبي حول الطاحونة القديمة في مارشيين، على ضفة نهر سامبر."
# Arabic-Indic digits on purpose: numbers inside right-to-left text.
STOPS_AR = ["المحطة ١ — الطاحونة", "المحطة ٢ — على ضفة النهر"]  # noqa: RUF001
LINES_AR = ["مرحبا بكم عند الطاحونة القديمة.", "هنا كان العمال يطحنون القمح منذ عام ١٨٥٠."]
NARRATOR_AR = "مريم العلوي"
STOPS_FR = ["Arrêt 1 — Le moulin", "Arrêt 2 — Au bord de l'eau"]
LINES_FR = ["Bienvenue au vieux moulin.", "Ici, les ouvriers moulaient le blé depuis 1850."]
CENTRES = [[4.3800, 50.4000], [4.3815, 50.4003]]


def _vtt(lines: list[str]) -> str:
    cues = [
        f"00:00:0{2 * i}.000 --> 00:00:0{2 * i + 2}.000\n{line}" for i, line in enumerate(lines)
    ]
    return "WEBVTT\n\n" + "\n\n".join(cues) + "\n"


def _trail(folder: Path, slug: str, languages: list[str]) -> Path:
    """A two-stop trail source in ``languages`` (Arabic and/or French), with short stories."""
    (folder / "media").mkdir(parents=True)
    texts = {
        "ar": {"title": TITLE_AR, "stops": STOPS_AR, "lines": LINES_AR},
        "fr": {"title": "Moulin de Marchienne", "stops": STOPS_FR, "lines": LINES_FR},
    }
    stops = []
    for i, key in enumerate(["bab", "nahr"]):
        versions = {}
        for n, lang in enumerate(languages):
            audio = f"media/{key}.{lang}.opus"
            # A tone per language: the Arabic and the French stories are different files.
            ffmpeg_make(folder / audio, *tone(4, freq=330 + 110 * n + 55 * i))
            (folder / f"media/{key}.{lang}.vtt").write_text(
                _vtt(texts[lang]["lines"]), encoding="utf-8"
            )
            versions[lang] = {"audio": audio, "transcript": f"media/{key}.{lang}.vtt"}
        stops.append(
            {
                "key": key,
                "title": {lang: texts[lang]["stops"][i] for lang in languages},
                "zone": {"type": "circle", "center": CENTRES[i], "radius_m": 25},
                "story": {
                    "versions": versions,
                    "credits": [{"name": NARRATOR_AR, "role": "راوية"}],
                },
            }
        )
    source = {
        "format": 1,
        "slug": slug,
        "languages": languages,
        "title": {lang: texts[lang]["title"] for lang in languages},
        "description": {"ar": DESCRIPTION_AR} if "ar" in languages else {},
        "credits": [{"name": NARRATOR_AR, "role": "راوية"}],
        "stops": stops,
    }
    (folder / "trail.yaml").write_text(yaml.safe_dump(source, allow_unicode=True), "utf-8")
    return folder


@pytest.fixture(scope="module")
def rtl_site(
    player_built: Path, spatialite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """A server with an Arabic trail (tahuna) and a French and Arabic one (moulin-bilingue)."""
    sources = tmp_path_factory.mktemp("rtl-sources")
    arabic = _trail(sources / "tahuna", "tahuna", ["ar"])
    both = _trail(sources / "bilingue", "moulin-bilingue", ["fr", "ar"])
    with demo_site(tmp_path_factory.mktemp("rtl-site"), spatialite_template, arabic) as site:
        add_demo(site.db, both, site.blobs, site.keys)
        yield site


def _direction(page: Any, selector: str) -> str:
    return str(page.eval_on_selector(selector, "(e) => getComputedStyle(e).direction"))


def _language(page: Any, selector: str) -> str:
    return str(page.eval_on_selector(selector, "(e) => e.closest('[lang]').lang"))


def _downloaded(page: Any, slug: str) -> None:
    page.goto(f"/play/{slug}")
    until(page, "s.offlineReady")
    page.click("#download")
    page.wait_for_selector("#from-home", timeout=30_000)


def test_an_arabic_trail_reads_right_to_left_in_a_french_interface(
    rtl_site: Site, chromium: Any
) -> None:
    context = phone_context(chromium, rtl_site.url, locale="fr-BE")
    page = context.new_page()
    page.goto("/play")
    card = "#trail-list a[data-slug=tahuna] .card-title"
    page.wait_for_selector(card)
    # The interface is French, left to right; the trail's title in it is Arabic, right to left.
    assert page.evaluate("() => document.documentElement.lang") == "fr"
    assert page.locator("h1").text_content() == "Parcours"
    assert _direction(page, "h1") == "ltr"
    assert page.locator(card).text_content() == TITLE_AR
    assert (_direction(page, card), _language(page, card)) == ("rtl", "ar")
    assert _direction(page, "#trail-list a[data-slug=tahuna] .card-facts") == "ltr"
    page.screenshot(path=str(artefact("player", "rtl-list.png")))

    page.click("#trail-list a[data-slug=tahuna]")
    page.wait_for_selector("#download")
    assert page.locator("h1").text_content() == TITLE_AR
    assert (_direction(page, "h1"), _language(page, "h1")) == ("rtl", "ar")
    assert page.locator("p.lead").text_content() == DESCRIPTION_AR
    assert _direction(page, "p.lead") == "rtl"
    # The interface around it stays French and left to right.
    for interface in ["a.back", "#download", "#fact-languages dt", "#status"]:
        assert _direction(page, interface) == "ltr", interface
    assert _language(page, "#download") == "fr"
    # Credits are no language's: a name in Arabic script reads right to left by itself.
    assert page.locator("#credits li").first.text_content() == f"{NARRATOR_AR} — راوية"
    assert _direction(page, "#credits li") == "rtl"
    assert _direction(page, "#credits-title") == "ltr"
    # One language: nothing to choose.
    assert page.locator("#story-language").count() == 0
    page.screenshot(path=str(artefact("player", "rtl-trail.png")), full_page=True)

    _downloaded(page, "tahuna")
    page.click("#from-home")
    page.wait_for_selector("#stops .stop-title")
    titles = page.locator("#stops .stop-title")
    assert titles.all_text_contents() == STOPS_AR
    for i in range(2):
        assert titles.nth(i).evaluate("(e) => getComputedStyle(e).direction") == "rtl"
    page.click("[data-play=bab]")
    page.wait_for_function("() => document.body.dataset.playing === 'bab'")
    page.wait_for_selector("#transcript p")
    assert page.locator("#transcript p").all_text_contents() == LINES_AR
    assert (_direction(page, "#transcript p"), _language(page, "#transcript p")) == ("rtl", "ar")
    assert page.locator("#now-title").text_content() == STOPS_AR[0]
    assert _direction(page, "#now-title") == "rtl"
    assert _direction(page, "#now-playing .label") == "ltr"
    # The French sentences around Arabic names keep their order: the name is isolated.
    credits = page.locator("#story-credits")
    assert credits.text_content() == f"Crédits : {NARRATOR_AR} (راوية)"
    assert _direction(page, "#story-credits") == "ltr"
    assert _direction(page, "#story-credits bdi") == "rtl"
    words = page.eval_on_selector(
        "#story-credits",
        "(e) => { const r = document.createRange(); r.setStart(e.firstChild, 0);"
        " r.setEnd(e.firstChild, e.firstChild.length); const label = r.getBoundingClientRect();"
        " const name = e.querySelector('bdi').getBoundingClientRect();"
        " return [label.left, label.right, name.left]; }",
    )
    assert words[0] < words[1] <= words[2] + 1, words  # "Crédits :" first, on the left
    announce = page.locator("#announce")
    assert announce.text_content() == f"Lecture : {STOPS_AR[0]}"
    assert _direction(page, "#announce") == "ltr"
    assert (_direction(page, "#announce bdi"), _language(page, "#announce bdi")) == ("rtl", "ar")
    assert state(page)["storyLanguage"] == "ar"
    page.evaluate("() => document.querySelector('#now-playing').scrollIntoView()")
    page.screenshot(path=str(artefact("player", "rtl-listening.png")))
    context.close()


def test_a_visitor_picks_the_arabic_stories_of_a_french_and_arabic_trail(
    rtl_site: Site, chromium: Any
) -> None:
    context = phone_context(chromium, rtl_site.url, locale="fr-BE")
    page = context.new_page()
    page.goto("/play/moulin-bilingue")
    page.wait_for_selector("#story-language")
    # The French interface picks the French stories first (the trail has them).
    assert page.locator("h1").text_content() == "Moulin de Marchienne"
    assert (_direction(page, "h1"), _language(page, "h1")) == ("ltr", "fr")
    choice = page.locator("#story-language")
    assert page.locator("label[for=story-language]").text_content() == "Langue des récits"
    assert choice.locator("option").all_text_contents() == ["Français", "Arabe"]
    assert choice.input_value() == "fr"
    page.screenshot(path=str(artefact("player", "rtl-bilingual-fr.png")), full_page=True)

    choice.select_option(label="Arabe")
    page.wait_for_function("() => document.querySelector('h1')?.lang === 'ar'")
    assert page.locator("h1").text_content() == TITLE_AR
    assert _direction(page, "h1") == "rtl"
    assert page.locator("#story-language").input_value() == "ar"
    # The interface stays French.
    assert page.evaluate("() => document.documentElement.lang") == "fr"
    assert _direction(page, "#download") == "ltr"

    _downloaded(page, "moulin-bilingue")
    assert page.locator("#story-language").input_value() == "ar"  # kept on the phone
    page.click("#from-home")
    page.click("[data-play=nahr]")
    page.wait_for_function("() => document.body.dataset.playing === 'nahr'")
    page.wait_for_selector("#transcript p")
    assert state(page)["storyLanguage"] == "ar"
    assert page.locator("#transcript p").all_text_contents() == LINES_AR
    assert (_direction(page, "#transcript"), _language(page, "#transcript")) == ("rtl", "ar")
    assert page.locator("#stops .stop-title").all_text_contents() == STOPS_AR
    assert page.locator("#now-title").text_content() == STOPS_AR[1]
    page.evaluate("() => document.querySelector('#now-playing').scrollIntoView()")
    page.screenshot(path=str(artefact("player", "rtl-bilingual-ar.png")))

    # Back to French stories: the choice is the visitor's, both ways.
    page.click("#from-home")  # end the listening, as leaving the page would
    page.reload()
    page.wait_for_selector("#story-language")
    page.locator("#story-language").select_option("fr")
    page.wait_for_function("() => document.querySelector('h1')?.lang === 'fr'")
    page.click("#from-home")
    page.click("[data-play=nahr]")
    page.wait_for_function("() => document.body.dataset.playing === 'nahr'")
    page.wait_for_function(
        "() => document.querySelector('#transcript')?.lang === 'fr'"
        " && document.querySelectorAll('#transcript p').length > 0"
    )
    assert page.locator("#transcript p").all_text_contents() == LINES_FR
    assert _direction(page, "#transcript") == "ltr"
    assert state(page)["storyLanguage"] == "fr"
    # Picking the interface's language again is no choice: the stories follow the interface.
    assert page.evaluate("() => localStorage.getItem('baladeur.storyLanguage')") is None
    context.close()
