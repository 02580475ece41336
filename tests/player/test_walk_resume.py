"""A walk survives a reload, a killed page reopened offline, and the audio taken away."""

from __future__ import annotations

from typing import Any

from tests.player.conftest import Site
from tests.player.field import (
    CAPTURE_CONTEXTS,
    SLUG,
    downloaded,
    state,
    until,
    walk_to_first_story,
)
from tests.support.browser import artefact, phone_context


def plays(s: dict[str, Any]) -> list[str]:
    return [e["stop"] for e in s["events"] if e["type"] == "play"]


def test_a_reload_mid_story_goes_on_where_it_was(site: Site, chromium: Any) -> None:
    context = phone_context(chromium, site.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    downloaded(page)
    walk_to_first_story(site, page, context)
    page.clock.fast_forward(6_000)
    until(page, "s.narration && s.narration.position_s >= 6")
    before = state(page)
    story = before["playing"]
    at = before["narration"]["position_s"]

    page.reload()
    until(page, "s.resumed && s.playing")
    after = state(page)
    assert after["playing"] == story
    assert after["mode"] == "walk" and after["paused"] is False
    assert abs(after["narration"]["position_s"] - at) <= 2
    # What the audio was told: this story, from where it was.
    assert after["audioTold"]["key"] == story
    assert abs(after["audioTold"]["offset"] - at) <= 2
    # The story's credits are shown with it.
    assert (
        "Crédits : espeak-ng (speech synthesis) (narrator)"
        in page.locator("#now-playing").inner_text()
    )
    # Nothing heard starts again.
    assert plays(after) == plays(before)
    assert after["started"] == before["started"]
    page.screenshot(path=str(artefact("player", "10-walk-resumed-after-reload.png")))

    # Stopping the walk forgets it: the next visit starts afresh.
    page.click("#start-walk")
    page.reload()
    until(page, "s.page === 'trail'")
    page.wait_for_selector("#start-walk")
    assert state(page).get("resumed") in (None, False)
    assert page.locator("#walk").is_hidden()
    assert errors == []
    context.close()


def test_a_killed_page_reopens_offline_and_goes_on(site: Site, chromium: Any) -> None:
    context = phone_context(chromium, site.url)
    page = context.new_page()
    downloaded(page)
    walk_to_first_story(site, page, context)
    page.clock.fast_forward(3_000)
    before = state(page)
    page.close()  # the system kills the tab: no goodbye

    context.set_offline(True)
    page = context.new_page()
    page.goto(f"/play/{SLUG}")
    until(page, "s.resumed && s.playing")
    after = state(page)
    assert after["online"] is False
    assert after["playing"] == before["playing"]
    assert abs(after["narration"]["position_s"] - before["narration"]["position_s"]) <= 2
    assert plays(after) == plays(before)

    # A walk saved for another release of the trail is not taken back (changed from the list
    # page: the walking page would save its own again as it goes).
    page.close()
    page = context.new_page()
    page.goto("/play")
    page.wait_for_selector("#trail-list a")
    page.evaluate(
        """(key) => { const w = JSON.parse(localStorage.getItem(key)); w.release += 1;
        localStorage.setItem(key, JSON.stringify(w)); }""",
        f"baladeur.walk.{SLUG}",
    )
    page.goto(f"/play/{SLUG}")
    page.wait_for_selector("#start-walk")
    until(page, "s.page === 'trail'")
    assert state(page).get("resumed") in (None, False)
    assert page.locator("#walk").is_hidden()
    context.close()


def test_audio_taken_away_pauses_then_rewinds(site: Site, chromium: Any) -> None:
    context = phone_context(chromium, site.url)
    context.add_init_script(CAPTURE_CONTEXTS)
    page = context.new_page()
    downloaded(page)
    walk_to_first_story(site, page, context)
    page.clock.fast_forward(8_000)
    until(page, "s.narration && s.narration.position_s >= 8")

    # The system suspends the audio (a call): the story pauses where it is.
    page.evaluate("() => window.__contexts.at(-1).suspend()")
    until(page, "s.paused")
    paused_at = state(page)["narration"]["position_s"]
    page.screenshot(path=str(artefact("player", "11-walk-paused.png")))
    page.clock.fast_forward(30_000)
    held = state(page)
    assert held["paused"] is True and held["playing"] is not None
    assert abs(held["narration"]["position_s"] - paused_at) < 0.01  # the walk's clock stood still

    # The audio comes back: the story goes on two seconds earlier.
    page.evaluate("() => window.__contexts.at(-1).resume()")
    until(page, "!s.paused")
    back = state(page)
    assert back["playing"] == held["playing"]
    assert abs(back["narration"]["position_s"] - (paused_at - 2)) < 0.5
    assert back["audioTold"] == {"key": back["playing"], "offset": back["narration"]["position_s"]}
    assert plays(back) == plays(held)
    context.close()
