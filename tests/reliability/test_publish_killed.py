"""A publish killed with SIGKILL after writing its bundles, before making them current.

After the kill: the SQLite file passes its integrity check, the previous release is still
current and downloads byte for byte, the half-built bundle is not reachable, and the
orphan collector removes it.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import select, text

from bench.common import baladeur_server
from server.blobs import make_blob_store
from server.db.migrate import upgrade
from server.db.models import Release, Trail
from server.db.session import Database
from server.gc import orphan_bundles
from server.keys import keyring
from server.settings import Settings
from tests.support.factories import add_trail, trail_source
from trails.storage_names import BUNDLE_PREFIX

SLUG = "route-du-festival"
# Publishes, but stops for good between writing the bundles and the commit that uses them.
PUBLISH_AND_HANG = textwrap.dedent(
    f"""
    import sys, time
    import server.publishing as publishing
    from server.db.session import Database
    from server.blobs import make_blob_store
    from server.keys import keyring
    from server.settings import Settings

    def hang(source):
        print("bundles written", flush=True)
        time.sleep(600)

    publishing.summarise = hang
    settings = Settings()
    publishing.publish(
        Database.from_settings(settings), make_blob_store(settings), keyring(settings),
        "{SLUG}", publisher="killed",
    )
    """
)


def _bundle_keys(settings: Settings) -> set[str]:
    return {info.key for info in make_blob_store(settings).scan(BUNDLE_PREFIX)}


def test_publish_killed_between_bundles_and_commit(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    db = Database.from_settings(settings)
    upgrade(db.engine)
    add_trail(
        db,
        trail_source(SLUG, 50.405, 4.395),
        blobs=make_blob_store(settings),
        keys=keyring(settings),
    )
    with db.transaction() as session:
        trail = session.scalar(select(Trail).where(Trail.slug == SLUG))
        assert trail is not None
        trail.titles = {"fr": "Nouveau titre jamais publié"}
        before = trail.current_release_id
    db.dispose()
    known = _bundle_keys(settings)

    env = {**os.environ, "BALADEUR_DATA_DIR": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-c", PUBLISH_AND_HANG],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == b"bundles written", proc.stderr.read() if proc.stderr else line
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    orphans = _bundle_keys(settings) - known
    assert orphans, "the killed publish had written its bundles"

    db = Database.from_settings(settings)
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    with db.transaction() as session:
        trail = session.scalar(select(Trail).where(Trail.slug == SLUG))
        assert trail is not None and trail.current_release_id == before
        assert session.scalar(select(Release.number).where(Release.id == before)) == 1

    with (
        baladeur_server({"BALADEUR_DATA_DIR": str(tmp_path)}) as (base, _proc),
        httpx.Client(base_url=base, follow_redirects=True) as http,
    ):
        bundle = http.get(f"/v1/trails/{SLUG}/bundle")
        assert bundle.status_code == 200
        assert f'"{hashlib.sha256(bundle.content).hexdigest()}"' == bundle.headers["etag"]
        for key in orphans:
            name = key.removeprefix(BUNDLE_PREFIX)
            assert http.get(f"/v1/bundles/{name}").status_code == 404

    # A fresh orphan is kept for the grace period (a publish may still be using it), then removed.
    blobs = make_blob_store(settings)
    assert orphan_bundles(db, blobs) == []
    removed = orphan_bundles(db, blobs, grace=timedelta(0))
    assert set(removed) == orphans
    assert _bundle_keys(settings) == known
    db.dispose()
