"""Review in a real browser, closing the loop: a resident's contribution sent through an
invitation link is read with its whole consent, trimmed, transcribed, approved, placed on a
stop and followed until a published release carries it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from tests.studio.conftest import Studio, shot
from tests.support.audio import ffmpeg_make, tone
from tests.support.drafts import add_stop, new_trail
from tests.support.images import portrait
from tests.support.studio_pages import desktop, sign_in


def api(studio: Studio, who: str, method: str, path: str, **kwargs: Any) -> Any:
    """Call the API of the test server as someone; the answer's JSON."""
    r = httpx.request(method, f"{studio.url}{path}", headers=studio.api(who), **kwargs)
    assert r.status_code < 300, r.text
    return r.json() if r.content else None


def invitation(studio: Studio, uses: int = 5) -> str:
    """A fresh invitation link of the 'mill' organisation; its code."""
    body = {"label": "Atelier", "max_uses": uses}
    made = api(studio, "editor", "POST", "/v1/orgs/mill/invitations", json=body)
    return str(made["code"])


def resident_submits(
    studio: Studio,
    folder: Path,
    code: str,
    title: str,
    *,
    publication: bool = True,
    credit: str = "initials",
    licence: str = "cc-by-sa-4.0",
    photo: bool = False,
) -> int:
    """A resident sends a story as their phone would: multipart, a WAV recording, the consent."""
    wav = ffmpeg_make(folder / "resident.wav", *tone(3, rate=22050, freq=392))
    data = {
        "title": title,
        "language": "fr",
        "name": "Jeanne Martin",
        "credit": credit,
        "licence": licence,
        "text": "Elles sonnaient à midi.",
        "consent": {"publication": publication, "archive": True},
    }
    with wav.open("rb") as fh:
        files: dict[str, Any] = {"recording": ("resident.wav", fh, "audio/wav")}
        if photo:
            files["photo"] = ("bells.jpg", portrait(seed=title), "image/jpeg")
        r = httpx.post(
            f"{studio.url}/v1/invitations/{code}/contributions",
            data={"data": json.dumps(data)},
            files=files,
        )
    assert r.status_code == 201, r.text
    return int(r.json()["contribution_id"])


def _walk(studio: Studio, slug: str) -> tuple[dict[str, Any], dict[str, Any]]:
    with httpx.Client(base_url=studio.url) as client:
        trail = new_trail(client, studio.api("editor"), slug, title="Les cloches")
        stop = add_stop(client, studio.api("editor"), trail["id"], "eglise", title="L'église")
    return trail, stop


def test_resident_story_trimmed_transcribed_approved_placed_and_published(
    studio: Studio, chromium: Any, tmp_path: Path
) -> None:
    trail, stop = _walk(studio, "review-bells")
    story = resident_submits(
        studio, tmp_path, invitation(studio), "Les cloches de Marcinelle", photo=True
    )
    original = api(studio, "editor", "GET", f"/v1/orgs/mill/contributions/{story}")
    first_audio = original["versions"][0]["audio_asset_id"]

    context = desktop(chromium, studio.url, lang="en")
    page = context.new_page()
    sign_in(page, "editor")
    page.click("#nav-review")
    card = page.locator(f"#review-list .contribution[data-id='{story}']")
    card.wait_for()
    card.locator("canvas.waveform[data-drawn=true]").wait_for()
    consent = card.locator(".consent-summary").inner_text()
    for expected in ("Jeanne Martin", "CC BY-SA 4.0", "Initials", "J. M."):
        assert expected in consent, expected
    assert consent.count("yes") == 2  # publication and archive
    assert "Elles sonnaient à midi." in card.inner_text()
    # The photo comes with the session, through a blob URL the page's policy allows.
    page.wait_for_function(
        "id => { const i = document.querySelector(`.contribution[data-id='${id}'] img`);"
        " return i && i.src.startsWith('blob:') && i.complete && i.naturalWidth === 96; }",
        arg=story,
    )

    # Trimmed before approving: the end is cut, a new recording replaces the old one.
    card.locator("input[name=trim-end-fr]").fill("2")
    card.locator("button.apply-edit").click()
    page.wait_for_function(
        "([id, old]) => { const card = document.querySelector(`.contribution[data-id='${id}']`);"
        " const r = card.querySelector('.recording');"
        " return r && r.dataset.asset !== String(old); }",
        arg=[story, first_audio],
        timeout=60_000,
    )
    vtt = "WEBVTT\n\n00:00.000 --> 00:02.000\nElles sonnaient à midi."
    card.locator("textarea[name=vtt-fr]").fill(vtt)
    shot(page, "review-before-approval")
    card.locator("button.approve").click()

    follow = card.locator(".follow-up")
    follow.wait_for()
    follow.locator("select[name=place-trail]").select_option(str(trail["id"]))
    page.wait_for_function(
        "id => { const card = document.querySelector(`.contribution[data-id='${id}']`);"
        " const s = card.querySelector('select[name=place-stop]');"
        " return s && !s.disabled && s.options.length > 1; }",
        arg=story,
    )
    follow.locator("select[name=place-stop]").select_option(str(stop["id"]))
    follow.locator("button.place").click()
    follow.locator(".placement.waiting").wait_for()
    assert "Publish the trail to make it public." in follow.inner_text()
    shot(page, "review-placed")

    saved = api(studio, "editor", "GET", f"/v1/orgs/mill/contributions/{story}")
    assert saved["status"] == "approved"
    assert saved["versions"][0]["transcript_vtt"].strip() == vtt
    assert saved["versions"][0]["audio_asset_id"] != first_audio
    placed = api(studio, "editor", "GET", f"/v1/orgs/mill/trails/{trail['id']}/stops/{stop['id']}")
    assert placed["story_id"] == story

    follow.locator("button.go-publish").click()
    page.wait_for_url(f"**/studio/trails/{trail['id']}/publish")
    page.click("#publish")
    page.wait_for_selector("#published")
    page.click("#nav-review")
    followed = page.locator(f"#approved-list .approved[data-id='{story}']")
    followed.wait_for()
    live = followed.locator(".placement.live")
    live.wait_for()
    assert "Published in “Les cloches” (stop “L'église”)." in live.inner_text()
    shot(page, "review-published")
    context.close()


def test_archive_only_cannot_be_placed_and_titles_stay_text(
    studio: Studio, chromium: Any, tmp_path: Path
) -> None:
    hostile = "<img src=x onerror=\"document.title='owned'\">Souvenirs"
    code = invitation(studio)
    kept = resident_submits(
        studio,
        tmp_path,
        code,
        hostile,
        publication=False,
        credit="anonymous",
        licence="archive-only",
    )
    refused = resident_submits(studio, tmp_path, code, "Essai de micro")
    market = resident_submits(studio, tmp_path, code, "Le marché du samedi")
    trail, stop = _walk(studio, "review-market")

    context = desktop(chromium, studio.url, lang="fr")
    page = context.new_page()
    sign_in(page, "editor")
    page.click("#nav-review")
    card = page.locator(f".contribution[data-id='{kept}']")
    card.wait_for()
    assert card.locator("h2").inner_text() == hostile
    assert card.locator("img[src=x]").count() == 0
    assert page.title() != "owned"
    assert "Archives seulement" in card.locator(".meta").inner_text()
    summary = card.locator(".consent-summary").inner_text()
    assert "aucun nom" in summary
    assert "Anonyme" in summary
    card.locator(".consent-summary").scroll_into_view_if_needed()
    shot(page, "review-archive-only-fr")

    card.locator("button.approve").click()
    note = card.locator(".archive-only-note")
    note.wait_for()
    assert "ne peut pas être placé" in note.inner_text()
    assert card.locator("select[name=place-trail]").count() == 0

    # A rejection needs a reason, said next to the field.
    other = page.locator(f".contribution[data-id='{refused}']")
    other.locator("button.danger").click()
    problem = other.locator(".field-problem:not([hidden])")
    problem.wait_for()
    assert "raison" in problem.inner_text()
    other.locator("textarea[name=reject-reason]").fill("Le son sature, pouvez-vous le refaire ?")
    other.locator("button.danger").click()
    page.wait_for_selector("text=« Essai de micro » refusé.")

    # The stop can be chosen before approving; a trail without its stop is said, not guessed.
    third = page.locator(f".contribution[data-id='{market}']")
    # The resident is credited (by their initials) in the studio's language.
    assert third.locator(".meta .credit").all_inner_texts() == ["J. M. (contributeur·rice)"]
    assert "contributor" not in third.locator(".meta").inner_text()
    third.locator(".meta").scroll_into_view_if_needed()
    shot(page, "review-credit-fr")
    third.locator("select[name=place-trail]").select_option(str(trail["id"]))
    third.locator("button.approve").click()
    assert "Choisissez l'arrêt." in third.locator(".field-problem:not([hidden])").inner_text()
    assert "Rien n'a été envoyé" in third.locator(".approve-box .form-problems").inner_text()
    third.locator("select[name=place-stop]:not([disabled])").select_option(str(stop["id"]))
    third.locator("button.approve").click()
    third.locator(".placement.waiting").wait_for()
    assert "Publiez le parcours pour le rendre public." in third.inner_text()
    context.close()
    placed = api(studio, "editor", "GET", f"/v1/orgs/mill/trails/{trail['id']}/stops/{stop['id']}")
    assert placed["story_id"] == market

    archived = api(studio, "editor", "GET", f"/v1/orgs/mill/contributions/{kept}")
    assert archived["status"] == "approved"
    rejected = api(studio, "editor", "GET", f"/v1/orgs/mill/contributions/{refused}")
    assert rejected["status"] == "rejected"
    assert rejected["review_reason"] == "Le son sature, pouvez-vous le refaire ?"
