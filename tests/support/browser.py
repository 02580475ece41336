"""Headless Debian Chromium driven by Playwright, for tests of the web pages.

No browser is downloaded: Playwright launches the system's ``/usr/bin/chromium``. When it or
the Python package is missing the tests skip locally and fail in CI, like a missing backend.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.webapps import WebApp

CHROMIUM = os.environ.get("BALADEUR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Audio starts from a tap in real use; headless tests tap too, but keep it predictable.
    "--autoplay-policy=no-user-gesture-required",
]
PHONE = {"width": 390, "height": 844}
ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts"


def tool_unavailable(reason: str) -> None:
    """Skip locally; fail in CI, where the browser tests must run."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"needed for the browser tests in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the whole session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        tool_unavailable("the playwright Python package is not installed")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        tool_unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# Every page reports its Content-Security-Policy violations to the console, where
# watch_csp() collects them: a page of the apps must never need anything its policy refuses.
_REPORT_VIOLATIONS = """
document.addEventListener('securitypolicyviolation', (e) => {
  console.error('csp-violation ' + JSON.stringify({
    directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample,
    source: e.sourceFile + ':' + e.lineNumber,
  }));
}, true);
"""
CSP_VIOLATIONS: list[str] = []


def watch_csp(context: Any) -> Any:
    """Collect the CSP violations of every page of ``context`` into ``CSP_VIOLATIONS``."""
    context.add_init_script(_REPORT_VIOLATIONS)

    def collect(message: Any) -> None:
        text = message.text
        if text.startswith("csp-violation ") or "Content Security Policy" in text:
            CSP_VIOLATIONS.append(f"{message.page.url if message.page else '?'}: {text}")

    context.on("console", collect)
    return context


@pytest.fixture(autouse=True)
def csp_kept() -> Iterator[None]:
    """Every page of every test in a folder whose conftest imports this keeps its policy.

    Fails the test if any page broke its Content-Security-Policy.
    """
    CSP_VIOLATIONS.clear()
    yield
    found = list(CSP_VIOLATIONS)
    CSP_VIOLATIONS.clear()
    assert found == [], "Content-Security-Policy violations:\n" + "\n".join(found)


def built(app: WebApp) -> Path:
    """The folder of a built web app (``npm run build``, run by scripts/setup.sh)."""
    if not (app.dist / "index.html").is_file():
        tool_unavailable(f"the {app.name} is not built: run `npm ci && npm run build`")
    return app.dist


def phone_context(browser: Any, base_url: str, **options: Any) -> Any:
    """A fresh browser profile sized like a phone, with location allowed for ``base_url``."""
    settings: dict[str, Any] = {
        "viewport": PHONE,
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "locale": "fr-BE",
        "base_url": base_url,
        "permissions": ["geolocation"],
        "geolocation": {"latitude": 50.40, "longitude": 4.38, "accuracy": 10},
        "service_workers": "allow",
    }
    settings.update(options)
    return watch_csp(browser.new_context(**settings))


def artefact(*parts: str) -> Path:
    """A path in the test artefacts folder (created), for screenshots and logs."""
    path = ARTEFACTS.joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def map_still(page: Any) -> None:
    """Wait until the page's Leaflet map has not moved for a moment (a pan or zoom ended)."""
    pane = "document.querySelector('#map .leaflet-map-pane').style.transform"
    last = None
    for _ in range(40):
        now = page.evaluate(pane)
        if now == last:
            return
        last = now
        page.wait_for_timeout(250)
    raise AssertionError("the map kept moving")


def player_state(page: Any) -> dict[str, Any]:
    """What the player page publishes about itself for tests (its ``#player-state`` JSON)."""
    return dict(json.loads(page.locator("#player-state").text_content() or "{}"))
