"""A worker killed mid-encode leaves no partial rendition; the job completes on restart."""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select, text

from media.ingest import staged_upload
from server.db import migrate
from server.db.models import Asset, AssetStatus, Organisation, Rendition
from server.db.session import Database
from server.ingest import accept_upload
from server.jobs import Jobs
from server.settings import Settings
from tests.support.audio import ffmpeg_make
from trails.vocabulary import AudioRole


def _encoders_of(pid: int) -> list[int]:
    """ffmpeg processes started by the worker that are encoding a rendition."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            status = (entry / "status").read_text()
        except OSError:
            continue
        parent = next(
            (int(line.split()[1]) for line in status.splitlines() if line.startswith("PPid:")), 0
        )
        encoding = b"libopus" in cmdline or b"aac" in cmdline
        if parent == pid and cmdline[0].endswith(b"ffmpeg") and encoding:
            found.append(int(entry.name))
    return found


def _start_worker(data_dir: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BALADEUR_DATA_DIR": str(data_dir), "BALADEUR_LOG_LEVEL": "WARNING"}
    return subprocess.Popen(
        [sys.executable, "-m", "authoring.cli", "worker", "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def test_worker_killed_mid_encode(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, inprocess_worker=False)
    db = Database.from_settings(settings)
    migrate.upgrade(db.engine)
    source = tmp_path / "long.wav"
    ffmpeg_make(source, "-f", "lavfi", "-i", "anoisesrc=d=240:a=0.2", "-ac", "2", "-ar", "48000")
    jobs = Jobs(settings, database=db)
    with db.transaction() as session:
        org = Organisation(slug="o", name="O")
        session.add(org)
        session.flush()
        with source.open("rb") as fh, staged_upload(fh, limits=settings.media_limits()) as staged:
            asset_id = accept_upload(
                session,
                jobs.blobs,
                staged,
                organisation_id=org.id,
                filename="long.wav",
                role=AudioRole.voice,
                limits=settings.media_limits(),
            ).asset.id
    jobs.ingest(asset_id)

    worker = _start_worker(tmp_path)
    try:
        deadline = time.monotonic() + 300
        while not _encoders_of(worker.pid):
            assert time.monotonic() < deadline, "the worker never started encoding"
            assert worker.poll() is None, "the worker exited"
            time.sleep(0.1)
        time.sleep(0.5)
    finally:
        # As a machine failure would: the worker and the encoder it started die at once.
        encoders = _encoders_of(worker.pid)
        os.killpg(worker.pid, signal.SIGKILL)
        for pid in encoders:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        worker.wait(timeout=30)

    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    with db.transaction() as session:
        assert session.get_one(Asset, asset_id).status == AssetStatus.pending
        stored_rows = session.scalars(select(Rendition.sha256)).all()
    # Every content-addressed blob under its final name is whole: its content hashes to its
    # name (waveforms are named after their asset instead).
    for folder in ("originals", "media"):
        for blob in (tmp_path / "blobs" / folder).rglob("*"):
            if not blob.is_file():
                continue
            digest = hashlib.sha256(blob.read_bytes()).hexdigest()
            assert blob.name.startswith(digest), blob
    assert len(stored_rows) < 2
    assert list((tmp_path / "work").glob("ingest-*"))  # the killed worker's files

    restarted = _start_worker(tmp_path)
    try:
        deadline = time.monotonic() + 240
        while True:
            with db.transaction() as session:
                asset = session.get_one(Asset, asset_id)
                if asset.status != AssetStatus.pending:
                    profiles = sorted(r.profile for r in asset.renditions)
                    break
            assert time.monotonic() < deadline, "the job did not complete after the restart"
            time.sleep(0.5)
    finally:
        os.killpg(restarted.pid, signal.SIGTERM)
        restarted.wait(timeout=30)
    assert asset.status == AssetStatus.ready, asset.failure_reason
    assert profiles == ["aac", "opus"]
    assert list((tmp_path / "work").glob("ingest-*")) == []  # cleaned at restart
    db.dispose()
