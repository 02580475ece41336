"""The studio's first hour, people: from an empty server to a team, in a real browser.

An administrator signs in on a server with no organisation, creates "Musée du Verre",
invites an editor and copies the link; the editor opens it in another browser, chooses a
password and lands inside; the owner changes roles, removes someone, and cannot leave the
organisation without an owner. The publish tab shows the very link its QR code carries.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.sharing.helpers import decode_qr
from tests.studio.conftest import ADMIN, EmptyServer, Studio, bearer, story_on_a_stop
from tests.support.audio import ffmpeg_make, tone
from tests.support.browser import artefact
from tests.support.people import PASSWORD, add_user
from tests.support.studio_pages import desktop, sign_in

EDITOR = "editrice@example.org"


def shot(page: Any, name: str) -> None:
    """A screenshot for people to look at, in test-artefacts/studio/people/."""
    page.screenshot(path=str(artefact("studio", "people", f"{name}.png")), full_page=True)


def _problem_of(page: Any, control: str) -> str:
    """The message shown under a form field (formcheck's slot), once it is shown."""
    slot = page.locator(f"#{control}-problem")
    slot.wait_for(state="visible")
    return str(slot.text_content())


def test_an_administrator_builds_a_team_from_an_empty_server(
    empty_server: EmptyServer, chromium: Any
) -> None:
    context = desktop(chromium, empty_server.url)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto("/studio")
    page.get_by_label("Email address").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # No organisation yet: the first page says so and offers to create one.
    page.wait_for_selector("#new-organisation")
    assert "no organisation here yet" in page.locator("#main").inner_text()
    shot(page, "1-empty-server")

    # Bad input stays in the form, with the reason under the field.
    page.get_by_role("button", name="Create the organisation").click()
    assert "Give the organisation a name" in _problem_of(page, "org-name")
    page.get_by_label("Name", exact=True).fill("M" * 300)
    page.get_by_role("button", name="Create the organisation").click()
    assert "At most 200 characters; there are 300" in _problem_of(page, "org-name")
    shot(page, "2-name-too-long")

    # The address name is suggested from the name, without accents; the name keeps them.
    page.get_by_label("Name", exact=True).fill("Musée du Verre")
    assert page.get_by_label("Web address name").input_value() == "musee-du-verre"
    page.get_by_role("button", name="Create the organisation").click()
    page.wait_for_selector("#list-title")
    assert page.input_value("#org-switch") == "musee-du-verre"
    assert page.locator("#org-switch option:checked").text_content() == "Musée du Verre"
    shot(page, "3-inside-the-new-organisation")

    # The same address again is refused beside the address field; nothing else is made.
    page.get_by_role("link", name="Organisations").click()
    page.get_by_label("Name", exact=True).fill("Musée du Verre (bis)")
    page.get_by_label("Web address name").fill("musee-du-verre")
    page.get_by_role("button", name="Create the organisation").click()
    assert "'musee-du-verre' is taken" in _problem_of(page, "org-slug")
    shot(page, "4-address-taken")
    admin_api = bearer(empty_server.url, ADMIN)
    orgs = httpx.get(f"{empty_server.url}/v1/orgs", headers=admin_api).json()
    assert [(o["slug"], o["name"]) for o in orgs["items"]] == [("musee-du-verre", "Musée du Verre")]

    # Invite an editor: a link to copy, shown once.
    page.get_by_role("link", name="Members").click()
    page.get_by_label("Email address").fill(EDITOR)
    page.get_by_label("Role", exact=True).select_option("editor")
    page.get_by_role("button", name="Make the invitation link").click()
    link = page.get_by_label("Invitation link").input_value()
    assert link.startswith(f"{empty_server.url}/studio/join/mem_")
    page.get_by_role("button", name="Copy the link").click()
    page.wait_for_selector("#member-invitation >> text=Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == link
    page.wait_for_selector("#pending-invitations >> text=editrice@example.org")
    shot(page, "5-invitation-link")

    # Inviting someone who is already a member is refused under the address.
    page.get_by_label("Email address").fill(ADMIN)
    page.get_by_role("button", name="Make the invitation link").click()
    assert "already a member" in _problem_of(page, "invite-email")

    # The editor opens the link in their own browser, chooses a password, and is inside.
    other = desktop(chromium, empty_server.url)
    invited = other.new_page()
    invited.goto(link)
    lead = invited.locator("#join-lead")
    lead.wait_for()
    assert lead.text_content() == "Musée du Verre invites editrice@example.org to join as Editor."
    invited.get_by_label("Your name").fill("Élise")
    invited.get_by_label("Choose a password").fill("short")
    invited.get_by_role("button", name="Accept and join").click()
    assert "Too short: it has 5 characters" in _problem_of(invited, "join-password")
    invited.get_by_label("Choose a password").fill("verre-souffle-2026")
    shot(invited, "6-join-page")
    invited.get_by_role("button", name="Accept and join").click()
    invited.wait_for_selector("#list-title")
    assert invited.input_value("#org-switch") == "musee-du-verre"
    assert invited.locator(".who").text_content() == "Élise"
    assert invited.locator("#nav-members").count() == 0  # editors do not manage members
    shot(invited, "7-editor-inside")
    other.close()

    # The owner sees the new member, changes her role, then removes her.
    page.get_by_role("link", name="Members").click()
    page.get_by_label(f"Role of {EDITOR}").select_option("contributor")
    page.wait_for_selector("#toast >> text=is now Contributor")
    members = httpx.get(
        f"{empty_server.url}/v1/orgs/musee-du-verre/members", headers=admin_api
    ).json()["items"]
    assert {m["email"]: m["role"] for m in members} == {ADMIN: "owner", EDITOR: "contributor"}
    shot(page, "8-members")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=f"Remove {EDITOR}").click()
    page.wait_for_selector(f"#members tr[data-email='{EDITOR}']", state="detached")

    # The last owner can neither step down nor leave: the reason shows beside them.
    page.get_by_label(f"Role of {ADMIN}").select_option("editor")
    row = page.locator(f"#members tr[data-problem-for='{ADMIN}']")
    row.locator(".alert.error").wait_for()
    assert "last owner" in row.inner_text()
    assert page.get_by_label(f"Role of {ADMIN}").input_value() == "owner"
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_response(lambda r: r.request.method == "DELETE") as refused:
        page.get_by_role("button", name=f"Remove {ADMIN}").click()
    assert refused.value.status == 409
    row.locator(".alert.error").wait_for()
    assert "last owner" in row.inner_text()
    shot(page, "9-last-owner-refused")
    members = httpx.get(
        f"{empty_server.url}/v1/orgs/musee-du-verre/members", headers=admin_api
    ).json()["items"]
    assert [(m["email"], m["role"]) for m in members] == [(ADMIN, "owner")]

    # An invitation sent to the wrong address is withdrawn: it leaves the list, its link is dead.
    page.get_by_label("Email address").fill("erreur@example.org")
    page.get_by_role("button", name="Make the invitation link").click()
    wrong = page.get_by_label("Invitation link").input_value()
    waiting = page.locator("#pending-invitations li[data-email='erreur@example.org']")
    waiting.wait_for()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Withdraw the invitation of erreur@example.org").click()
    page.wait_for_selector("#toast >> text=The invitation of erreur@example.org is withdrawn.")
    waiting.wait_for(state="detached")
    assert page.get_by_label("Invitation link").count() == 0  # the dead link is not shown
    shot(page, "10-invitation-withdrawn")
    code = wrong.rsplit("/", 1)[-1]
    gone = httpx.get(f"{empty_server.url}/v1/member-invitations/{code}")
    assert gone.status_code == 410, gone.text
    context.close()


def test_the_publish_tab_shows_the_link_its_qr_code_carries(
    studio: Studio, chromium: Any, tmp_path: Path
) -> None:
    voice = ffmpeg_make(tmp_path / "voice.wav", *tone(2))
    _, _, trail = story_on_a_stop(studio, voice, slug="verre-souffle", key="four", title="Four")
    published = httpx.post(
        f"{studio.url}/v1/orgs/mill/trails/{trail['id']}/releases",
        json={},
        headers=studio.api("editor"),
        timeout=60,
    )
    assert published.status_code in (201, 202), published.text

    context = desktop(chromium, studio.url)
    page = context.new_page()
    sign_in(page, "editor")
    page.goto(f"/studio/trails/{trail['id']}/publish")
    shown = page.locator("#play-link")
    shown.wait_for()
    # The live server listens on a port of its own: the link follows it, as `make run`'s PORT.
    assert shown.text_content() == f"{studio.url}/play/verre-souffle"
    with page.expect_download() as download:
        page.get_by_role("button", name="Download QR code (PNG)").click()
    png = Path(download.value.path()).read_bytes()
    assert decode_qr(png) == [shown.text_content()]
    shot(page, "10-share-link")
    context.close()


def test_someone_with_an_account_signs_in_from_the_link_and_joins(
    empty_server: EmptyServer, chromium: Any
) -> None:
    url = empty_server.url
    add_user(empty_server.db, "gardien@example.org")
    admin = bearer(url, ADMIN)
    made = httpx.post(f"{url}/v1/orgs", json={"name": "Atelier", "slug": "atelier"}, headers=admin)
    assert made.status_code == 201, made.text
    invited = httpx.post(
        f"{url}/v1/orgs/atelier/members",
        json={"email": "gardien@example.org", "role": "contributor"},
        headers=admin,
    ).json()

    context = desktop(chromium, url)
    page = context.new_page()
    page.goto(invited["url"])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Email address").fill("gardien@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("#sign-in").get_by_role("button", name="Sign in").click()
    # Back on the invitation, signed in: one button accepts it.
    page.get_by_role("button", name="Accept and join").click()
    page.wait_for_selector("#list-title")
    assert page.input_value("#org-switch") == "atelier"
    shot(page, "11-existing-account-joined")
    members = httpx.get(f"{url}/v1/orgs/atelier/members", headers=admin).json()["items"]
    assert {m["email"]: m["role"] for m in members}["gardien@example.org"] == "contributor"
    context.close()


def test_a_person_without_organisation_sees_invitations_to_their_address(
    empty_server: EmptyServer, chromium: Any
) -> None:
    url = empty_server.url
    add_user(empty_server.db, "sonneur@example.org")
    admin = bearer(url, ADMIN)
    httpx.post(f"{url}/v1/orgs", json={"name": "Carillon", "slug": "carillon"}, headers=admin)
    invited = httpx.post(
        f"{url}/v1/orgs/carillon/members",
        json={"email": "sonneur@example.org", "role": "editor"},
        headers=admin,
    )
    assert invited.status_code == 202, invited.text

    context = desktop(chromium, url)
    page = context.new_page()
    page.goto("/studio")
    page.get_by_label("Email address").fill("sonneur@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    section = page.locator("#my-invitations")
    section.wait_for()
    assert "Carillon invites you as Editor." in section.inner_text()
    assert page.locator("#new-organisation").count() == 0  # not an administrator
    shot(page, "12-invitations-for-you")
    page.get_by_role("button", name="Accept and join Carillon").click()
    page.wait_for_selector("#list-title")
    assert page.input_value("#org-switch") == "carillon"
    context.close()
