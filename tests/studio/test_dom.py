"""The studio's h() (web/studio/src/dom.js) refuses every way of setting markup or script.

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

ROOT = Path(__file__).resolve().parents[2]
ESBUILD = ROOT / "node_modules" / ".bin" / "esbuild"
ORIGIN = "http://studio.test"


@pytest.fixture(scope="module")
def dom_script() -> str:
    """dom.js bundled as a script that sets window.dom."""
    if not ESBUILD.exists():
        tool_unavailable("esbuild is not installed: run scripts/setup.sh (npm ci)")
    result = subprocess.run(
        [str(ESBUILD), "web/studio/src/dom.js", "--bundle", "--format=iife", "--global-name=dom"],
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
    ],
)
def test_h_accepts_the_studio_s_own_uses(page: Any, tag: str, attrs: str) -> None:
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
