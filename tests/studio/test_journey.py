"""The mediator's first hour, as one journey in a real browser, from an empty server.

An administrator creates the organisation and invites an editor; the editor opens the link
in her own browser, chooses a password, creates a trail, places three stops by typed
coordinates and a fourth from a GPX file, uploads recordings, pastes plain-text transcripts
(timings proposed, then saved), adds an ambience, fixes what the checks report, publishes
unlisted with dates, downloads the QR code and the poster, and duplicates the trail as a
temporary route whose edits leave the original as it was. Every step is done with the
page's own labels and buttons; the API is only asked at the end, to check.

docs/studio.md ("Your first trail, step by step") walks through the same steps.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.sharing.helpers import decode_qr, first_page_png, pdf_text
from tests.studio.conftest import ADMIN, EmptyServer, bearer
from tests.support.audio import ffmpeg_make, speech_like, tone
from tests.support.browser import artefact, map_still
from tests.support.people import PASSWORD
from tests.support.studio_pages import desktop

EDITOR = "elise@example.org"
EDITOR_PASSWORD = "verre-souffle-2026"
ORG = "maison-du-moulin"
SLUG = "le-moulin-de-marchienne"
# Uploads are converted for phones and processed on a loaded machine: wait generously.
SLOW = 90_000

# Three stops placed by typed coordinates (as read on a phone or a map site), about 130 m
# apart, and a fourth, the footbridge, imported from a GPX file.
TYPED = [
    ("50.4036, 4.3950", "La porte"),
    ("50°24'16.6\"N 4°23'47.4\"E", "La roue"),
    ("https://www.openstreetmap.org/#map=18/50.40560/4.39800", "Le bief"),
]
GPX = (
    '<?xml version="1.0"?><gpx version="1.1" creator="phone" '
    'xmlns="http://www.topografix.com/GPX/1/1">'
    '<wpt lat="50.4066" lon="4.3995"><name>La passerelle</name></wpt></gpx>'
)
# Each recording: phrases of "speech" and the pauses between them, and what is said.
SPOKEN = [
    ([1.0, 0.6, 1.2], "Voici la porte du moulin. Les ouvriers entraient ici."),
    ([1.2, 0.6, 0.9], "La roue tournait jour et nuit. On l'entendait de loin."),
    ([0.9, 0.6, 1.1], "Le bief amenait l'eau. Il est à sec aujourd'hui."),
]


def shot(page: Any, name: str) -> None:
    """A numbered screenshot of the journey, in test-artefacts/studio/journey/."""
    page.screenshot(path=str(artefact("studio", "journey", f"{name}.png")))


def _saved(page: Any) -> None:
    """The stop form has no unsaved change left (its save was answered)."""
    page.wait_for_function("() => !document.querySelector('#stop-form .unsaved')?.textContent")


def _story_saved(response: Any) -> bool:
    """The answer to a story being saved."""
    return bool(response.request.method == "PATCH" and "/stories/" in response.url)


def _map_point(page: Any, dx: float, dy: float) -> tuple[float, float]:
    box = page.locator("#map").bounding_box()
    return box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2 + dy


def _story_of(page: Any, key: str) -> None:
    """Select stop ``key`` in the list and wait for its form."""
    page.locator(f"#stop-list li[data-key='{key}'] .stop-name").click()
    page.locator(f"#stop-form .panel-head code:text-is('{key}')").wait_for()


def test_a_mediator_goes_from_an_empty_server_to_a_shared_trail_and_a_temporary_copy(
    empty_server: EmptyServer, chromium: Any, tmp_path: Path
) -> None:
    url = empty_server.url

    # 1. The administrator creates the organisation and invites the editor.
    admin_context = desktop(chromium, url)
    admin = admin_context.new_page()
    admin.goto("/studio")
    admin.get_by_label("Email address").fill(ADMIN)
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Sign in").click()
    admin.get_by_label("Name", exact=True).fill("Maison du Moulin")
    expect(admin.get_by_label("Web address name")).to_have_value(ORG)
    shot(admin, "01-empty-server")
    admin.get_by_role("button", name="Create the organisation").click()
    admin.get_by_role("link", name="Members").click()
    admin.get_by_label("Email address").fill(EDITOR)
    admin.get_by_label("Role", exact=True).select_option("editor")
    admin.get_by_role("button", name="Make the invitation link").click()
    link = admin.get_by_label("Invitation link").input_value()
    assert link.startswith(f"{url}/studio/join/")
    shot(admin, "02-invitation-link")
    admin_context.close()

    # 2. The editor opens the link in her own browser and chooses a password.
    context = desktop(chromium, url)
    page = context.new_page()
    page.goto(link)
    expect(page.locator("#join-lead")).to_have_text(
        f"Maison du Moulin invites {EDITOR} to join as Editor."
    )
    page.get_by_label("Your name").fill("Élise")
    page.get_by_label("Choose a password").fill(EDITOR_PASSWORD)
    shot(page, "03-join")
    page.get_by_role("button", name="Accept and join").click()
    expect(page.locator("#list-title")).to_be_visible()
    expect(page.locator(".who")).to_have_text("Élise")

    # 3. A trail, in French, the language of its visitors.
    form = page.locator("#new-trail")
    form.get_by_label("Title").fill("Le Moulin de Marchienne")
    expect(form.get_by_label("Web address name")).to_have_value(SLUG)
    form.get_by_label("Language").select_option("fr")
    shot(page, "04-new-trail")
    form.get_by_role("button", name="Create trail").click()
    expect(page.locator("#trail-title")).to_have_text("Le Moulin de Marchienne")
    trail_id = int(re.search(r"/trails/(\d+)", page.url).group(1))  # type: ignore[union-attr]

    # 4. Three stops by typed coordinates, each named as visitors will read it.
    for n, (where, name) in enumerate(TYPED, start=1):
        page.get_by_label("Go to coordinates or a map link").fill(where)
        page.get_by_role("button", name="Go", exact=True).click()
        expect(page.locator("#place-shown")).to_contain_text("Map centred on")
        page.get_by_role("button", name="Add a stop here").click()
        page.locator(f"#stop-form .panel-head code:text-is('stop-{n}')").wait_for()
        page.get_by_label("Name (FR)").fill(name)
        page.get_by_role("button", name="Save stop").click()
        expect(page.locator(f"#stop-list li[data-key='stop-{n}']")).to_contain_text(name)
        _saved(page)
    shot(page, "05-three-typed-stops")

    # 5. The fourth from the GPX file her phone saved on the spot.
    gpx = tmp_path / "passerelle.gpx"
    gpx.write_text(GPX, encoding="utf-8")
    page.get_by_label("Import stops from a file").set_input_files(str(gpx))
    expect(page.locator("#import-list li")).to_have_text(["La passerelle 50.406600, 4.399500"])
    page.get_by_role("button", name="Create 1 stop").click()
    expect(page.locator("#stop-list .stop-name")).to_have_text(
        ["1La porte", "2La roue", "3Le bief", "4La passerelle"]
    )
    map_still(page)
    shot(page, "06-gpx-stop-imported")

    # 6. A recording on each typed stop, and its transcript pasted as plain text.
    for n, (phrases, text) in enumerate(SPOKEN, start=1):
        wav = ffmpeg_make(tmp_path / f"stop-{n}.wav", *speech_like(phrases))
        _story_of(page, f"stop-{n}")
        page.get_by_label("Recording (FR)").set_input_files(str(wav))
        page.wait_for_selector("#story-form canvas.waveform[data-drawn=true]", timeout=SLOW)
        transcript = page.locator("textarea[name=vtt-fr]")
        transcript.fill(text)
        page.get_by_role("button", name="Propose timings").click()
        status = page.locator("#story-form .transcript-status")
        expect(status).to_have_text(re.compile("Timings proposed: 2 captions"), timeout=SLOW)
        assert transcript.input_value().startswith("WEBVTT")
        if n == 1:
            page.locator("#story .transcript").scroll_into_view_if_needed()
            shot(page, "07-timings-proposed")
        with page.expect_response(_story_saved) as saved:
            page.get_by_role("button", name="Save story").click()
        assert saved.value.ok, saved.value.text()
        expect(page.locator(f"#stop-list li[data-key='stop-{n}'] .has-story")).to_have_count(1)

    # 7. An ambience along the whole trail, its loop uploaded from the form.
    loop = ffmpeg_make(tmp_path / "sambre.wav", *tone(3, 22050, 180), "-ac", "2")
    page.get_by_role("button", name="Add an ambience").click()
    page.mouse.click(*_map_point(page, -160, -120))
    page.get_by_label("Name of the ambience (FR)").fill("La Sambre")
    page.get_by_label("Or upload a loop").set_input_files(str(loop))
    expect(page.locator("#ambience-audio")).not_to_have_value("", timeout=SLOW)
    page.get_by_label("Along the whole trail").check()
    page.get_by_role("button", name="Save ambience").click()
    expect(page.locator("#ambience-list")).to_contain_text("La Sambre")
    shot(page, "08-ambience")

    # 8. The checks: the footbridge has no recording. Publishing refuses; it is a place to
    # pause, so it is marked silent on purpose.
    error = page.locator("#check-list li.finding.error[data-code=no-audio]")
    expect(error.get_by_role("button", name="La passerelle")).to_be_visible()
    error.scroll_into_view_if_needed()
    shot(page, "09-check-no-audio")

    # 9. Unlisted, available from yesterday for two months.
    page.get_by_role("link", name="Details").click()
    page.get_by_label("Visibility").select_option("unlisted")
    first_day = date.today() - timedelta(days=1)
    last_day = date.today() + timedelta(days=60)
    page.get_by_label("Available from").fill(f"{first_day.isoformat()}T09:00")
    page.get_by_label("Available until").fill(f"{last_day.isoformat()}T18:00")
    with page.expect_response(lambda r: r.request.method == "PATCH") as saved:
        page.locator("#trail-details").get_by_role("button", name="Save").click()
    assert saved.value.ok, saved.value.text()
    expect(page.locator("#toast")).to_have_text("Saved.")
    shot(page, "10-details-unlisted-dates")

    page.get_by_role("link", name="Publish").click()
    page.get_by_role("button", name="Publish", exact=True).click()
    problems = page.locator("#publish-problems")
    expect(problems).to_contain_text("Not published")
    shot(page, "11-publish-refused")
    problems.get_by_role("link", name="Open stop “La passerelle”").click()
    page.get_by_label("Silent on purpose (no audio at this stop)").check()
    page.get_by_role("button", name="Save stop").click()
    _saved(page)
    expect(error).to_have_count(0)

    page.get_by_role("link", name="Publish").click()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator("#published")).to_have_text("Release 1 is online.", timeout=SLOW)
    expect(page.locator(".trail-head")).to_contain_text(
        re.compile(r"Release 1 online until \d+ \w+ \d{4}, 18:00 · Unlisted")
    )
    shot(page, "12-published")

    # 10. The QR code and the poster carry the link the page shows.
    shown = page.locator("#play-link")
    expect(shown).to_have_text(f"{url}/play/{SLUG}")
    play = shown.inner_text()
    with page.expect_download() as qr:
        page.get_by_role("button", name="Download QR code (PNG)").click()
    assert decode_qr(Path(qr.value.path()).read_bytes()) == [play]
    with page.expect_download(timeout=SLOW) as poster:
        page.get_by_role("button", name="Download poster (PDF)").click()
    pdf = Path(poster.value.path()).read_bytes()
    text = pdf_text(pdf)
    assert play in text.replace(" ", "")
    assert "Le Moulin de Marchienne" in text
    # The poster's QR code is drawn, not pasted: decoded from the page as printed.
    drawn = first_page_png(pdf, artefact("studio", "journey", "13-poster"))
    assert decode_qr(drawn) == [play]
    shot(page, "13-share")

    # 11. A temporary copy for a festival; its story retitled, a stop moved.
    page.get_by_role("link", name="Trails", exact=True).click()
    row = page.locator("#trail-list li").filter(has_text="Le Moulin de Marchienne")
    row.get_by_role("button", name="Duplicate as a temporary route").click()
    dialog = page.get_by_role("dialog", name="Duplicate as a temporary route")
    dialog.get_by_label("Event").fill("Fête de la Sambre")
    expect(dialog).to_contain_text("Le Moulin de Marchienne — Fête de la Sambre")
    dialog.get_by_label("Web address name").fill("moulin-fete-2027")
    shot(page, "14-duplicate")
    dialog.get_by_role("button", name="Duplicate", exact=True).click()
    expect(page.locator("#trail-title")).to_have_text("Le Moulin de Marchienne — Fête de la Sambre")
    copy_id = int(re.search(r"/trails/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    assert copy_id != trail_id

    _story_of(page, "stop-2")
    page.wait_for_selector("#story-form canvas.waveform[data-drawn=true]", timeout=SLOW)
    page.get_by_label("Story title").fill("La roue, version festival")
    with page.expect_response(_story_saved) as saved:
        page.get_by_role("button", name="Save story").click()
    assert saved.value.ok, saved.value.text()
    position = page.get_by_label("Position (latitude, longitude)")
    position.fill("50.4050, 4.3975")
    position.press("Enter")
    expect(position).to_have_value("50.405000, 4.397500")
    page.get_by_role("button", name="Save stop").click()
    _saved(page)
    shot(page, "15-copy-edited")

    # 12. The original, on the page: its story title and its stop where they were.
    page.goto(f"/studio/trails/{trail_id}")
    _story_of(page, "stop-2")
    expect(page.get_by_label("Story title")).to_have_value("La roue")
    expect(page.get_by_label("Position (latitude, longitude)")).to_have_value("50.404611, 4.396500")
    shot(page, "16-original-unchanged")
    context.close()

    # And through the API: the published original is as it was, the copy is its own.
    headers = bearer(url, EDITOR, EDITOR_PASSWORD)
    with httpx.Client(base_url=f"{url}/v1/orgs/{ORG}", headers=headers, timeout=30) as api:
        trail = api.get(f"/trails/{trail_id}").json()
        assert trail["visibility"] == "unlisted"
        assert trail["valid_from"].startswith(first_day.isoformat())
        assert trail["valid_until"].startswith(last_day.isoformat())
        assert trail["current_release"] is not None
        stops = api.get(f"/trails/{trail_id}/stops").json()["items"]
        copies = api.get(f"/trails/{copy_id}/stops").json()["items"]
        assert [s["key"] for s in stops] == ["stop-1", "stop-2", "stop-3", "la-passerelle"]
        assert stops[1]["zone"]["center"] == pytest.approx([4.3965, 50.4046111], abs=1e-6)
        assert copies[1]["zone"]["center"] == pytest.approx([4.3975, 50.405], abs=1e-6)
        assert stops[1]["story_id"] != copies[1]["story_id"]
        original = api.get(f"/stories/{stops[1]['story_id']}").json()
        copied = api.get(f"/stories/{copies[1]['story_id']}").json()
        assert original["title"] == "La roue"
        assert copied["title"] == "La roue, version festival"
        assert original["versions"][0]["transcript_vtt"].count(" --> ") == 2
        ambience = api.get(f"/trails/{trail_id}/ambience").json()["items"]
        assert [a["title"] for a in ambience] == [{"fr": "La Sambre"}]
