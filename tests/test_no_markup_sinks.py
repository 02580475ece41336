"""User text never becomes markup: no browser source of web/ hands a string to an HTML sink.

Text reaches the page through text nodes made by the apps' one element builder, ``h()`` and
``fill()`` of ``web/dom/index.js`` (``@baladeur/dom``, whose guards tests/test_dom.py tries in
a browser), and nothing else. This test reads every source under ``web/`` and fails on any
use of an API that parses a string as HTML or runs it as script, except the few reviewed uses
listed in ``REVIEWED`` (each with why it is safe), and on any second HTML element builder in
an app. The shells (``index.html``) hold no inline script, style or event handler, so that the
pages' strict Content-Security-Policy (server/security.py) needs no exception.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parent.parent / "web"

# Everything that turns a string into DOM or script, in the page or through Leaflet/Geoman.
SINKS: dict[str, re.Pattern[str]] = {
    "innerHTML/outerHTML": re.compile(r"\b(inner|outer)HTML\b"),
    "insertAdjacentHTML": re.compile(r"\binsertAdjacentHTML\b"),
    "document.write": re.compile(r"\bdocument\s*\.\s*write(ln)?\b"),
    "HTML parsing": re.compile(
        r"\bDOMParser\b|\bcreateContextualFragment\b|\bsetHTML(Unsafe)?\b|\bparseHTMLUnsafe\b"
    ),
    "srcdoc": re.compile(r"\bsrcdoc\b"),
    "script from a string": re.compile(
        r"\beval\s*\(|\bnew\s+Function\b|\bset(Timeout|Interval)\s*\(\s*[`'\"]|javascript:"
    ),
    "inline handler attribute": re.compile(r"setAttribute\s*\(\s*[`'\"]on", re.IGNORECASE),
    "Leaflet tooltip/popup": re.compile(r"\.bind(Tooltip|Popup)\s*\(|\.setContent\s*\("),
    "Leaflet divIcon": re.compile(r"\bdivIcon\s*\("),
    "Leaflet attribution": re.compile(
        r"\battribution\s*:|\.addAttribution\s*\(|\.setPrefix\s*\(|attributionControl\s*:\s*true"
        r"|control\s*\.\s*attribution\b"
    ),
    "Geoman texts": re.compile(r"\.setLang\s*\(|\btooltips\s*:"),
    "HTML in a string": re.compile(r"[`'\"]\s*<\s*[a-zA-Z!/]"),
}

# (file under web/, the exact line's code, why it is safe). Each must still be there.
REVIEWED: list[tuple[str, str, str]] = [
    (
        "dom/index.js",
        'const MARKUP = new Set(["innerhtml", "outerhtml", "srcdoc"]);',
        "the names h() refuses to set",
    ),
    (
        "studio/src/mapedit.js",
        "layer.bindTooltip(this.label(stop, index), TOOLTIP);",
        "an element of text nodes made by label(), never a string",
    ),
    (
        "studio/src/mapedit.js",
        "layer.bindTooltip(this.label(stop), TOOLTIP);",
        "an element of text nodes made by label(), never a string",
    ),
    (
        "studio/src/simulate.js",
        'const doc = new DOMParser().parseFromString(text, "application/xml");',
        "an inert XML document (never inserted, scripts never run) read for numbers only",
    ),
]


def _sources() -> list[Path]:
    return sorted(
        p
        for p in WEB.rglob("*")
        if p.suffix in {".js", ".mjs"} and "node_modules" not in p.parts and p.is_file()
    )


def _code_lines(path: Path) -> list[tuple[int, str]]:
    """Lines of code, without comment-only lines (comments may name the sinks they avoid)."""
    lines = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith(("//", "/*", "*")):
            continue
        lines.append((number, stripped))
    return lines


def _findings() -> tuple[list[str], set[tuple[str, str]]]:
    found: list[str] = []
    used: set[tuple[str, str]] = set()
    reviewed = {(path, code) for path, code, _ in REVIEWED}
    for path in _sources():
        name = path.relative_to(WEB).as_posix()
        for number, code in _code_lines(path):
            for sink, pattern in SINKS.items():
                if not pattern.search(code):
                    continue
                match = next(
                    ((p, c) for p, c in reviewed if p == name and code.startswith(c)), None
                )
                if match is None:
                    found.append(f"web/{name}:{number}: {sink}: {code}")
                else:
                    used.add(match)
    return found, used


def test_the_sources_are_found() -> None:
    names = {p.relative_to(WEB).as_posix() for p in _sources()}
    assert {"studio/src/mapedit.js", "player/src/trailpage.js", "engine/engine.js"} <= names


def test_no_source_hands_a_string_to_an_html_sink() -> None:
    found, _ = _findings()
    assert found == [], (
        "user text must reach the page as text nodes (h() of web/dom); "
        "Leaflet tooltips and popups take an element, never a string:\n" + "\n".join(found)
    )


# The one element builder; an app that builds HTML elements from data again would be a second
# place where the guards could be missing. Text nodes are made there only, an element of a
# tag held in a variable too (a literal tag, document.createElement("audio"), is one element,
# not a builder), and no app defines its own h(). SVG drawings (createElementNS) stay in the
# apps: they hold shapes and numbers, and reach text through textContent only.
DOM_MODULE = "dom/index.js"
BUILDERS: dict[str, re.Pattern[str]] = {
    "text node": re.compile(r"\bcreateTextNode\b"),
    "element of a variable tag": re.compile(r"\bcreateElement\s*\(\s*(?![\s`'\"])"),
    "an h() of its own": re.compile(
        r"\bfunction\s+h\s*\(|\b(const|let|var)\s+h\s*=|\bexport\s+\{[^}]*\bas\s+h\b"
    ),
}


def _builders() -> list[str]:
    found = []
    for path in _sources():
        name = path.relative_to(WEB).as_posix()
        if name == DOM_MODULE:
            continue
        for number, code in _code_lines(path):
            found += [
                f"web/{name}:{number}: {what}: {code}"
                for what, pattern in BUILDERS.items()
                if pattern.search(code)
            ]
    return found


def test_the_apps_build_elements_with_the_one_shared_h() -> None:
    assert _builders() == [], (
        "build HTML elements with h()/fill() of @baladeur/dom (web/dom/index.js), "
        "which keeps the guards in one place:\n" + "\n".join(_builders())
    )


def test_the_shared_module_is_the_builder() -> None:
    code = "\n".join(c for _, c in _code_lines(WEB / DOM_MODULE))
    assert BUILDERS["text node"].search(code) and BUILDERS["element of a variable tag"].search(code)


@pytest.mark.parametrize(
    "code",
    [
        "node.append(document.createTextNode(text));",
        "const node = document.createElement(tag);",
        "const el = document.createElement( name );",
        "export function h(tag, attrs, ...children) {",
        "const h = (tag) => make(tag);",
        "export { make as h };",
    ],
)
def test_the_builder_patterns_catch_a_second_builder(code: str) -> None:
    assert any(p.search(code) for p in BUILDERS.values()), code


@pytest.mark.parametrize(
    "code",
    [
        'const audio = document.createElement("audio");',
        "const node = document.createElementNS(NS, name);",
        'export { clear, h } from "@baladeur/dom";',
        "const hash = createHash();",
    ],
)
def test_the_builder_patterns_leave_single_elements_and_imports_alone(code: str) -> None:
    assert not any(p.search(code) for p in BUILDERS.values()), code


def test_every_reviewed_use_is_still_there() -> None:
    _, used = _findings()
    stale = {(p, c) for p, c, _ in REVIEWED} - used
    assert stale == set(), f"reviewed uses that no longer exist; remove them: {stale}"


@pytest.mark.parametrize(
    "pattern",
    [
        'el.innerHTML = "<b>" + title + "</b>";',
        "layer.bindTooltip(`${n}. ${stop.title}`);",
        'marker.bindPopup(name).openPopup(); el.insertAdjacentHTML("beforeend", x);',
        "L.tileLayer(url, { attribution: settings.credit });",
        "L.divIcon({ html: title });",
        'node.setAttribute("onclick", code);',
        "const row = `<li>${name}</li>`;",
        "document.write(text);",
        "setTimeout('go()', 10);",
    ],
)
def test_the_patterns_catch_the_usual_mistakes(pattern: str) -> None:
    assert any(p.search(pattern) for p in SINKS.values()), pattern


@pytest.mark.parametrize("app", ["studio", "player"])
def test_the_shells_hold_no_inline_script_style_or_handler(app: str) -> None:
    html = (WEB / app / "src" / "index.html").read_text(encoding="utf-8")
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S | re.I)
    assert scripts, "the shell loads its script"
    for attributes, body in scripts:
        assert "src=" in attributes and not body.strip(), "inline script"
    assert not re.search(r"<style\b", html, flags=re.I), "inline <style>"
    assert not re.search(r"\sstyle\s*=", html, flags=re.I), "style attribute"
    assert not re.search(r"\son[a-z]+\s*=", html, flags=re.I), "inline event handler"
    assert "javascript:" not in html.lower()
