"""How a resident goes through the contribution page, step by step, by labels and buttons."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.contribute.conftest import no_axe_violations
from tests.contribute.conftest import shot as shot


def heading(page: Any, text: str) -> None:
    """Wait for the step whose heading says ``text``; the heading has the focus."""
    page.get_by_role("heading", level=1, name=text).wait_for()
    assert page.evaluate("document.activeElement.id") == "step-heading"


def step(page: Any, name: str | None, *, axe: bool = True) -> None:
    """Check the screen with axe-core and keep a screenshot of it as ``name``."""
    if axe:
        no_axe_violations(page, name or page.url)
    if name:
        shot(page, name)


def welcome(page: Any, code: str, shots: str | None = None) -> str:
    """Open the link and start; returns what the first screen said."""
    page.goto(f"/contribute/{code}")
    heading(page, "Mill invites you to share a story")
    said: str = page.inner_text("main")
    step(page, shots and f"{shots}-1-welcome")
    page.get_by_role("button", name="Start").click()
    heading(page, "Record your story")
    return said


def record(page: Any, shots: str | None = None) -> None:
    """Record with the fake microphone: record, pause, resume, stop, then go on."""
    page.get_by_role("button", name="Record", exact=True).click()
    page.get_by_text("Recording…").wait_for()
    page.wait_for_timeout(1500)
    page.get_by_role("button", name="Pause").click()
    page.get_by_text("Paused", exact=True).wait_for()
    if shots:
        step(page, f"{shots}-2-recording-paused")
    page.get_by_role("button", name="Resume").click()
    page.wait_for_timeout(1000)
    page.get_by_role("button", name="Stop").click()
    page.get_by_role("button", name="Record again").wait_for()
    assert page.locator("audio").count() == 1
    assert "Your recording lasts" in page.inner_text("main")
    if shots:
        step(page, f"{shots}-3-recorded")
    page.get_by_role("button", name="Continue").click()


def choose_file(page: Any, path: Path | dict[str, Any]) -> None:
    """Choose a sound file instead of recording."""
    page.get_by_label("Choose a sound file instead").set_input_files(path)


def about(page: Any, title: str, text: str = "", shots: str | None = None) -> None:
    """Give the title and the optional text."""
    heading(page, "About your story")
    page.get_by_label("Title").fill(title)
    if text:
        page.get_by_label("A few lines about it (optional)").fill(text)
    if shots:
        step(page, f"{shots}-4-about")
    page.get_by_role("button", name="Continue").click()


def credit(page: Any, name: str, choice: str, preview: str, shots: str | None = None) -> None:
    """Write the name, choose how to be credited, check the live preview."""
    heading(page, "How should visitors know you?")
    page.get_by_label("Your name").fill(name)
    page.get_by_label(choice).check()
    assert page.locator(".preview").inner_text() == preview
    if shots:
        step(page, f"{shots}-5-credit")
    page.get_by_role("button", name="Continue").click()


def consent(page: Any, publication: bool, archive: bool, shots: str | None = None) -> None:
    """Answer the two questions, one screen each; nothing is ticked beforehand."""
    for question, answer, name in (
        ("May your story be heard on the walks?", publication, "6-publication"),
        ("May the organisation keep your recording in its archive?", archive, "7-archive"),
    ):
        heading(page, question)
        assert page.get_by_label("Yes", exact=True).is_checked() is False
        assert page.get_by_label("No", exact=True).is_checked() is False
        if shots:
            step(page, f"{shots}-{name}")
        page.get_by_label("Yes" if answer else "No", exact=True).check()
        page.get_by_role("button", name="Continue").click()


def licence(page: Any, name: str, shots: str | None = None) -> None:
    """Choose a licence."""
    heading(page, "How may others reuse your story?")
    if shots:
        step(page, f"{shots}-8-licence")
    page.get_by_label(name).check()
    page.get_by_role("button", name="Continue").click()


def send(page: Any, shots: str | None = None) -> str:
    """Send, wait for the receipt; returns the withdrawal link shown."""
    heading(page, "Ready to send")
    if shots:
        step(page, f"{shots}-9-ready")
    page.get_by_role("button", name="Send my story").click()
    heading(page, "Thank you!")
    link: str = page.get_by_label("Withdrawal link").input_value()
    if shots:
        step(page, f"{shots}-10-receipt")
    return link
