"""A live server with the demo trail published, shared by the player's browser tests."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from media.blobs.memory import MemoryBlobStore
from server.app import create_app
from server.db import migrate
from server.db.engine import make_engine
from server.db.models import ReleaseBundle, Trail
from server.db.session import Database
from server.jobs import Jobs, make_huey
from server.settings import Settings
from server.webapps import PLAYER

# csp_kept is an autouse fixture: importing it applies it to this folder's tests.
from tests.support.browser import built, csp_kept  # noqa: F401
from tests.support.dropping import DropOnce
from tests.support.factories import add_demo
from tests.support.live import live_server
from trails.bundle.signing import Keyring

DEMO = Path(__file__).resolve().parents[2] / "examples" / "moulin-de-marchienne"
DEMO_SLUG = "moulin-de-marchienne"


@dataclass
class Site:
    """The running server and what the tests may poke at."""

    url: str
    db: Database
    blobs: MemoryBlobStore
    keys: Keyring
    network: DropOnce

    def current(self, profile: str = "opus") -> ReleaseBundle:
        """The current release's bundle of the demo in a profile (tests may publish more)."""
        with self.db.transaction() as session:
            trail = session.scalars(select(Trail).where(Trail.slug == DEMO_SLUG)).one()
            bundle = session.scalars(
                select(ReleaseBundle).where(
                    ReleaseBundle.release_id == trail.current_release_id,
                    ReleaseBundle.profile == profile,
                )
            ).one()
            session.expunge(bundle)
            return bundle

    def manifest(self, profile: str = "opus") -> dict[str, Any]:
        """The current signed manifest, parsed."""
        return dict(json.loads(self.current(profile).manifest_bytes))


@contextmanager
def demo_site(folder: Path, spatialite_template: Path, source: Path = DEMO) -> Iterator[Site]:
    """A live server in ``folder`` on SpatiaLite with the demo (or a variant of it) published."""
    shutil.copyfile(spatialite_template, folder / "test.db")
    engine = make_engine(f"sqlite:///{folder / 'test.db'}")
    migrate.upgrade(engine)
    db = Database(engine)
    blobs = MemoryBlobStore()
    keys = Keyring(folder / "keys")
    add_demo(db, source, blobs, keys)
    settings = Settings(data_dir=folder, inprocess_worker=False)
    jobs = Jobs(settings, huey=make_huey(settings, immediate=True), database=db, blobs=blobs)
    app = create_app(settings, database=db, blobs=blobs, jobs=jobs, keys=keys)
    network = DropOnce(app)
    try:
        with live_server(network) as url:  # type: ignore[arg-type]
            yield Site(url, db, blobs, keys, network)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def player_built() -> Path:
    """The built player."""
    return built(PLAYER)


@pytest.fixture(scope="session")
def site(
    player_built: Path, spatialite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """The app on SpatiaLite with the demo published, behind a connection-dropping wrapper.

    One backend is enough here: these tests exercise the browser, not the database.
    """
    with demo_site(tmp_path_factory.mktemp("player-site"), spatialite_template) as running:
        yield running
