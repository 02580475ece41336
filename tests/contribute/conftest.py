"""A live server with a real database, an organisation and its editor, and a Chromium with a
fake microphone (playing a WAV made by ffmpeg), for the residents' pages' browser tests."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from media.blobs.memory import MemoryBlobStore
from server.app import create_app
from server.db import migrate
from server.db.engine import make_engine
from server.db.models import Invitation
from server.db.session import Database
from server.jobs import Jobs, make_huey
from server.settings import Settings
from server.webapps import CONTRIBUTE

# csp_kept is an autouse fixture: importing it applies it to this folder's tests.
from tests.support.browser import (  # noqa: F401
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    artefact,
    built,
    csp_kept,
    tool_unavailable,
    watch_csp,
)
from tests.support.live import live_server
from tests.support.people import People, make_people
from trails.bundle.signing import Keyring

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
MESSAGES = ROOT / "web" / "contribute" / "messages"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
# The recording limit of the test server: small, so that a test can be over it.
RECORDING_MAX = 4 * 1024 * 1024
# Names and brand words a Dutch or German page may show as they are.
ALLOWED_WORDS = {"baladeur", "creative", "commons", "mill", "pdf", "jpeg", "png", "webp", "mp3"}
# The name of the file the test chooses (the resident's own words, not the page's).
FILE_WORDS = {"voice", "wav"}


@dataclass
class Site:
    """The running server, its storage and the 'mill' team's accounts."""

    url: str
    db: Database
    blobs: MemoryBlobStore
    keys: Keyring
    people: People

    def invite(self, **fields: Any) -> dict[str, Any]:
        """Make an invitation link of 'mill' through the API, as its editor."""
        body = {"label": "Atelier mémoire", "max_uses": 5, **fields}
        with httpx.Client(base_url=self.url) as api:
            answer = api.post("/v1/orgs/mill/invitations", json=body, headers=self.people["editor"])
        assert answer.status_code == 201, answer.text
        created: dict[str, Any] = answer.json()
        return created

    def api(
        self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        """Call the API as the editor (``headers`` added to the editor's)."""
        with httpx.Client(base_url=self.url) as api:
            sent = {**self.people["editor"], **(headers or {})}
            return api.request(method, path, headers=sent, **kwargs)

    def expire(self, invitation_id: int) -> None:
        """Move an invitation's end into the past."""
        with self.db.transaction() as session:
            session.execute(
                update(Invitation)
                .where(Invitation.id == invitation_id)
                .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
            )


@pytest.fixture(scope="session")
def site(spatialite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The app on SpatiaLite, jobs run at once; the public base URL is the live server's."""
    built(CONTRIBUTE)
    folder = tmp_path_factory.mktemp("contribute-site")
    shutil.copyfile(spatialite_template, folder / "test.db")
    engine = make_engine(f"sqlite:///{folder / 'test.db'}")
    migrate.upgrade(engine)
    db = Database(engine)
    blobs = MemoryBlobStore()
    settings = Settings(
        data_dir=folder,
        inprocess_worker=False,
        scheduler_interval_s=0,
        tile_url="",
        max_upload_bytes=RECORDING_MAX,
    )
    jobs = Jobs(settings, huey=make_huey(settings, immediate=True), database=db, blobs=blobs)
    keys = Keyring(folder / "keys")
    app = create_app(settings, database=db, blobs=blobs, jobs=jobs, keys=keys)
    with TestClient(app) as client:
        people = make_people(client, db)
    with live_server(app) as url:
        # Links the server writes (page_url, withdrawal_url) then open on this very server.
        settings.public_base_url = url
        yield Site(url, db, blobs, keys, people)
    engine.dispose()


@pytest.fixture(scope="session")
def voice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A short WAV (a tone with pauses) for the fake microphone and the file choice."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        tool_unavailable("ffmpeg is not installed")
    path = tmp_path_factory.mktemp("voice") / "voice.wav"
    subprocess.run(
        [
            ffmpeg,
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=330:duration=4",
            "-ar",
            "48000",
            "-ac",
            "1",
            str(path),
        ],
        check=True,
    )
    return path


def _launch(chromium: Any, voice: Path, fake_ui: bool) -> Iterator[Any]:
    # Through the session's Playwright driver (tests/support/browser.py): a second sync
    # driver cannot run beside it when the whole suite runs.
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={voice}",
    ]
    if fake_ui:
        # Answers the microphone prompt with yes, as a resident tapping "Allow" would.
        args.append("--use-fake-ui-for-media-stream")
    browser = chromium.browser_type.launch(executable_path=CHROMIUM, args=args)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture(scope="session")
def phone_browser(chromium: Any, voice: Path) -> Iterator[Any]:
    """Chromium whose microphone plays ``voice`` and is allowed."""
    yield from _launch(chromium, voice, fake_ui=True)


@pytest.fixture(scope="session")
def refusing_browser(chromium: Any, voice: Path) -> Iterator[Any]:
    """Chromium with a microphone but no one to allow it: the prompt is refused."""
    yield from _launch(chromium, voice, fake_ui=False)


def phone(browser: Any, base_url: str, lang: str = "en", **options: Any) -> Any:
    """A fresh profile sized like a phone (390 by 844), its browser set to ``lang``."""
    locales = {"en": "en-GB", "fr": "fr-BE", "nl": "nl-BE", "de": "de-DE"}
    settings: dict[str, Any] = {
        "viewport": PHONE,
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "locale": locales[lang],
        "base_url": base_url,
        "accept_downloads": True,
    }
    context = browser.new_context(**(settings | options))
    watch_csp(context)
    context.on("console", lambda m: m.type == "error" and print("console:", m.text))
    context.on("weberror", lambda e: print("page error:", e.error))
    return context


def shot(page: Any, name: str) -> None:
    """A full-page screenshot for people to look at, in test-artefacts/contribute/."""
    page.screenshot(path=str(artefact("contribute", f"{name}.png")), full_page=True)


def no_axe_violations(page: Any, where: str) -> None:
    """Run axe-core (WCAG 2.x A and AA rules) on the page as it is now; fail on any violation."""
    if not AXE.is_file():
        tool_unavailable("axe-core is not installed (npm ci)")
    if not page.evaluate("typeof window.axe === 'object'"):
        # axe is the test's tool, not the page's: evaluated through the DevTools protocol,
        # which the page's CSP does not govern (a <script> tag, as add_script_tag makes,
        # would be refused by script-src 'self', rightly).
        page.evaluate(AXE.read_text() + "\n;undefined")
    result = page.evaluate(
        """async (tags) => {
          const r = await axe.run(document, { runOnly: { type: 'tag', values: tags } });
          const where = (v) => v.nodes.map((n) => n.target.join(' ')).join(', ');
          return r.violations.map((v) => `${v.id}: ${v.help} (${where(v)})`);
        }""",
        AXE_TAGS,
    )
    assert result == [], f"axe-core at {where}:\n" + "\n".join(result)
