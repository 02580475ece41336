"""The contribution page on a phone: a resident records (or chooses a file), answers the
consent questions one by one and gets a receipt with a private withdrawal link."""

from __future__ import annotations

import base64
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.contribute import steps
from tests.contribute.conftest import ALLOWED_WORDS, FILE_WORDS, MESSAGES, Site, phone
from tests.support.drafts import trail_with_stop

# A 1 by 1 PNG, for the optional photo.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def _contribution(site: Site, contribution_id: int) -> dict[str, Any]:
    answer = site.api("GET", f"/v1/orgs/mill/contributions/{contribution_id}")
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def _withdrawal_code(link: str) -> str:
    assert "/contribute/withdraw#" in link
    return link.split("#", 1)[1]


def test_record_consent_and_receipt(site: Site, phone_browser: Any) -> None:
    """Record, pause, resume, listen; credit, consent, licence; send; the receipt's link."""
    with httpx.Client(base_url=site.url) as api:
        trail, stop = trail_with_stop(
            api, site.people["editor"], "canal", "ecluse", title="L'écluse", trail_title="Le canal"
        )
    invitation = site.invite(
        topic="The bells of the parish",
        languages=["fr", "en"],
        trail_id=trail["id"],
        stop_id=stop["id"],
    )
    context = phone(phone_browser, site.url, permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    said = steps.welcome(page, invitation["code"], shots="record")
    assert "Topic: The bells of the parish" in said and "Atelier mémoire" in said
    assert "For the walk “Le canal”, at the place “L'écluse”" in said
    assert "This link can still be used 5 times." in said
    # The switch offers the link's languages only.
    assert page.get_by_role("navigation", name="Language").inner_text().split() == [
        "Français",
        "English",
    ]
    steps.record(page, shots="record")
    steps.about(page, "Les cloches", "Sonnées à la main jusqu'en 1962.", shots="record")
    steps.credit(
        page,
        "Marie Dupont",
        "My initials",
        "Visitors will read your name as: “M. D.”",
        shots="record",
    )
    steps.consent(page, publication=True, archive=True, shots="record")
    # A yes to publication leaves out the licence that would keep the story private.
    steps.heading(page, "How may others reuse your story?")
    assert page.get_by_label("For the organisation only").count() == 0
    steps.licence(page, "Creative Commons Attribution 4.0 (CC BY)", shots="record")
    link = steps.send(page, shots="record")
    code = _withdrawal_code(link)
    page.get_by_role("button", name="Copy the link").click()
    page.get_by_text("The link was copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == link

    # The PDF receipt comes as a download of a blob the page fetched.
    with page.expect_download() as download:
        page.get_by_role("button", name="Download it as a PDF").click()
    saved = download.value.path()
    assert Path(saved).read_bytes().startswith(b"%PDF")

    listed = site.api("GET", "/v1/orgs/mill/contributions").json()["items"]
    mine = [c for c in listed if c["title"] == "Les cloches"]
    assert len(mine) == 1 and mine[0]["status"] == "submitted"
    status = site.api("POST", "/v1/withdrawals/status", json={"code": code}).json()
    assert status["state"] == "submitted" and status["title"] == "Les cloches"
    context.close()


def test_a_file_instead_and_a_title_with_markup(
    site: Site, phone_browser: Any, voice: Path
) -> None:
    """A chosen file goes through; publication refused and archive agreed; markup stays text."""
    invitation = site.invite()
    context = phone(phone_browser, site.url)
    page = context.new_page()
    steps.welcome(page, invitation["code"])
    steps.choose_file(page, voice)
    page.get_by_text("Chosen file: voice.wav").wait_for()
    steps.step(page, "file-1-chosen")
    page.get_by_role("button", name="Continue").click()
    title = "<script>alert(1)</script><b>Le moulin</b>"
    steps.heading(page, "About your story")
    page.get_by_label("A photo (optional)").set_input_files(
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not a photo"}
    )
    page.get_by_text("This file is not a photo.").wait_for()
    page.get_by_label("A photo (optional)").set_input_files(
        {"name": "moulin.png", "mimeType": "image/png", "buffer": PNG}
    )
    page.get_by_text("moulin.png").wait_for()
    steps.about(page, title)
    steps.credit(page, "Jean", "No name (anonymous)", "Visitors will not see any name.")
    steps.consent(page, publication=False, archive=True)
    assert "it will never be published on a walk" in page.inner_text("main")
    steps.licence(page, "For the organisation only")
    # The title is shown as typed, as text: no element came of it.
    assert title in page.inner_text("main")
    assert page.locator("main script, main b").count() == 0
    steps.send(page, shots="file")
    assert f"has received your story “{title}”" in page.inner_text("main")
    assert page.locator("main script, main b").count() == 0
    listed = site.api("GET", "/v1/orgs/mill/contributions").json()["items"]
    mine = next(c for c in listed if c["title"] == title)
    assert mine["status"] == "submitted"
    # What the resident chose reached the server as chosen.
    consent = _contribution(site, mine["id"])["consent_summary"]
    assert consent["publication"] is False and consent["archive"] is True
    assert consent["credit"] == "anonymous" and consent["licence"] == "archive-only"
    assert consent["person"] == "Jean" and consent["credit_shown"] is None
    context.close()


def test_both_refused_keeps_nothing(site: Site, phone_browser: Any, voice: Path) -> None:
    """No to both questions: the page explains nothing can be kept and sends nothing."""
    invitation = site.invite()
    context = phone(phone_browser, site.url)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(f"{r.method} {r.url}"))
    steps.welcome(page, invitation["code"])
    steps.choose_file(page, voice)
    page.get_by_role("button", name="Continue").click()
    steps.about(page, "Rien")
    steps.credit(
        page, "Jean Dupont", "My first name only", "Visitors will read your name as: “Jean”"
    )
    steps.consent(page, publication=False, archive=False)
    steps.heading(page, "Nothing can be kept")
    steps.step(page, "refused-both")
    assert not [r for r in requests if r.startswith("POST") or r.startswith("PATCH")]
    page.get_by_role("button", name="Change my answers").click()
    steps.heading(page, "May your story be heard on the walks?")
    context.close()


def test_microphone_refused_offers_a_file(site: Site, refusing_browser: Any, voice: Path) -> None:
    """Permission refused: said plainly, and the file choice is there."""
    invitation = site.invite()
    # Launched without --use-fake-ui-for-media-stream and no permission granted: Chromium
    # refuses the microphone, as when a resident taps "Block".
    context = phone(refusing_browser, site.url)
    page = context.new_page()
    steps.welcome(page, invitation["code"])
    page.get_by_role("button", name="Record", exact=True).click()
    page.get_by_text("permission was refused").wait_for()
    assert page.get_by_role("button", name="Record", exact=True).count() == 0
    steps.step(page, "microphone-refused")
    steps.choose_file(page, voice)
    page.get_by_text("Chosen file: voice.wav").wait_for()
    context.close()


def test_no_media_recorder_offers_a_file(site: Site, phone_browser: Any) -> None:
    """A browser without MediaRecorder: said plainly, no Record button, the file choice."""
    invitation = site.invite()
    context = phone(phone_browser, site.url)
    page = context.new_page()
    page.add_init_script("delete window.MediaRecorder;")
    steps.welcome(page, invitation["code"])
    page.get_by_text("This browser cannot record sound").wait_for()
    assert page.get_by_role("button", name="Record", exact=True).count() == 0
    assert page.get_by_label("Choose a sound file instead").count() == 1
    context.close()


@pytest.mark.parametrize(
    ("name", "file", "said"),
    [
        (
            "not-audio",
            {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not a sound"},
            "This file is not a sound recording.",
        ),
        (
            "empty",
            {"name": "silence.mp3", "mimeType": "audio/mpeg", "buffer": b""},
            "This file is empty.",
        ),
        (
            "over-limit",
            {"name": "long.wav", "mimeType": "audio/wav", "buffer": b"\0" * (5 * 1024 * 1024)},
            "This file is too big: 5.2 MB. The limit is 4.2 MB.",
        ),
    ],
)
def test_a_wrong_file_is_said_plainly(
    site: Site, phone_browser: Any, name: str, file: dict[str, Any], said: str
) -> None:
    """Checks the browser can make before sending anything."""
    invitation = site.invite()
    context = phone(phone_browser, site.url)
    page = context.new_page()
    steps.welcome(page, invitation["code"])
    steps.choose_file(page, file)
    page.get_by_role("alert").filter(has_text=said).wait_for()
    steps.step(page, f"file-check-{name}")
    # Nothing was taken: going on asks for a recording.
    page.get_by_role("button", name="Continue").click()
    page.get_by_text("Please record your story or choose a sound file first.").wait_for()
    context.close()


@pytest.mark.parametrize(
    ("state", "title"),
    [
        ("expired", "This invitation has ended"),
        ("revoked", "This invitation was closed"),
        ("used-up", "This invitation is complete"),
        ("unknown", "This link does not work"),
    ],
)
def test_a_link_that_no_longer_works(
    site: Site, phone_browser: Any, voice: Path, state: str, title: str
) -> None:
    """A friendly page for each reason, never JSON."""
    invitation = site.invite(max_uses=1)
    code = invitation["code"]
    if state == "expired":
        site.expire(invitation["id"])
    elif state == "revoked":
        assert site.api("POST", f"/v1/orgs/mill/invitations/{invitation['id']}/revoke").is_success
    elif state == "used-up":
        data = {
            "title": "Une",
            "language": "fr",
            "name": "Jean",
            "credit": "anonymous",
            "licence": "archive-only",
            "consent": {"publication": False, "archive": True},
        }
        with voice.open("rb") as fh:
            answer = site.api(
                "POST",
                f"/v1/invitations/{code}/contributions",
                data={"data": json.dumps(data)},
                files={"recording": ("voice.wav", fh, "audio/wav")},
            )
        assert answer.status_code == 201, answer.text
    else:
        code = "no-such-code-" + code[-6:]
    context = phone(phone_browser, site.url)
    page = context.new_page()
    page.goto(f"/contribute/{code}")
    steps.heading(page, title)
    assert "{" not in page.inner_text("body")
    steps.step(page, f"link-{state}")
    context.close()


def _english_words(lang: str) -> set[str]:
    """Words of the English messages that the ``lang`` messages never use."""

    def words(table: dict[str, str]) -> set[str]:
        return {w.lower() for text in table.values() for w in re.findall(r"[A-Za-z]{3,}", text)}

    english = json.loads((MESSAGES / "en.json").read_text())
    other = json.loads((MESSAGES / f"{lang}.json").read_text())
    return words(english) - words(other) - ALLOWED_WORDS - FILE_WORDS


@pytest.mark.parametrize(
    ("lang", "heading", "start", "yes"),
    [
        ("fr", "Mill vous invite à partager un récit", "Commencer", "Oui"),
        ("nl", "Mill nodigt u uit om een verhaal te delen", "Beginnen", "Ja"),
        ("en", "Mill invites you to share a story", "Start", "Yes"),
        ("de", "Mill lädt Sie ein, eine Geschichte zu teilen", "Anfangen", "Ja"),
    ],
)
def test_the_page_in_each_language(
    site: Site, phone_browser: Any, voice: Path, lang: str, heading: str, start: str, yes: str
) -> None:
    """The browser's language is used; no English is left on a Dutch or German page."""
    invitation = site.invite()
    context = phone(phone_browser, site.url, lang=lang)
    page = context.new_page()
    page.goto(f"/contribute/{invitation['code']}")
    steps.heading(page, heading)
    assert page.evaluate("document.documentElement.lang") == lang
    seen = [page.inner_text("body")]
    steps.step(page, f"lang-{lang}-1-welcome")
    page.get_by_role("button", name=start).click()
    page.locator("#recording-file").set_input_files(voice)
    seen.append(page.inner_text("body"))
    steps.step(page, f"lang-{lang}-2-record")
    page.locator(".nav .btn.primary").click()
    page.locator("input[name=title]").fill("Titre")
    page.locator(".nav .btn.primary").click()
    page.locator("input[name=name]").fill("Marie Dupont")
    page.locator("input[name=credit][value=initials]").check()
    page.locator(".nav .btn.primary").click()
    page.get_by_label(yes, exact=True).check()
    seen.append(page.inner_text("body"))
    page.locator(".nav .btn.primary").click()
    page.get_by_label(yes, exact=True).check()
    page.locator(".nav .btn.primary").click()
    seen.append(page.inner_text("body"))
    steps.step(page, f"lang-{lang}-3-licence")
    if lang in ("nl", "de"):
        english = _english_words(lang)
        shown = {w.lower() for text in seen for w in re.findall(r"[A-Za-z]{3,}", text)}
        assert sorted(shown & english) == []
    context.close()


def test_the_language_switch_is_remembered(site: Site, phone_browser: Any) -> None:
    """The switch changes the page at once, keeps what was typed, and is remembered."""
    invitation = site.invite()
    context = phone(phone_browser, site.url, lang="en")
    page = context.new_page()
    steps.welcome(page, invitation["code"])
    page.get_by_role("button", name="Deutsch").click()
    steps.heading(page, "Nehmen Sie Ihre Geschichte auf")
    assert page.get_by_role("button", name="Deutsch").get_attribute("aria-pressed") == "true"
    page.goto(f"/contribute/{invitation['code']}")
    steps.heading(page, "Mill lädt Sie ein, eine Geschichte zu teilen")
    context.close()


@pytest.fixture(scope="module")
def long_voice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 30-second WAV (about 2.6 MB): three tus pieces of 1 MiB."""
    path = tmp_path_factory.mktemp("long") / "long.wav"
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=220:duration=30",
            "-ar",
            "44100",
            "-ac",
            "1",
            str(path),
        ],
        check=True,
    )
    return path


def _to_the_send_step(page: Any, code: str, recording: Path) -> None:
    steps.welcome(page, code)
    steps.choose_file(page, recording)
    page.get_by_text(f"Chosen file: {recording.name}").wait_for()
    page.get_by_role("button", name="Continue").click()
    steps.about(page, "Long")
    steps.credit(page, "Ann Lee", "My full name", "Visitors will read your name as: “Ann Lee”")
    steps.consent(page, publication=True, archive=True)
    steps.licence(page, "Creative Commons Attribution 4.0 (CC BY)")


def test_the_upload_shows_its_progress(site: Site, phone_browser: Any, long_voice: Path) -> None:
    """On a slow connection the bar and the live region follow the upload."""
    invitation = site.invite()
    context = phone(phone_browser, site.url)
    page = context.new_page()
    _to_the_send_step(page, invitation["code"], long_voice)
    # About 500 kB/s up: the 2.6 MB recording takes some seconds.
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 500_000},
    )
    page.get_by_role("button", name="Send my story").click()
    # Polled from here: a wait_for_function string would be an eval, which the page's CSP
    # rightly refuses.
    seen = []
    for _ in range(400):
        seen.append(page.evaluate("document.querySelector('#send-progress')?.value ?? -1"))
        if 30 <= seen[-1] < 100:
            break
        page.wait_for_timeout(50)
    assert 30 <= seen[-1] < 100, seen
    assert re.fullmatch(r"Sending… \d+% done", page.inner_text("#live"))
    assert page.get_by_role("button", name="Send my story").is_disabled()
    assert page.get_by_role("button", name="Back").is_disabled()
    steps.shot(page, "send-progress")
    steps.heading(page, "Thank you!")
    context.close()


def test_a_dropped_connection_resumes(site: Site, phone_browser: Any, long_voice: Path) -> None:
    """The connection drops mid-upload: tus resumes at the server's offset and finishes."""
    invitation = site.invite()
    context = phone(phone_browser, site.url)
    page = context.new_page()
    patches: list[str] = []
    cut = {"done": False}

    def drop_once(route: Any) -> None:
        patches.append(route.request.headers.get("upload-offset", "?"))
        # The second piece never arrives: the network failed under it.
        if len(patches) == 2 and not cut["done"]:
            cut["done"] = True
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(
        re.compile(r".*/v1/invitations/.*/uploads/.*"),
        lambda route: drop_once(route) if route.request.method == "PATCH" else route.continue_(),
    )
    _to_the_send_step(page, invitation["code"], long_voice)
    steps.send(page)
    assert cut["done"] and len(patches) >= 3
    # The piece that failed was sent again from where the server had stopped.
    assert patches[1] == patches[2]
    context.close()


@pytest.mark.parametrize(("motion", "animation"), [("reduce", "none"), ("no-preference", "pulse")])
def test_the_recording_sign_keeps_still_when_asked(
    site: Site, phone_browser: Any, motion: str, animation: str
) -> None:
    """prefers-reduced-motion: the pulsing "Recording…" keeps still."""
    invitation = site.invite()
    context = phone(phone_browser, site.url, reduced_motion=motion)
    page = context.new_page()
    steps.welcome(page, invitation["code"])
    page.get_by_role("button", name="Record", exact=True).click()
    page.get_by_text("Recording…").wait_for()
    name = page.eval_on_selector(".rec-status", "(e) => getComputedStyle(e).animationName")
    assert name == animation
    page.get_by_role("button", name="Stop").click()
    context.close()


def test_readable_at_200_percent_zoom(site: Site, phone_browser: Any, voice: Path) -> None:
    """At 200 % zoom (half the CSS width of the phone) nothing needs sideways scrolling."""
    invitation = site.invite(topic="Les cloches")
    context = phone(phone_browser, site.url, viewport={"width": 195, "height": 422})
    page = context.new_page()

    def fits(where: str) -> None:
        wide = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert wide <= 0, f"{where}: {wide} px wider than the screen"

    said = steps.welcome(page, invitation["code"])
    assert "Les cloches" in said
    fits("record")
    steps.choose_file(page, voice)
    page.get_by_text("Chosen file: voice.wav").wait_for()
    fits("file chosen")
    steps.shot(page, "zoom-200-record")
    page.get_by_role("button", name="Continue").click()
    steps.about(page, "Un titre")
    page.get_by_label("Your name").wait_for()
    fits("credit")
    page.get_by_label("Your name").fill("Marie Dupont")
    page.get_by_label("My full name").check()
    page.get_by_role("button", name="Continue").click()
    fits("publication")
    steps.shot(page, "zoom-200-publication")
    context.close()


def test_by_keyboard_alone(site: Site, phone_browser: Any, voice: Path) -> None:
    """Each step's heading has the focus; Tab then reaches the step's controls in order."""
    invitation = site.invite()
    context = phone(phone_browser, site.url)
    page = context.new_page()
    page.goto(f"/contribute/{invitation['code']}")
    steps.heading(page, "Mill invites you to share a story")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Start"
    page.keyboard.press("Enter")
    steps.heading(page, "Record your story")
    steps.choose_file(page, voice)
    page.get_by_text("Chosen file: voice.wav").wait_for()
    page.get_by_role("button", name="Continue").click()
    steps.heading(page, "About your story")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "title"
    page.keyboard.type("Au clavier")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "text"
    page.get_by_role("button", name="Continue").click()
    steps.heading(page, "How should visitors know you?")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "name"
    page.keyboard.type("Marie Dupont")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.value") == "full-name"
    assert (
        page.locator(".preview").inner_text() == "Visitors will read your name as: “Marie Dupont”"
    )
    context.close()
