"""The studio's top bar: an administrator's five menu items, the organisation, the language
switch and Sign out hold on one line on a 1280 px screen in all four languages (German the
longest), their name joins that line from 1440 px, and on a narrow window the bar wraps
between items, never inside one.

Screenshots: test-artefacts/studio/topbar/{lang}-{width}.png.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.studio.conftest import EmptyServer, bearer
from tests.support.browser import artefact
from tests.support.people import PASSWORD, add_user
from tests.support.studio_pages import desktop

# A long but ordinary name and organisation: the bar must not rely on short ones.
ADMIN = "marie-claire.vandenberghe@example.org"
ORG = "Maison du Moulin de Marchienne"
MENU = ["#main-nav a", "#sign-out"]


def _admin_inside(server: EmptyServer, chromium: Any, lang: str, width: int) -> Any:
    """An administrator, owner of one organisation, signed in at ``width`` px in ``lang``."""
    context = desktop(chromium, server.url, lang=lang)
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": 720})
    page.goto("/studio")
    page.fill("input[name=email]", ADMIN)
    page.fill("input[name=password]", PASSWORD)
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("#list-title")
    return page


def _boxes(page: Any, selector: str) -> list[dict[str, float]]:
    return [box for box in (loc.bounding_box() for loc in page.locator(selector).all()) if box]


@pytest.fixture
def admin_server(empty_server: EmptyServer) -> EmptyServer:
    """An administrator who made one organisation (so they own it: all five menu items)."""
    add_user(empty_server.db, ADMIN, admin=True)
    created = httpx.post(
        f"{empty_server.url}/v1/orgs",
        json={"slug": "moulin", "name": ORG},
        headers=bearer(empty_server.url, ADMIN),
    )
    assert created.status_code == 201, created.text
    return empty_server


def _on_one_line(page: Any, width: int, parts: list[str]) -> None:
    """The menu items and Sign out share one top; every other part sits on that line too."""
    boxes = [box for selector in MENU for box in _boxes(page, selector)]
    assert len(boxes) == 6
    tops = {round(box["y"]) for box in boxes}
    assert len(tops) == 1, f"menu items and Sign out on different lines: tops {sorted(tops)}"
    line = page.locator("#topbar").bounding_box()
    assert line["height"] < 2 * boxes[0]["height"], "the bar is taller than one line"
    for selector in parts:
        box = page.locator(selector).bounding_box()
        assert box is not None, f"{selector} is not shown"
        assert line["y"] <= box["y"] and box["y"] + box["height"] <= line["y"] + line["height"]
        assert box["x"] + box["width"] <= width, f"{selector} runs off the window"


@pytest.mark.parametrize("lang", ["en", "fr", "nl", "de"])
def test_an_administrators_bar_holds_on_one_line_at_1280(
    admin_server: EmptyServer, chromium: Any, lang: str
) -> None:
    page = _admin_inside(admin_server, chromium, lang, 1280)
    page.screenshot(path=str(artefact("studio", "topbar", f"{lang}-1280.png")))
    assert page.locator("#main-nav a").count() == 5
    _on_one_line(page, 1280, [".brand", "#org-switch", ".lang-switch", "#sign-out"])
    # The name gives its room to the menu; Sign out says whose session it ends, and the
    # organisation's whole name is in its list and on hover.
    assert not page.locator(".who").is_visible()
    assert ADMIN in str(page.locator("#sign-out").get_attribute("title"))
    assert page.locator("#org-switch").get_attribute("title") == ORG
    assert page.locator("#org-switch option:checked").text_content() == ORG
    page.context.close()


def test_from_1440_the_bar_also_shows_who_is_signed_in(
    admin_server: EmptyServer, chromium: Any
) -> None:
    page = _admin_inside(admin_server, chromium, "de", 1440)
    page.screenshot(path=str(artefact("studio", "topbar", "de-1440.png")))
    _on_one_line(page, 1440, [".brand", "#org-switch", ".lang-switch", ".who", "#sign-out"])
    who = page.locator(".who")
    # A long name is cut with an ellipsis rather than pushing Sign out to a second line.
    assert who.text_content() == ADMIN.split("@")[0]
    assert who.get_attribute("title") == ADMIN
    page.context.close()


@pytest.mark.parametrize("width", [720, 420])
def test_a_narrow_window_wraps_the_bar_between_items(
    admin_server: EmptyServer, chromium: Any, width: int
) -> None:
    page = _admin_inside(admin_server, chromium, "de", width)
    page.screenshot(path=str(artefact("studio", "topbar", f"de-{width}.png")))
    one_line = page.locator("#sign-out").bounding_box()["height"]
    for selector in [*MENU, ".lang-switch button", ".brand"]:
        for box in _boxes(page, selector):
            # No item is broken over two lines, and none runs off the window.
            assert box["height"] <= one_line + 1, selector
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, selector
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    # Each menu item still reaches its page.
    page.locator("#main-nav a").nth(4).click()
    page.wait_for_selector("#new-organisation")
    page.context.close()
