"""How an editor opens the studio in a browser: a laptop-sized profile, and signing in."""

from __future__ import annotations

from typing import Any

from tests.support.browser import watch_csp
from tests.support.people import PASSWORD

VIEWPORT = {"width": 1440, "height": 900}


def desktop(browser: Any, base_url: str, lang: str = "en") -> Any:
    """A fresh browser profile at a laptop's size, in the interface language ``lang``."""
    context = browser.new_context(
        viewport=VIEWPORT, base_url=base_url, locale="en-GB" if lang == "en" else "fr-BE"
    )
    context.add_init_script(
        "try { localStorage.getItem('baladeur.studio.lang') || "
        f"localStorage.setItem('baladeur.studio.lang', '{lang}') }} catch {{}}"
    )
    watch_csp(context)
    # Shown by pytest when a test fails: the page's own errors explain most failures.
    context.on("console", lambda m: m.type == "error" and print("console:", m.text, m.location))
    context.on("weberror", lambda e: print("page error:", e.error))
    return context


def sign_in(page: Any, who: str, org: str = "mill") -> None:
    """Sign in through the form, choose the organisation and wait for its trail list."""
    page.goto("/studio")
    page.fill("input[name=email]", f"{who}@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("#sign-out")
    # Tests found organisations of their own; the choice must not depend on their order.
    if page.input_value("#org-switch") != org:
        page.select_option("#org-switch", org)
    page.wait_for_selector("#list-title")
