"""The apps' one element builder (web/dom, ``@baladeur/dom``) refuses every way of setting
markup or script, and the studio, the residents' pages and the player all use it.

Its callers name attributes in code and take values from data; the refusal must hold however
a name is spelt (HTML folds attribute names to lower case; properties are camel-cased) and
however a URL's scheme is written (the browser's own URL parser decides, not a pattern).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import tool_unavailable

ROOT = Path(__file__).resolve().parents[1]
ESBUILD = ROOT / "node_modules" / ".bin" / "esbuild"
ORIGIN = "http://studio.test"
# The shared module, and the h()/fill() that each app's own helper module hands on.
ENTRY = """
import * as shared from "@baladeur/dom";
import * as studio from "./web/studio/src/dom.js";
import * as contribute from "./web/contribute/src/dom.js";
import * as player from "./web/player/src/ui.js";
export const { h, fill, clear } = shared;
export const apps = { studio, contribute, player };
"""


@pytest.fixture(scope="module")
def dom_script() -> str:
    """The shared module and the apps' helper modules bundled as a script that sets window.dom."""
    if not ESBUILD.exists():
        tool_unavailable("esbuild is not installed: run scripts/setup.sh (npm ci)")
    result = subprocess.run(
        [str(ESBUILD), "--bundle", "--format=iife", "--global-name=dom"],
        input=ENTRY,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


@pytest.fixture
def page(chromium: Any, dom_script: str) -> Iterator[Any]:
    context = chromium.new_context()
    page = context.new_page()
    # A page on an http origin, so that relative links resolve as they do in the studio.
    page.route(f"{ORIGIN}/**", lambda route: route.fulfill(content_type="text/html", body=""))
    page.goto(f"{ORIGIN}/studio")
    page.add_script_tag(content=dom_script)
    try:
        yield page
    finally:
        context.close()


def _refused(page: Any, tag: str, attrs: str) -> bool:
    return bool(
        page.evaluate(
            f"() => {{ try {{ dom.h({tag!r}, {attrs}); return false; }}"
            " catch (e) { return e instanceof TypeError"
            " && e.message.startsWith('h(): refusing'); } }"
        )
    )


@pytest.mark.parametrize(
    ("tag", "attrs"),
    [
        ("div", "{innerHTML: '<img src=x onerror=alert(1)>'}"),
        ("div", "{INNERHTML: '<b>x</b>'}"),
        ("div", "{outerHTML: {toString: () => '<b>x</b>'}}"),
        ("iframe", "{srcdoc: '<script>alert(1)</script>'}"),
        ("iframe", "{SRCDOC: '<script>alert(1)</script>'}"),
        ("button", "{onclick: 'alert(1)'}"),
        ("button", "{OnClick: 'alert(1)'}"),
        ("a", "{href: 'javascript:alert(1)'}"),
        ("a", "{href: ' JaVa\\tScRiPt:alert(1)'}"),
        ("a", "{href: 'java\\nscript:alert(1)'}"),
        ("a", "{href: {toString: () => 'javascript:alert(1)'}}"),
        ("a", "{HREF: 'javascript:alert(1)'}"),
        ("a", "{href: 'vbscript:msgbox(1)'}"),
        ("iframe", "{src: 'data:text/html,<script>alert(1)</script>'}"),
        ("button", "{formAction: {toString: () => 'javascript:alert(1)'}}"),
        ("form", "{action: 'javascript:alert(1)'}"),
        ("object", "{data: 'javascript:alert(1)'}"),
        ("a", "{href: 'http://[bad'}"),
    ],
)
def test_h_refuses_markup_and_script_urls(page: Any, tag: str, attrs: str) -> None:
    assert _refused(page, tag, attrs), attrs


@pytest.mark.parametrize(
    ("tag", "attrs"),
    [
        ("a", "{href: '/studio/trails/3'}"),
        ("a", "{href: 'https://leafletjs.com'}"),
        ("a", "{href: URL.createObjectURL(new Blob(['x'])), download: 'x.zip'}"),
        ("a", "{href: 'mailto:someone@example.org'}"),
        ("img", "{src: 'blob:http://studio.test/0b4c', alt: '<b>x</b>'}"),
        ("input", "{value: 'javascript:alert(1)', name: 'title'}"),
        ("button", "{onclick: () => 1, disabled: true}"),
        ("li", "{dataset: {code: '<b>x</b>'}, title: 'onerror=alert(1)'}"),
        # The player's: links to its pages, the cover from the server or the device's store.
        ("a", "{class: 'card', href: '/play/charleroi-rails', 'data-slug': 'charleroi-rails'}"),
        ("img", "{class: 'cover', src: '/v1/media/0b4c', alt: ''}"),
        ("progress", "{id: 'progress', max: 1, value: 0, hidden: true}"),
        ("p", "{role: 'status', 'aria-live': 'polite', hidden: false}"),
    ],
)
def test_h_accepts_the_apps_own_uses(page: Any, tag: str, attrs: str) -> None:
    assert not _refused(page, tag, attrs), attrs


def test_h_children_and_attribute_values_stay_text(page: Any) -> None:
    result = page.evaluate(
        """() => {
          const text = "<img src=x onerror=alert(1)>";
          const node = dom.h("p", {title: '"><img src=x>'}, text, ["<b>", 2]);
          return {count: node.children.length, text: node.textContent, title: node.title};
        }"""
    )
    assert result == {
        "count": 0,
        "text": "<img src=x onerror=alert(1)><b>2",
        "title": '"><img src=x>',
    }


def test_every_app_builds_with_the_shared_h(page: Any) -> None:
    same = page.evaluate(
        """() => ({
          studio: dom.apps.studio.h === dom.h && dom.apps.studio.clear === dom.clear,
          contribute: dom.apps.contribute.h === dom.h && dom.apps.contribute.clear === dom.clear,
          player: dom.apps.player.h === dom.h && dom.apps.player.fill === dom.fill,
        })"""
    )
    assert same == {"studio": True, "contribute": True, "player": True}


def test_h_sets_properties_and_attributes_as_the_apps_read_them(page: Any) -> None:
    result = page.evaluate(
        """() => {
          const progress = dom.h("progress", {max: 1, value: 0.25, hidden: true});
          const shown = dom.h("p", {hidden: false, "aria-live": "polite", "data-play": "s1"});
          const box = dom.h("input", {type: "checkbox", checked: true, disabled: true});
          const off = dom.h("input", {type: "checkbox", checked: false});
          const label = dom.h("label", {for: "beacon", class: "check"});
          let clicks = 0;
          const button = dom.h("button", {type: "button", onclick: () => (clicks += 1)}, "Go");
          button.click();
          return {
            progress: [progress.max, progress.value, progress.hidden],
            shown: [shown.hidden, shown.getAttribute("aria-live"), shown.dataset.play],
            box: [box.checked, box.disabled, off.checked],
            label: [label.htmlFor, label.className],
            clicks,
          };
        }"""
    )
    assert result == {
        "progress": [1, 0.25, True],
        "shown": [False, "polite", "s1"],
        "box": [True, True, False],
        "label": ["beacon", "check"],
        "clicks": 1,
    }


def test_fill_and_clear_replace_children_with_text(page: Any) -> None:
    result = page.evaluate(
        """() => {
          const node = dom.h("main", {}, "old");
          dom.fill(node, "<b>x</b>", null, false, [dom.h("p", {}, "p"), undefined, 3]);
          const filled = {count: node.childNodes.length, elements: node.children.length,
                          text: node.textContent};
          dom.clear(node);
          return {...filled, cleared: node.childNodes.length};
        }"""
    )
    assert result == {"count": 3, "elements": 1, "text": "<b>x</b>p3", "cleared": 0}
