"""Every player screen passes axe-core; the live regions say what plays and how the GPS is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.player.conftest import Site
from tests.player.field import SLUG, downloaded, until, walk_to_first_story
from tests.support.browser import artefact, phone_context

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is (WCAG 2.x A and AA rules and best practices)."""
    # Evaluated rather than added as a <script>: the player's CSP refuses inline scripts.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")  # not the axe object back
    found = page.evaluate(
        "async () => (await axe.run(document)).violations"
        ".map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    return list(found)


def overflow_at_200_percent(page: Any) -> int:
    """How far the page scrolls sideways with the visitor's text at 200 % (0: it does not)."""
    # The player is sized in rem from the root: a larger text setting or a 200 % zoom of text
    # scales the root, as here; the root's own setting is put back afterwards.
    return int(
        page.evaluate(
            """() => {
      const root = document.documentElement;
      const before = root.style.fontSize;
      root.style.fontSize = '200%';
      const over = Math.max(root.scrollWidth, document.body.scrollWidth) - window.innerWidth;
      root.style.fontSize = before;
      return over;
    }"""
        )
    )


def accessible(page: Any, screen: str) -> None:
    """The screen passes axe and fits the phone's width with text at 200 %."""
    assert violations(page) == [], screen
    assert overflow_at_200_percent(page) <= 0, screen


def test_every_screen_passes_axe(site: Site, chromium: Any) -> None:
    context = phone_context(chromium, site.url, reduced_motion="reduce")
    page = context.new_page()
    page.goto("/play")
    page.wait_for_selector("#trail-list a")
    accessible(page, "list")

    downloaded(page)
    accessible(page, "trail page, stored")
    # The credits: the trail's, then each story's under its title.
    credits = page.locator("#credits")
    assert credits.get_by_role("heading", level=3).count() >= 6
    assert "narrator" in credits.inner_text()
    credits.scroll_into_view_if_needed()
    page.screenshot(path=str(artefact("player", "17-credits.png")))

    walk_to_first_story(site, page, context)
    until(page, "s.playing && s.gps === 'good'")
    page.clock.resume()  # axe waits on timers
    # The walk's screen, with the guidance panel and its beacon switched on.
    assert page.locator("#guide").is_visible()
    page.get_by_label("Balise sonore vers le prochain arrêt").check()
    accessible(page, "walk, with guidance")
    # What plays is announced, once, in a polite live region.
    announce = page.locator("#announce")
    assert announce.get_attribute("aria-live") == "polite"
    assert "Lecture : Arrêt 1" in announce.aria_snapshot()
    assert page.locator("#gps").aria_snapshot() == '- status: "GPS : bon"'

    page.click("#from-home")
    until(page, "s.mode === 'home'")
    accessible(page, "listen from home")

    page.goto(f"/play/{SLUG}")
    page.click("#remove")
    page.wait_for_selector("#download")
    accessible(page, "trail page, not stored")
    context.close()


def test_text_at_200_percent_fits_the_phone(site: Site, chromium: Any) -> None:
    context = phone_context(chromium, site.url)
    page = context.new_page()
    page.goto(f"/play/{SLUG}")
    page.wait_for_selector("#download")
    # The visitor's larger text setting: the page is sized in rem, so everything follows.
    before = page.evaluate("() => getComputedStyle(document.querySelector('h1')).fontSize")
    page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
    after = page.evaluate("() => getComputedStyle(document.querySelector('h1')).fontSize")
    assert float(after.rstrip("px")) >= 1.7 * float(before.rstrip("px"))
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.screenshot(path=str(artefact("player", "16-text-200-percent.png")))
    context.close()
