"""Publishing as a mediator meets it: checks that protect visitors, draft vs live, real copies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.studio.conftest import Studio, story_on_a_stop
from tests.support.audio import ffmpeg_make, tone
from tests.support.browser import artefact
from tests.support.drafts import add_stop
from tests.support.studio_pages import desktop, sign_in


def shot(page: Any, name: str) -> None:
    """A screenshot for people to look at, in test-artefacts/studio/publish/."""
    page.screenshot(path=str(artefact("studio", f"publish/{name}.png")))


def test_checks_refuse_a_mute_stop_until_silent_then_changes_and_a_real_copy(
    studio: Studio, chromium: Any, tmp_path: Path
) -> None:
    headers = studio.api("editor")
    base = f"{studio.url}/v1/orgs/mill"
    wav = ffmpeg_make(tmp_path / "roue.wav", *tone(4, rate=22050, freq=330))
    source, story, trail = story_on_a_stop(
        studio, wav, slug="flow-walk", key="roue", title="La roue"
    )
    with httpx.Client(base_url=studio.url, timeout=30) as api:
        add_stop(api, headers, trail["id"], "bief", title="Le bief", center=(4.3965, 50.4046))

    context = desktop(chromium, studio.url)
    page = context.new_page()
    sign_in(page, "editor")
    page.goto(f"/studio/trails/{trail['id']}")

    # The check says what is wrong and what to do.
    error = page.locator("#check-list li.finding.error[data-code=no-audio]")
    error.wait_for()
    assert "bief" in error.inner_text()
    assert "mark it silent on purpose" in error.inner_text()
    shot(page, "01-check-no-audio")

    # Publishing refuses and lists the problem by the button, with a way to the stop.
    page.get_by_role("link", name="Publish").click()
    page.click("#publish")
    problems = page.locator("#publish-problems")
    problems.wait_for()
    assert "Not published" in problems.inner_text()
    assert "mark it silent on purpose" in problems.inner_text()
    shot(page, "02-publish-refused")
    problems.get_by_role("link", name="Open stop “Le bief”").click()
    page.wait_for_selector("#stop-form")
    assert page.inner_text("#stop-form .panel-head code") == "bief"

    # Silent on purpose: the check is satisfied and publishing works.
    page.get_by_label("Silent on purpose (no audio at this stop)").check()
    page.click("#save-stop")
    page.wait_for_selector("#stop-form .unsaved:empty", state="attached")
    page.wait_for_selector("#check-list li.finding.error[data-code=no-audio]", state="detached")
    shot(page, "03-silent-on-purpose")
    page.get_by_role("link", name="Publish").click()
    page.click("#publish")
    page.wait_for_selector("#published")
    page.wait_for_selector("#no-changes")
    page.wait_for_selector(".trail-head .badge.live.published")
    assert "Release 1 online · Public" in page.inner_text(".trail-head")
    shot(page, "04-published")

    # An edit of a stop: the draft now differs from what visitors have, and says how.
    page.get_by_role("link", name="Map and stops").click()
    page.click("#stop-list li[data-key=roue] .stop-name")
    page.fill("input[name=stop-title-fr]", "La grande roue")
    page.click("#save-stop")
    page.wait_for_selector("#stop-form .unsaved:empty", state="attached")
    page.get_by_role("link", name="Publish").click()
    page.wait_for_selector("#changes-summary")
    assert page.inner_text("#changes-summary") == "1 stop changed"
    assert "Stop “roue”: title" in page.inner_text("#change-list")
    page.wait_for_selector("#draft-state a")
    assert page.inner_text("#draft-state") == "Changes not yet published"
    shot(page, "05-draft-differs")

    # Duplicate as a temporary route: a distinct title, and stories of its own.
    page.goto("/studio")
    # Other tests of this server name trails alike: the row is found by its link.
    row = page.locator("#trail-list li").filter(
        has=page.locator(f"a[href='/studio/trails/{trail['id']}']")
    )
    row.get_by_role("button", name="Duplicate as a temporary route").click()
    dialog = page.get_by_role("dialog", name="Duplicate as a temporary route")
    dialog.get_by_label("Event").fill("Festival 2027")
    assert "La roue — Festival 2027" in dialog.inner_text()
    dialog.get_by_label("Web address name").fill("flow-walk-2027")
    shot(page, "06-duplicate-dialog")
    dialog.get_by_role("button", name="Duplicate", exact=True).click()
    page.wait_for_selector("#trail-title:has-text('Festival 2027')")
    assert page.inner_text("#trail-title") == "La roue — Festival 2027"

    # Trim the copy's story.
    page.click("#stop-list li[data-key=roue] .stop-name")
    page.wait_for_selector("#story-form canvas.waveform[data-drawn=true]")
    page.get_by_label("Trim start (s)").fill("1")
    page.click(".apply-edit")
    page.wait_for_selector(f".recording:not([data-asset='{source['id']}']) canvas[data-drawn=true]")
    shot(page, "07-copy-trimmed")

    # The original's story still plays its whole recording, on the page and in the API.
    page.goto(f"/studio/trails/{trail['id']}")
    page.click("#stop-list li[data-key=roue] .stop-name")
    page.wait_for_selector(f".recording[data-asset='{source['id']}'] canvas[data-drawn=true]")
    shot(page, "08-original-unchanged")
    context.close()
    kept = httpx.get(f"{base}/stories/{story['id']}", headers=headers, timeout=30).json()
    assert kept["versions"][0]["audio_asset_id"] == source["id"]
    assert kept["title"] == "La roue"
