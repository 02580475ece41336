"""Invitation links in a real browser: made for a stop, shown once with QR and A5 sheet,
listed, revoked; bad input said next to each field, nothing typed lost."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import httpx

from tests.sharing.helpers import decode_qr, pdf_text
from tests.studio.conftest import Studio, shot
from tests.support.browser import artefact
from tests.support.drafts import add_stop, new_trail
from tests.support.studio_pages import desktop, sign_in


def _trail_and_stop(studio: Studio, slug: str) -> tuple[dict[str, Any], dict[str, Any]]:
    with httpx.Client(base_url=studio.url) as api:
        trail = new_trail(api, studio.api("editor"), slug, title=f"Balade {slug}")
        stop = add_stop(api, studio.api("editor"), trail["id"], "pont", title="Le pont")
    return trail, stop


def _pdf_qr(pdf: bytes, folder: Path) -> list[str]:
    """The QR codes a decoder finds on the sheet, rendered as a person would print it."""
    source = folder / "sheet.pdf"
    source.write_bytes(pdf)
    command = ["pdftoppm", "-r", "150", "-png", "-singlefile", str(source), str(folder / "sheet")]
    subprocess.run(command, check=True, timeout=60)
    return decode_qr((folder / "sheet.png").read_bytes())


def _count(studio: Studio) -> int:
    """How many invitation links the 'mill' organisation has."""
    answer = httpx.get(f"{studio.url}/v1/orgs/mill/invitations", headers=studio.api("editor"))
    return int(answer.json()["total"])


def test_invitation_for_a_stop_shown_once_listed_and_revoked(
    studio: Studio, chromium: Any, tmp_path: Path
) -> None:
    trail, stop = _trail_and_stop(studio, "invite-walk")
    context = desktop(chromium, studio.url, lang="en")
    page = context.new_page()
    sign_in(page, "editor")
    page.click("#nav-invitations")
    page.get_by_label("Name of the link").fill("Memory workshop, May")
    page.get_by_label("Trail", exact=True).select_option(str(trail["id"]))
    page.wait_for_function("() => !document.querySelector('select[name=stop]').disabled")
    page.get_by_label("Stop", exact=True).select_option(str(stop["id"]))
    page.get_by_label("Open for").select_option(label="1 week")
    page.get_by_label("Number of contributions").fill("5")
    page.get_by_label("German").uncheck()
    # The length of one's own choosing stays out of the way until asked for.
    assert page.locator(".custom-lifetime").is_hidden()
    page.click("#create-invitation")

    created = page.locator("#created-invitation")
    created.wait_for()
    assert "shown only now" in created.inner_text()
    url = page.input_value("#invitation-url")
    assert "/contribute/" in url
    # The QR is drawn from the server's SVG through a blob URL, and reads back as the link.
    page.wait_for_function(
        "() => { const i = document.getElementById('invitation-qr');"
        " return i.src.startsWith('blob:') && i.complete && i.naturalWidth > 0; }"
    )
    assert decode_qr(page.locator("#invitation-qr").screenshot()) == [url]
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=studio.url)
    page.click("#copy-link")
    page.get_by_text("Copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == url
    shot(page, "invitation-created")

    with page.expect_download() as download:
        page.click("#download-sheet")
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert url in pdf_text(pdf).replace(" ", "")
    assert _pdf_qr(pdf, tmp_path) == [url]

    row = page.locator("#invitation-list tr", has_text="Memory workshop, May")
    assert row.get_attribute("data-state") == "active"
    text = row.inner_text()
    assert "Balade invite-walk — Le pont" in text
    assert "0 / 5" in text
    assert "Active" in text

    row.locator("button.revoke").click()
    dialog = page.locator("dialog[open]")
    assert "Memory workshop, May" in dialog.inner_text()
    dialog.locator("#confirm-revoke").click()
    page.wait_for_selector("#invitation-list tr[data-state=revoked]")
    revoked = page.locator("#invitation-list tr", has_text="Memory workshop, May")
    assert "Revoked" in revoked.inner_text()
    assert revoked.locator("button.revoke").count() == 0
    # The link shown above was that one: its QR code and sheet are no longer offered.
    assert page.locator("#created-invitation").count() == 0
    page.wait_for_function("() => !document.getElementById('toast').classList.contains('shown')")
    page.locator("#invitation-list").screenshot(
        path=str(artefact("studio", "invitation-revoked.png"))
    )
    context.close()

    # The link itself no longer works.
    code = url.rsplit("/", 1)[1]
    answer = httpx.get(f"{studio.url}/v1/invitations/{code}")
    assert answer.status_code == 410
    assert answer.json()["reason"] == "revoked"


def test_bad_input_is_said_next_to_each_field_and_kept(studio: Studio, chromium: Any) -> None:
    trail, stop = _trail_and_stop(studio, "invite-bad")
    context = desktop(chromium, studio.url, lang="fr")
    page = context.new_page()
    sign_in(page, "editor")
    page.goto("/studio/invitations")
    form = page.locator("#new-invitation")
    form.wait_for()
    before = _count(studio)

    long_label = "Atelier " + "x" * 292
    page.get_by_label("Nom du lien").fill(long_label)
    page.get_by_label("Nombre de contributions").fill("0")
    page.get_by_label("Ouvert pendant").select_option("other")
    page.get_by_label("Combien").fill("0")
    # A stop is chosen, then its trail is taken away: the stop goes with it.
    page.get_by_label("Parcours", exact=True).select_option(str(trail["id"]))
    page.wait_for_function("() => !document.querySelector('select[name=stop]').disabled")
    page.get_by_label("Arrêt", exact=True).select_option(str(stop["id"]))
    page.get_by_label("Parcours", exact=True).select_option("")
    assert page.locator("select[name=stop]").is_disabled()
    assert page.input_value("select[name=stop]") == ""
    for box in ("Allemand", "Français", "Néerlandais", "Anglais"):
        page.get_by_role("checkbox", name=box, exact=True).uncheck()
    page.click("#create-invitation")

    summary = form.locator(".form-problems [role=alert]")
    summary.wait_for()
    problems = {
        "label": "200 caractères au plus ; il y en a 300.",
        "uses": "au moins une contribution",
        "lifetime": "au moins une heure",
        "languages": "au moins une langue",
    }
    for name, text in problems.items():
        assert text in summary.inner_text(), name
    slots = form.locator(".field-problem:not([hidden])")
    assert slots.count() == 4
    assert "200 caractères au plus" in slots.nth(0).inner_text()
    assert page.get_by_label("Nom du lien").get_attribute("aria-invalid") == "true"
    # What was typed is still there, and the first field with a problem has the focus.
    assert page.input_value("input[name=label]") == long_label
    assert page.evaluate("document.activeElement.name") == "label"
    shot(page, "invitation-bad-input-fr")

    # More than a year, or not a number.
    page.get_by_label("Combien").fill("400")
    page.click("#create-invitation")
    summary.wait_for()
    assert "un an au plus" in summary.inner_text()
    page.get_by_label("Combien").fill("deux")
    page.click("#create-invitation")
    assert "nombre entier" in form.locator(".custom-lifetime").locator("xpath=..").inner_text()

    assert _count(studio) == before, "nothing may be created while the form has problems"

    # Corrected, the same form goes through.
    hostile = "Stand <img src=x onerror=\"document.title='owned'\"> de la fête"
    page.get_by_label("Nom du lien").fill(hostile)
    page.get_by_label("Nombre de contributions").fill("3")
    page.get_by_label("Combien").fill("6")
    page.get_by_label("Unité").select_option("hours")
    page.get_by_role("checkbox", name="Français", exact=True).check()
    page.click("#create-invitation")
    page.locator("#created-invitation").wait_for()
    assert form.locator(".field-problem:not([hidden])").count() == 0
    row = page.locator("#invitation-list tr", has_text="de la fête")
    assert row.locator(".inv-label").inner_text() == hostile
    assert "0 / 3" in row.inner_text()
    assert page.locator("img[src=x]").count() == 0
    assert page.title() != "owned"
    context.close()
