"""Forms that never fail silently: no hidden browser constraint, problems said by the field
and by the button, readable upload errors, new stops titled in the trail's language."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.studio.conftest import Studio, open_story, story_on_a_stop
from tests.support.audio import ffmpeg_make, speech_like, tone
from tests.support.browser import artefact
from tests.support.drafts import new_trail, trail_with_stop
from tests.support.studio_pages import desktop, sign_in

SRC = Path(__file__).resolve().parents[2] / "web" / "studio" / "src"


def forms_shot(page: Any, name: str) -> None:
    """A screenshot in test-artefacts/studio/forms/."""
    page.screenshot(path=str(artefact("studio", "forms", f"{name}.png")))


def _attribute_objects(tag: str) -> list[tuple[str, str]]:
    """Every ``h("tag", {...})`` attribute object of the studio's sources, with its file."""
    found = []
    for path in sorted(SRC.glob("*.js")):
        text = path.read_text()
        found += [
            (path.name, m.group(1))
            for m in re.finditer(rf'h\(\s*"{tag}",\s*(\{{[^{{}}]*\}})', text, flags=re.DOTALL)
        ]
    return found


def test_no_studio_input_refuses_a_legitimate_value_behind_the_mediators_back() -> None:
    inputs = _attribute_objects("input")
    assert len(inputs) > 40, "the scan no longer finds the studio's inputs"
    for name, attrs in inputs:
        kind = re.search(r'type: "(\w+)"', attrs)
        step = re.search(r"step: ([^,}]+)", attrs)
        # A number box without step="any" steps by 1: 4.541 s or a 12.5 m radius is refused.
        if kind and kind.group(1) == "number":
            assert step and step.group(1).strip() == '"any"', (name, attrs)
        elif step and not (kind and kind.group(1) == "range"):
            assert step.group(1).strip() == '"any"', (name, attrs)
        # Patterns and required fields are checked by formcheck.js, in words.
        assert "pattern:" not in attrs, (name, attrs)
        assert "required:" not in attrs, (name, attrs)
    forms = _attribute_objects("form")
    assert len(forms) >= 9
    for name, attrs in forms:
        assert "novalidate: true" in attrs, (name, attrs)


@pytest.fixture
def odd_recording(tmp_path: Path) -> Path:
    """A recording whose length is no round number of tenths: 4.541 s."""
    return ffmpeg_make(tmp_path / "moulin.wav", *tone(4.541, rate=22050, freq=300))


def test_a_story_saves_with_its_trim_end_untouched_and_bad_values_are_said_by_their_fields(
    studio: Studio, chromium: Any, odd_recording: Path
) -> None:
    headers = studio.api("editor")
    base = f"{studio.url}/v1/orgs/mill"
    with httpx.Client(base_url=studio.url) as api:
        trail, _ = trail_with_stop(api, headers, slug="forms-walk", key="roue", title="La roue")
    context = desktop(chromium, studio.url, lang="fr")
    page = context.new_page()
    sign_in(page, "editor")
    page.goto(f"/studio/trails/{trail['id']}")
    page.click("#stop-list li[data-key=roue] .stop-name")
    # Uploaded as a mediator does: the story is made from the recording.
    page.set_input_files("#story input[name=audio-file]", str(odd_recording))
    page.wait_for_selector("#story-form canvas.waveform[data-drawn=true]", timeout=60_000)
    asset_id = int(page.locator("#story-form .recording").get_attribute("data-asset") or 0)
    story_id = httpx.get(f"{base}/trails/{trail['id']}/stops", headers=headers).json()
    story_id = (story_id["items"] if isinstance(story_id, dict) else story_id)[0]["story_id"]
    end = page.get_by_label("Fin de la coupe (s)")
    assert end.input_value() == "4.541"

    # Saved with the trim end as the studio filled it in.
    page.get_by_label("Titre du récit").fill("La roue du moulin")
    page.get_by_role("button", name="Enregistrer le récit").click()
    page.wait_for_selector("#toast.shown")
    assert page.locator("#story-form .form-problems .alert").count() == 0
    saved = httpx.get(f"{base}/stories/{story_id}", headers=headers).json()
    assert saved["title"] == "La roue du moulin"

    # A trim end past the recording and a start that is no number: said by each field and
    # in the summary by the button; nothing rendered, nothing saved, the text kept.
    end.fill("9")
    start = page.get_by_label("Début de la coupe (s)")
    start.fill("un peu")
    page.get_by_role("button", name="Appliquer la coupe et les fondus").click()
    trim = page.locator(".trim")
    end_problem = trim.locator(".field", has=end).locator(".field-problem")
    # The length is written the French way, as the field reads it (a comma is a decimal mark).
    assert "dure 4,541 s" in end_problem.inner_text()
    start_problem = trim.locator(".field", has=start).locator(".field-problem")
    assert "nombre de secondes" in start_problem.inner_text()
    summary = trim.locator(".form-problems [role=alert]")
    assert "Fin de la coupe (s): L\u2019enregistrement dure 4,541 s" in summary.inner_text()
    assert "Début de la coupe (s): Tapez un nombre" in summary.inner_text()
    assert end.input_value() == "9" and start.input_value() == "un peu"
    assert end.get_attribute("aria-invalid") == "true"
    page.locator("#story").scroll_into_view_if_needed()
    forms_shot(page, "1-trim-problems")

    # A comma is a decimal mark: 4,2 is accepted and applied.
    start.fill("0,5")
    end.fill("4,2")
    page.get_by_role("button", name="Appliquer la coupe et les fondus").click()
    page.wait_for_selector(f".recording:not([data-asset='{asset_id}']) canvas[data-drawn=true]")
    edited_id = httpx.get(f"{base}/stories/{story_id}", headers=headers).json()["versions"][0][
        "audio_asset_id"
    ]
    edited = httpx.get(f"{base}/assets/{edited_id}", headers=headers).json()
    assert edited["duration_s"] == pytest.approx(3.7, abs=0.02)
    context.close()


def test_a_transcript_without_timings_is_said_by_its_field_and_nothing_is_saved(
    studio: Studio, chromium: Any, odd_recording: Path
) -> None:
    headers = studio.api("editor")
    _, story, trail = story_on_a_stop(
        studio, odd_recording, slug="forms-vtt", key="bief", title="Le bief"
    )
    context, page = open_story(chromium, studio, trail["id"], "bief")
    transcript = page.get_by_label("Transcription", exact=False).first
    transcript.fill("WEBVTT\n\n00:00.000 --> 00:09.000\nTrop long.\n\nfin sans minutage")
    page.get_by_label("Titre du récit").fill("Changé")
    page.get_by_role("button", name="Enregistrer le récit").click()
    problem = page.locator("#story-form .field", has=transcript).locator(".field-problem")
    problem.wait_for()
    assert "WebVTT" in problem.inner_text()
    summary = page.locator("#story-form .form-problems [role=alert]")
    assert "Rien n'a été envoyé" in summary.inner_text()
    assert transcript.input_value().endswith("fin sans minutage")
    assert page.get_by_label("Titre du récit").input_value() == "Changé"
    saved = httpx.get(f"{studio.url}/v1/orgs/mill/stories/{story['id']}", headers=headers)
    assert saved.json()["title"] == "Le bief"
    assert saved.json()["versions"][0]["transcript_vtt"] is None
    forms_shot(page, "2-transcript-problem")
    context.close()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.mp3", b"Ceci est un texte, pas un son.\n" * 40),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8),
    ],
)
def test_a_file_that_is_not_sound_gets_a_short_sentence_in_the_panel(
    studio: Studio, chromium: Any, tmp_path: Path, name: str, content: bytes
) -> None:
    headers = studio.api("editor")
    with httpx.Client(base_url=studio.url) as api:
        trail = new_trail(api, headers, f"forms-upload-{name.split('.')[1]}")
        api.post(
            f"/v1/orgs/mill/trails/{trail['id']}/stops",
            json={
                "key": "quai",
                "title": {"fr": "Le quai"},
                "zone": {"type": "circle", "center": [4.395, 50.4036], "radius_m": 25},
            },
            headers=headers,
        ).raise_for_status()
    bad = tmp_path / name
    bad.write_bytes(content)
    context = desktop(chromium, studio.url, lang="fr")
    page = context.new_page()
    sign_in(page, "editor")
    page.goto(f"/studio/trails/{trail['id']}")
    page.click("#stop-list li[data-key=quai] .stop-name")
    page.set_input_files("#story input[name=audio-file]", str(bad))
    status = page.locator("#story .uploader p[data-state=error]")
    status.wait_for(timeout=60_000)
    text = status.inner_text()
    not_sound = "Ce fichier n\u2019est pas un enregistrement sonore que nous savons lire : "
    assert text.startswith(not_sound)
    assert "tus:" not in text and "response text" not in text and "{" not in text
    assert page.locator("#story .uploader progress").is_hidden()
    # The sentence wraps inside the panel.
    panel = page.locator("#story").bounding_box()
    box = status.bounding_box()
    assert panel and box and box["x"] + box["width"] <= panel["x"] + panel["width"] + 1
    status.scroll_into_view_if_needed()
    print(text)
    forms_shot(page, f"3-not-audio-{name.split('.')[1]}")
    context.close()


@pytest.mark.parametrize(
    ("language", "expected"), [("fr", "Arrêt 1"), ("nl", "Halte 1"), ("de", "Station 1")]
)
def test_a_new_stop_is_titled_in_the_trails_language(
    studio: Studio, chromium: Any, language: str, expected: str
) -> None:
    headers = studio.api("editor")
    body = {"slug": f"forms-{language}", "title": {language: "Ville"}, "languages": [language]}
    trail = httpx.post(f"{studio.url}/v1/orgs/mill/trails", json=body, headers=headers).json()
    # The studio itself speaks English: the title follows the trail, not the interface.
    context = desktop(chromium, studio.url, lang="en")
    page = context.new_page()
    sign_in(page, "editor")
    page.goto(f"/studio/trails/{trail['id']}")
    page.click("#add-stop")
    box = page.locator("#map").bounding_box()
    assert box
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#stop-list li[data-key=stop-1]")
    assert expected in page.locator("#stop-list li[data-key=stop-1]").inner_text()
    stops = httpx.get(
        f"{studio.url}/v1/orgs/mill/trails/{trail['id']}/stops", headers=headers
    ).json()
    items = stops["items"] if isinstance(stops, dict) else stops
    assert items[0]["title"] == {language: expected}
    if language == "fr":
        forms_shot(page, "4-new-stop-fr")
    context.close()


def test_a_stop_form_says_a_bad_key_and_radius_by_their_fields(
    studio: Studio, chromium: Any
) -> None:
    headers = studio.api("editor")
    with httpx.Client(base_url=studio.url) as api:
        trail = new_trail(api, headers, "forms-stop-key")
        api.post(
            f"/v1/orgs/mill/trails/{trail['id']}/stops",
            json={
                "key": "ecluse",
                "title": {"fr": "L'écluse"},
                "zone": {"type": "circle", "center": [4.395, 50.4036], "radius_m": 25},
            },
            headers=headers,
        ).raise_for_status()
    context = desktop(chromium, studio.url, lang="fr")
    page = context.new_page()
    sign_in(page, "editor")
    page.goto(f"/studio/trails/{trail['id']}")
    page.click("#stop-list li[data-key=ecluse] .stop-name")
    key = page.locator("input[name=stop-key]")
    key.fill("L'Écluse")
    radius = page.locator("input[name=radius]")
    radius.fill("12,5")
    page.click("#save-stop")
    problem = page.locator("#stop-form .field", has=key).locator(".field-problem")
    problem.wait_for()
    assert "minuscules" in problem.inner_text()
    assert key.input_value() == "L'Écluse"
    assert "Identifiant court" in page.locator("#stop-form .form-problems").inner_text()
    # A decimal radius is legitimate: once the key is right, the stop saves with 12.5 m.
    key.fill("ecluse-2")
    page.click("#save-stop")
    page.wait_for_selector("#stop-list li[data-key=ecluse-2]")
    stops = httpx.get(
        f"{studio.url}/v1/orgs/mill/trails/{trail['id']}/stops", headers=headers
    ).json()
    items = stops["items"] if isinstance(stops, dict) else stops
    assert items[0]["zone"]["radius_m"] == pytest.approx(12.5)
    context.close()


# Three phrases of "speech" (1.0 s, 1.5 s, 0.8 s) with pauses of 0.6 s between them.
PHRASES = [1.0, 0.6, 1.5, 0.6, 0.8]
SPOKEN = "Le moulin tournait. La roue grinçait toute la nuit, disait mon père.\nPuis tout s'est tu."


def test_plain_text_becomes_a_timed_transcript_reviewed_before_saving(
    studio: Studio, chromium: Any, tmp_path: Path
) -> None:
    headers = studio.api("editor")
    wav = ffmpeg_make(tmp_path / "phrases.wav", *speech_like(PHRASES))
    _, story, trail = story_on_a_stop(
        studio, wav, slug="forms-timings", key="roue", title="La roue"
    )
    context, page = open_story(chromium, studio, trail["id"], "roue")
    transcript = page.locator("textarea[name=vtt-fr]")
    status = page.locator("#story-form .transcript-status")
    propose = page.get_by_role("button", name="Proposer un minutage")

    # Nothing but punctuation: said under the box, the box as it was, nothing saved.
    transcript.fill("… !? --")
    propose.click()
    page.wait_for_selector("#story-form .transcript-status[data-state=error]")
    assert "aucune phrase" in status.inner_text()
    assert transcript.input_value() == "… !? --"
    assert transcript.get_attribute("aria-invalid") == "true"

    transcript.fill(SPOKEN)
    propose.click()
    expect(status).to_have_text(re.compile("Minutage proposé"))
    status_text = status.inner_text()
    assert "3 sous-titres" in status_text, status_text
    proposed = transcript.input_value()
    assert proposed.startswith("WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.0")
    assert "\n00:00:01.6" in proposed and "Puis tout s'est tu." in proposed
    page.locator("#story .transcript").scroll_into_view_if_needed()
    forms_shot(page, "5-timings-proposed")
    # Nothing is stored until the mediator saves; the proposal can still be changed.
    stored = httpx.get(f"{studio.url}/v1/orgs/mill/stories/{story['id']}", headers=headers)
    assert stored.json()["versions"][0]["transcript_vtt"] is None
    transcript.fill(proposed.replace("Le moulin tournait.", "Le moulin tournait encore."))
    page.get_by_role("button", name="Enregistrer le récit").click()
    page.wait_for_selector("#toast.shown")
    saved = httpx.get(f"{studio.url}/v1/orgs/mill/stories/{story['id']}", headers=headers)
    vtt = saved.json()["versions"][0]["transcript_vtt"]
    assert "Le moulin tournait encore." in vtt and vtt.count(" --> ") == 3
    context.close()


def test_srt_and_vtt_files_are_imported_and_bad_ones_said_by_the_field(
    studio: Studio, chromium: Any, tmp_path: Path
) -> None:
    wav = ffmpeg_make(tmp_path / "phrases.wav", *speech_like(PHRASES))
    _, _, trail = story_on_a_stop(studio, wav, slug="forms-srt", key="bief", title="Le bief")
    context, page = open_story(chromium, studio, trail["id"], "bief")
    transcript = page.locator("textarea[name=vtt-fr]")
    status = page.locator("#story-form .transcript-status")
    picker = "input[name=transcript-file-fr]"

    def imported(name: str, text: str) -> str:
        before = status.inner_text()
        path = tmp_path / name
        path.write_text(text)
        page.set_input_files(picker, str(path))
        expect(status).not_to_have_text(before)
        expect(status).not_to_have_text(re.compile("Recherche des pauses"))
        return status.inner_text()

    transcript.fill("mon brouillon")
    too_long = "1\n00:00:00,000 --> 00:00:09,000\nBien trop long.\n"
    said = imported("long.srt", too_long)
    assert "dure 4,5 s" in said or "dure 4.5 s" in said, said
    assert transcript.input_value() == "mon brouillon"

    broken = "1\n00:00:00,000 --> 00:00:01,000\nUn.\n\n2\n00:00:01 --> 00:00:02\nDeux.\n"
    said = imported("broken.srt", broken)
    assert said.startswith("ligne 6"), said
    assert transcript.input_value() == "mon brouillon"
    forms_shot(page, "6-srt-refused")

    good = (
        "1\n00:00:00,000 --> 00:00:01,000\nLe bief.\n\n2\n00:00:01,600 --> 00:00:03,100\nL'eau.\n"
    )
    said = imported("bief.srt", good)
    assert "bief.srt" in said
    assert transcript.input_value().startswith(
        "WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.000\nLe bief."
    )

    vtt = "WEBVTT\n\n00:00.000 --> 00:02.000\nImporté tel quel.\n"
    said = imported("bief.vtt", vtt)
    assert "bief.vtt" in said
    assert transcript.input_value() == vtt
    context.close()


def test_a_new_trail_with_a_bad_address_name_is_said_by_the_field_in_english(
    studio: Studio, chromium: Any
) -> None:
    context = desktop(chromium, studio.url, lang="en")
    page = context.new_page()
    sign_in(page, "editor")
    form = page.locator("#new-trail")
    form.get_by_label("Title").fill("Le chemin des forges")
    slug = form.get_by_label("Web address name")
    slug.fill("Chemin des Forges!")
    form.get_by_role("button", name="Create trail").click()
    problem = form.locator(".field", has=page.locator("input[name=slug]")).locator(".field-problem")
    problem.wait_for()
    assert "lower-case letters and digits" in problem.inner_text()
    assert "Web address name:" in form.locator(".form-problems").inner_text()
    assert slug.input_value() == "Chemin des Forges!"
    assert page.url.endswith("/studio")
    forms_shot(page, "7-new-trail-slug-en")
    slug.fill("chemin-des-forges")
    form.get_by_role("button", name="Create trail").click()
    page.wait_for_selector("#map")
    context.close()
