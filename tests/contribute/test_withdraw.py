"""The withdrawal page: the code after '#', the story's status in words, one button to
withdraw with a confirmation, a second visit, and an unknown code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from server.publishing import publish
from tests.contribute import steps
from tests.contribute.conftest import Site, phone
from tests.support.drafts import trail_with_stop


def _submitted(site: Site, voice: Path, title: str) -> dict[str, Any]:
    """A resident's contribution made through the API; returns the receipt."""
    invitation = site.invite()
    data = {
        "title": title,
        "language": "fr",
        "name": "Marie Dupont",
        "credit": "first-name",
        "licence": "cc-by-4.0",
        "consent": {"publication": True, "archive": True},
    }
    with voice.open("rb") as fh:
        answer = site.api(
            "POST",
            f"/v1/invitations/{invitation['code']}/contributions",
            data={"data": json.dumps(data)},
            files={"recording": ("voice.wav", fh, "audio/wav")},
        )
    assert answer.status_code == 201, answer.text
    receipt: dict[str, Any] = answer.json()
    return receipt


def test_status_withdraw_and_second_visit(site: Site, phone_browser: Any, voice: Path) -> None:
    """The status in words; withdraw after confirming; a later visit says it is withdrawn."""
    receipt = _submitted(site, voice, "La sirène de l'usine")
    code = receipt["withdrawal_code"]
    assert receipt["withdrawal_url"] == f"{site.url}/contribute/withdraw#{code}"
    context = phone(phone_browser, site.url)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"/contribute/withdraw#{code}")
    steps.heading(page, "Your story")
    text = page.inner_text("main")
    assert "La sirène de l'usine" in text and "Shared with Mill" in text
    assert "waiting for the organisation to listen to it" in text
    assert "It is not on any public walk at the moment." in text
    steps.step(page, "withdraw-1-status")
    page.get_by_role("button", name="Withdraw my consent").click()
    steps.heading(page, "Withdraw your story?")
    steps.step(page, "withdraw-2-confirm")
    # Changing one's mind keeps everything as it was.
    page.get_by_role("button", name="No, keep it").click()
    steps.heading(page, "Your story")
    page.get_by_role("button", name="Withdraw my consent").click()
    page.get_by_role("button", name="Yes, withdraw my story").click()
    steps.heading(page, "Your story has been withdrawn")
    text = page.inner_text("main")
    assert "You withdrew your consent on" in text
    assert "This story was already withdrawn." not in text
    steps.step(page, "withdraw-3-done")
    status = site.api("POST", "/v1/withdrawals/status", json={"code": code}).json()
    assert status["state"] == "withdrawn"
    # The code never travelled in a URL.
    assert not [url for url in requests if code in url]

    again = context.new_page()
    again.goto(f"/contribute/withdraw#{code}")
    steps.heading(again, "Your story has been withdrawn")
    assert "This story was already withdrawn." in again.inner_text("main")
    assert again.get_by_role("button", name="Withdraw my consent").count() == 0
    steps.step(again, "withdraw-4-second-visit")
    context.close()


def test_an_unknown_code_is_said_kindly(site: Site, phone_browser: Any) -> None:
    """A code that matches nothing: a kind page, not an error."""
    context = phone(phone_browser, site.url, lang="fr")
    page = context.new_page()
    page.goto("/contribute/withdraw#wdr_nothing-like-this")
    steps.heading(page, "Nous n\u2019avons pas trouvé ce récit")
    steps.step(page, "withdraw-unknown")
    context.close()


def test_no_code_asks_for_it(site: Site, phone_browser: Any, voice: Path) -> None:
    """Opened without the fragment: the page asks for the code and keeps it out of URLs."""
    receipt = _submitted(site, voice, "Le marché")
    context = phone(phone_browser, site.url)
    page = context.new_page()
    page.goto("/contribute/withdraw")
    steps.heading(page, "Withdraw a story")
    page.get_by_label("Your withdrawal code").fill(receipt["withdrawal_url"])
    page.get_by_role("button", name="Show my story").click()
    steps.heading(page, "Your story")
    assert "Le marché" in page.inner_text("main")
    assert page.evaluate("location.hash") == f"#{receipt['withdrawal_code']}"
    context.close()


def test_a_published_story_names_its_walk_then_leaves_it(
    site: Site, phone_browser: Any, voice: Path
) -> None:
    """Approved, placed and published: the page names the walk; withdrawn, it says when the
    recording left every walk."""
    receipt = _submitted(site, voice, "Les cloches du dimanche")
    story_id = receipt["contribution_id"]
    etag = site.api("GET", f"/v1/orgs/mill/contributions/{story_id}").json()["etag"]
    approved = site.api(
        "POST", f"/v1/orgs/mill/contributions/{story_id}/approve", headers={"If-Match": etag}
    )
    assert approved.status_code == 200, approved.text
    with httpx.Client(base_url=site.url) as api:
        trail_with_stop(
            api,
            site.people["editor"],
            "dimanche",
            "eglise",
            story_id=story_id,
            trail_title="Le dimanche",
        )
    publish(site.db, site.blobs, site.keys, "dimanche", publisher="editor@example.org")

    context = phone(phone_browser, site.url, lang="nl")
    page = context.new_page()
    page.goto(f"/contribute/withdraw#{receipt['withdrawal_code']}")
    steps.heading(page, "Uw verhaal")
    text = page.inner_text("main")
    assert "De organisatie heeft uw verhaal aanvaard." in text
    assert "Het is te horen in deze wandeling:" in text
    walk = page.get_by_role("link", name="Le dimanche")
    assert walk.get_attribute("href") == f"{site.url}/play/dimanche"
    steps.step(page, "withdraw-published-nl")
    page.get_by_role("button", name="Mijn toestemming intrekken").click()
    page.get_by_role("button", name="Ja, mijn verhaal intrekken").click()
    steps.heading(page, "Uw verhaal is ingetrokken")
    text = page.inner_text("main")
    assert "uit alle wandelingen en uit de opslag verwijderd" in text
    assert page.get_by_role("link", name="Le dimanche").count() == 0
    steps.step(page, "withdraw-published-nl-done")
    context.close()
