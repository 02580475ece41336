"""The studio shell in a real browser: sign-in and out, organisations, languages, details."""

from __future__ import annotations

from typing import Any

import httpx

from tests.studio.conftest import Studio, shot
from tests.support.drafts import new_trail
from tests.support.studio_pages import desktop, sign_in


def test_wrong_password_is_a_readable_message(studio: Studio, chromium: Any) -> None:
    context = desktop(chromium, studio.url, lang="fr")
    page = context.new_page()
    page.goto("/studio")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.fill("input[name=email]", "owner@example.org")
    page.fill("input[name=password]", "not-the-password")
    page.click("#sign-in button[type=submit]")
    alert = page.locator("#sign-in [role=alert]")
    alert.wait_for()
    assert "ne correspondent à aucun compte" in alert.inner_text()
    context.close()


def test_switch_organisation_language_and_sign_out(studio: Studio, chromium: Any) -> None:
    # The owner founds a second organisation: the switch lists both.
    r = httpx.post(
        f"{studio.url}/v1/orgs",
        json={"slug": "fete-du-quartier", "name": "Fête du quartier"},
        headers=studio.api("owner"),
    )
    assert r.status_code == 201, r.text
    httpx.post(
        f"{studio.url}/v1/orgs/mill/trails",
        json={"slug": "shell-walk", "title": {"fr": "Tour du moulin"}, "languages": ["fr"]},
        headers=studio.api("owner"),
    ).raise_for_status()

    context = desktop(chromium, studio.url)
    page = context.new_page()
    sign_in(page, "owner")
    page.wait_for_selector("#trail-list >> text=Tour du moulin")
    shot(page, "1-trails-en")
    page.select_option("#org-switch", "fete-du-quartier")
    page.wait_for_selector("text=No trails yet.")
    page.select_option("#org-switch", "mill")
    page.wait_for_selector("#trail-list >> text=Tour du moulin")

    page.click(".lang-switch [data-lang=fr]")
    page.wait_for_selector("#list-title >> text=Parcours")
    page.reload()
    page.wait_for_selector("#list-title >> text=Parcours")
    assert page.locator("html").get_attribute("lang") == "fr"

    # The session lives in an HttpOnly cookie; signing out revokes it on the server too.
    (cookie,) = [c for c in context.cookies() if c["name"] == "baladeur_session"]
    page.click("#sign-out")
    page.wait_for_selector("#sign-in")
    assert not [c for c in context.cookies() if c["name"] == "baladeur_session"]
    gone = httpx.get(f"{studio.url}/v1/me", cookies={"baladeur_session": cookie["value"]})
    assert gone.status_code == 401
    context.close()


def test_edit_details_and_duplicate_as_temporary_route(studio: Studio, chromium: Any) -> None:
    headers = studio.api("editor")
    trail = httpx.post(
        f"{studio.url}/v1/orgs/mill/trails",
        json={"slug": "details-walk", "title": {"fr": "Détails"}, "languages": ["fr"]},
        headers=headers,
    ).json()
    context = desktop(chromium, studio.url, lang="fr")
    page = context.new_page()
    sign_in(page, "editor")
    page.goto(f"/studio/trails/{trail['id']}/details")
    page.wait_for_selector("#trail-details")
    page.fill("input[name=languages]", "fr, en")
    page.fill("input[name=title-en]", "Details")
    page.fill("textarea[name=description-fr]", "Une promenade au bord de la Sambre.")
    page.select_option("select[name=visibility]", "unlisted")
    page.click("#trail-details button[type=submit]")
    done = page.wait_for_selector("#toast.shown, #trail-details [role=alert]")
    assert done.get_attribute("role") != "alert", done.inner_text()
    page.evaluate("document.querySelector('main').scrollTo(0, 0)")
    shot(page, "7-details-fr")
    saved = httpx.get(f"{studio.url}/v1/orgs/mill/trails/{trail['id']}", headers=headers).json()
    assert saved["languages"] == ["fr", "en"]
    assert saved["title"] == {"fr": "Détails", "en": "Details"}
    assert saved["description"] == {"fr": "Une promenade au bord de la Sambre."}
    assert saved["visibility"] == "unlisted"

    # A bad value comes back as the server's sentence, not a crash.
    page.fill("input[name=languages]", "fr, en, not a language")
    page.click("#trail-details button[type=submit]")
    page.wait_for_selector("#trail-details [role=alert]")

    page.goto("/studio")
    item = page.locator(".trail-card", has_text="Détails")
    item.locator("button").click()
    page.fill("dialog input[name=slug]", "details-festival")
    page.fill("dialog input[name=valid_from]", "2026-07-01")
    page.fill("dialog input[name=valid_until]", "2026-07-03")
    page.click("dialog button[type=submit]")
    page.wait_for_selector("#trail-title")
    copies = httpx.get(f"{studio.url}/v1/orgs/mill/trails", headers=headers).json()["items"]
    copy = next(c for c in copies if c["slug"] == "details-festival")
    assert copy["valid_until"].startswith("2026-07-0")
    assert copy["visibility"] == "unlisted"
    context.close()


def test_server_refusals_follow_the_studios_language_not_the_browsers(
    studio: Studio, chromium: Any
) -> None:
    with httpx.Client(base_url=studio.url, timeout=30) as api:
        new_trail(api, studio.api("editor"), "adresse-prise")
    # A French browser whose studio the editor switches to English.
    context = desktop(chromium, studio.url, lang="fr")
    page = context.new_page()
    asked: list[str] = []
    page.on(
        "request",
        lambda r: "/v1/" in r.url and asked.append(r.headers.get("accept-language", "")),
    )
    sign_in(page, "editor")
    page.click(".lang-switch [data-lang=en]")
    page.wait_for_selector("#new-trail h2:text('New trail')")
    asked.clear()
    form = page.locator("#new-trail")
    form.get_by_label("Title", exact=True).fill("Taken")
    form.get_by_label("Web address name").fill("adresse-prise")
    form.get_by_role("button", name="Create trail").click()
    refusal = form.get_by_text("is already used by a trail")
    refusal.wait_for()
    assert "déjà" not in form.inner_text()
    assert asked and set(asked) == {"en"}
    shot(page, "shell-refusal-in-english")

    page.click(".lang-switch [data-lang=fr]")
    form = page.locator("#new-trail")
    form.get_by_label("Titre", exact=True).fill("Prise")
    form.locator("input[name=slug]").fill("adresse-prise")
    form.get_by_role("button", name="Créer le parcours").click()
    form.get_by_text("est déjà utilisée par un parcours").wait_for()
    assert asked[-1] == "fr"
    context.close()
