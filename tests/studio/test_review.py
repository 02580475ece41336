"""The review flow in a real browser: a contributor's story approved and placed on a stop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.studio.conftest import Studio, desktop, shot, sign_in
from tests.support.audio import ffmpeg_make, tone


def api(studio: Studio, who: str, method: str, path: str, **kwargs: Any) -> Any:
    """Call the API of the test server as someone; the answer's JSON."""
    r = httpx.request(method, f"{studio.url}{path}", headers=studio.api(who), **kwargs)
    assert r.status_code < 300, r.text
    return r.json() if r.content else None


def contribute(studio: Studio, folder: Path, title: str) -> int:
    """A contributor uploads a recording and submits it with consent; returns the story id."""
    wav = ffmpeg_make(folder / f"{title}.wav", *tone(2, rate=22050, freq=330))
    with wav.open("rb") as fh:
        asset = api(
            studio,
            "contributor",
            "POST",
            "/v1/orgs/mill/assets",
            files={"file": (wav.name, fh, "audio/wav")},
        )
    body = {
        "title": title,
        "versions": {"fr": {"audio_asset_id": asset["id"], "text": "Mon grand-père y moulait."}},
        "contributor_name": "Jeanne",
        "consent": {
            "person": "Jeanne Martin",
            "publication": True,
            "archive": False,
            "given_on": "2026-05-02",
        },
    }
    return int(api(studio, "contributor", "POST", "/v1/orgs/mill/contributions", json=body)["id"])


def test_contribution_approved_and_placed_on_a_stop(
    studio: Studio, chromium: Any, tmp_path: Path
) -> None:
    trail = api(
        studio,
        "editor",
        "POST",
        "/v1/orgs/mill/trails",
        json={"slug": "review-walk", "title": {"fr": "Promenade relue"}, "languages": ["fr"]},
    )
    stop = api(
        studio,
        "editor",
        "POST",
        f"/v1/orgs/mill/trails/{trail['id']}/stops",
        json={
            "key": "ecluse",
            "title": {"fr": "L'écluse"},
            "zone": {"type": "circle", "center": [4.395, 50.4036], "radius_m": 25},
        },
    )
    kept = contribute(studio, tmp_path, "Le moulin de mon grand-père")
    refused = contribute(studio, tmp_path, "Essai de micro")

    context = desktop(chromium, studio.url, lang="fr")
    page = context.new_page()
    sign_in(page, "editor")
    page.click("#nav-review")
    card = page.locator(f".contribution[data-id='{kept}']")
    card.wait_for()
    card.locator("canvas.waveform[data-drawn=true]").wait_for()
    assert "Mon grand-père y moulait." in card.inner_text()
    assert "Jeanne Martin" in card.inner_text()
    shot(page, "5-review-fr")

    # Listening fetches the phone rendition and plays it in the page.
    card.locator("button.play").click()
    page.wait_for_function(
        "id => { const a = document.querySelector(`.contribution[data-id='${id}'] audio`);"
        " return a && a.src.startsWith('blob:') && a.readyState >= 1; }",
        arg=kept,
    )

    # A rejection needs a reason.
    other = page.locator(f".contribution[data-id='{refused}']")
    other.locator("button.danger").click()
    other.locator("[role=alert]").wait_for()
    other.locator("textarea[name=reject-reason]").fill("Le son sature, pouvez-vous le refaire ?")
    other.locator("button.danger").click()
    page.wait_for_selector("text=« Essai de micro » refusé.")

    card.locator("select[name=place-trail]").select_option(str(trail["id"]))
    page.wait_for_function(
        "id => document.querySelector(`.contribution[data-id='${id}'] select[name=place-stop]`)"
        ".options.length > 0 && !document.querySelector("
        "`.contribution[data-id='${id}'] select[name=place-stop]`).disabled",
        arg=kept,
    )
    card.locator("select[name=place-stop]").select_option(str(stop["id"]))
    card.locator("button.primary").click()
    page.wait_for_selector("text=« Le moulin de mon grand-père » approuvé.")
    context.close()

    placed = api(studio, "editor", "GET", f"/v1/orgs/mill/trails/{trail['id']}/stops/{stop['id']}")
    assert placed["story_id"] == kept
    story = api(studio, "editor", "GET", f"/v1/orgs/mill/contributions/{kept}")
    assert story["status"] == "approved"
    rejected = api(studio, "editor", "GET", f"/v1/orgs/mill/contributions/{refused}")
    assert rejected["status"] == "rejected"
    assert rejected["review_reason"] == "Le son sature, pouvez-vous le refaire ?"
