"""Second-editor approval in a real browser: one editor publishes, another approves."""

from __future__ import annotations

from typing import Any

import httpx

from tests.studio.conftest import Studio, shot
from tests.support.drafts import trail_with_stop
from tests.support.studio_pages import desktop, sign_in


def test_release_waits_for_a_second_editor(studio: Studio, chromium: Any) -> None:
    owner = studio.api("editor")
    url = studio.url
    r = httpx.post(
        f"{url}/v1/orgs",
        json={"slug": "archives", "name": "Archives", "requires_second_approval": True},
        headers=owner,
    )
    assert r.status_code == 201, r.text
    r = httpx.post(
        f"{url}/v1/orgs/archives/members",
        json={"email": "editor2@example.org", "role": "editor"},
        headers=owner,
    )
    assert r.status_code == 202, r.text
    # The second editor joins by accepting the invitation.
    r = httpx.post(
        f"{url}/v1/me/invitations/{r.json()['id']}/accept", headers=studio.api("editor2")
    )
    assert r.status_code == 200, r.text
    with httpx.Client(base_url=url) as api:
        trail, _ = trail_with_stop(
            api,
            owner,
            org="archives",
            slug="archives-walk",
            trail_title="Archives",
            key="depot",
            title="Le dépôt",
            silent=True,  # no story: a landmark, silent on purpose
        )

    context = desktop(chromium, url, lang="fr")
    page = context.new_page()
    sign_in(page, "editor", org="archives")
    page.goto(f"/studio/trails/{trail['id']}/publish")
    page.wait_for_selector("#publish-form .alert.info")  # says approval is needed
    page.click("#publish")
    page.wait_for_selector("#releases tr[data-number='1'][data-state=awaiting]", timeout=60_000)
    assert "second éditeur" in page.inner_text("#published")
    context.close()

    context = desktop(chromium, url, lang="fr")
    page = context.new_page()
    sign_in(page, "editor2", org="archives")
    page.goto(f"/studio/trails/{trail['id']}/publish")
    row = page.locator("#releases tr[data-number='1']")
    row.locator("button").click()
    page.wait_for_selector("#releases tr[data-number='1'][data-state=live]")
    shot(page, "9-approved-fr")
    context.close()
    release = httpx.get(
        f"{url}/v1/orgs/archives/trails/{trail['id']}/releases/1", headers=owner
    ).json()
    assert release["state"] == "live"
    assert release["approved_by"] == "editor2@example.org"
