"""A live server with a real database and signed-up people, shared by the studio's browser tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from media.blobs.memory import MemoryBlobStore
from server.app import create_app
from server.db import migrate
from server.db.engine import make_engine
from server.db.session import Database
from server.jobs import Jobs, make_huey
from server.settings import Settings
from server.webapps import STUDIO

# csp_kept is an autouse fixture: importing it applies it to this folder's tests.
from tests.support.browser import artefact, built, csp_kept  # noqa: F401
from tests.support.drafts import trail_with_stop
from tests.support.live import live_server
from tests.support.people import PASSWORD, People, add_user, make_people
from tests.support.studio_pages import desktop, sign_in
from trails.bundle.signing import Keyring


@dataclass
class Studio:
    """The running server, its storage and the accounts of the 'mill' team."""

    url: str
    db: Database
    blobs: MemoryBlobStore
    keys: Keyring
    people: People
    folder: Path

    def api(self, who: str) -> dict[str, str]:
        """Bearer headers of a person, for setting up data through the API."""
        return self.people[who]


@pytest.fixture(scope="session")
def studio_built() -> Path:
    """The built studio."""
    return built(STUDIO)


@pytest.fixture(scope="session")
def studio(
    studio_built: Path, spatialite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Studio]:
    """The app on SpatiaLite, jobs run at once so uploads are ready when the upload ends.

    One backend is enough: these tests exercise the browser, not the database.
    """
    folder = tmp_path_factory.mktemp("studio-site")
    shutil.copyfile(spatialite_template, folder / "test.db")
    engine = make_engine(f"sqlite:///{folder / 'test.db'}")
    migrate.upgrade(engine)
    db = Database(engine)
    blobs = MemoryBlobStore()
    keys = Keyring(folder / "keys")
    # No base map tiles: the tests never reach the internet, the map keeps a plain background.
    settings = Settings(
        data_dir=folder, inprocess_worker=False, scheduler_interval_s=0, tile_url=""
    )
    jobs = Jobs(settings, huey=make_huey(settings, immediate=True), database=db, blobs=blobs)
    app = create_app(settings, database=db, blobs=blobs, jobs=jobs, keys=keys)
    with TestClient(app) as client:
        people = make_people(client, db)
    with live_server(app) as url:
        yield Studio(url, db, blobs, keys, people, folder)
    engine.dispose()


ADMIN = "admin@example.org"


@dataclass
class EmptyServer:
    """A live server whose only account is an administrator, and no organisation."""

    url: str
    db: Database


@pytest.fixture
def empty_server(
    studio_built: Path, spatialite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EmptyServer]:
    """Its own database per test: each starts where `make run` leaves a new server."""
    folder = tmp_path_factory.mktemp("empty-site")
    shutil.copyfile(spatialite_template, folder / "test.db")
    engine = make_engine(f"sqlite:///{folder / 'test.db'}")
    migrate.upgrade(engine)
    db = Database(engine)
    blobs = MemoryBlobStore()
    settings = Settings(
        data_dir=folder, inprocess_worker=False, scheduler_interval_s=0, tile_url=""
    )
    jobs = Jobs(settings, huey=make_huey(settings, immediate=True), database=db, blobs=blobs)
    app = create_app(settings, database=db, blobs=blobs, jobs=jobs, keys=Keyring(folder / "keys"))
    add_user(db, ADMIN, admin=True)
    with live_server(app) as url:
        yield EmptyServer(url, db)
    engine.dispose()


def bearer(url: str, email: str, password: str = PASSWORD) -> dict[str, str]:
    """Bearer headers of someone who signed up through the pages, to check results."""
    token = httpx.post(f"{url}/v1/auth/tokens", json={"email": email, "password": password})
    token.raise_for_status()
    return {"Authorization": f"Bearer {token.json()['token']}"}


def shot(page: Any, name: str) -> None:
    """A screenshot for people to look at, in test-artefacts/studio/."""
    page.screenshot(path=str(artefact("studio", f"{name}.png")))


def story_on_a_stop(
    studio: Studio, wav: Path, *, slug: str, key: str, title: str
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Through the API: upload ``wav``, make a story of it, place it on a new trail's only stop.

    Returns the asset, the story and the trail as the API answered them.
    """
    headers = studio.api("editor")
    with httpx.Client(base_url=studio.url) as api:
        with wav.open("rb") as fh:
            asset = api.post(
                "/v1/orgs/mill/assets",
                files={"file": (wav.name, fh, "audio/wav")},
                headers=headers,
            ).json()
        story = api.post(
            "/v1/orgs/mill/stories",
            json={"title": title, "versions": {"fr": {"audio_asset_id": asset["id"]}}},
            headers=headers,
        ).json()
        trail, _ = trail_with_stop(
            api,
            headers,
            slug=slug,
            trail_title=title,
            key=key,
            title=title,
            story_id=story["id"],
        )
    return asset, story, trail


def open_story(chromium: Any, studio: Studio, trail_id: int, key: str) -> tuple[Any, Any]:
    """An editor's page (in French) showing the story panel of stop ``key``, waveform drawn."""
    context = desktop(chromium, studio.url, lang="fr")
    page = context.new_page()
    sign_in(page, "editor")
    page.goto(f"/studio/trails/{trail_id}")
    page.click(f"#stop-list li[data-key={key}] .stop-name")
    page.wait_for_selector("#story-form canvas.waveform[data-drawn=true]")
    return context, page
