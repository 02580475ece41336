"""Switching the language while a page still waits for the server: the older drawing of the
page is dropped, and the studio shows one page, drawn once, in the language chosen last.

The server's answers are held back with Playwright's request routing, then let go in the
worst order: the older (English) answer first, the newer (German) one after it.

Screenshot: test-artefacts/studio/navigation/switched-while-loading.png.
"""

from __future__ import annotations

from typing import Any

from tests.studio.conftest import Studio
from tests.support.browser import artefact
from tests.support.studio_pages import desktop, sign_in

TRAIL_LIST = "**/v1/orgs/mill/trails?limit=100*"
# Every trail-list heading put on the page, in order: how many times the page was drawn.
COUNT_DRAWINGS = """() => {
  window.drawnLists = [];
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType !== 1) continue;
        const title = node.matches("#list-title") ? node : node.querySelector("#list-title");
        if (title) window.drawnLists.push(title.textContent);
      }
    }
  }).observe(document.getElementById("main"), { childList: true, subtree: true });
}"""


def test_a_language_switch_while_the_page_loads_draws_it_once(
    studio: Studio, chromium: Any
) -> None:
    context = desktop(chromium, studio.url, lang="en")
    page = context.new_page()
    sign_in(page, "editor")
    held: list[Any] = []

    def hold(route: Any) -> None:
        held.append(route)  # answered when the test lets it go

    page.route(TRAIL_LIST, hold)
    page.evaluate(COUNT_DRAWINGS)

    # The mediator opens the trail list; the server is slow to answer.
    with page.expect_request(TRAIL_LIST):
        page.get_by_role("link", name="Trails", exact=True).click()
    # Meanwhile they switch to German: a second drawing asks for the list again.
    with page.expect_request(TRAIL_LIST):
        page.get_by_role("button", name="DE", exact=True).click()
    while len(held) < 2:
        page.wait_for_timeout(20)
    assert page.evaluate("() => document.documentElement.lang") == "de"
    assert page.locator("#sign-out").inner_text() == "Abmelden"

    # The older answer arrives first, then the newer one.
    english, german = held
    with page.expect_request_finished(lambda r: r == english.request):
        english.continue_()
    with page.expect_request_finished(lambda r: r == german.request):
        german.continue_()
    page.wait_for_selector("#list-title:text-is('Rundgänge')")
    page.unroute(TRAIL_LIST)

    assert page.evaluate("() => window.drawnLists") == ["Rundgänge"]
    assert page.locator("#list-title").count() == 1
    assert page.locator("#main .page").count() == 1
    assert "Trails" not in page.locator("#main").inner_text()
    page.screenshot(path=str(artefact("studio", "navigation", "switched-while-loading.png")))

    # The studio goes on as usual: the next page is drawn once too, and reachable.
    page.get_by_role("link", name="Durchsicht").click()
    page.wait_for_selector("#main h1:text-is('Durchsicht')")
    assert page.locator("#main h1").count() == 1
    context.close()
