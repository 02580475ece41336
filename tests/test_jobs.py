"""Upload to renditions through the job queue, in both modes, against real servers.

Embedded: SpatiaLite, the SQLite job queue, a local blob directory.
Scale: PostGIS, Redis, an S3-compatible HTTP server.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from media.blobs import BlobStore
from media.errors import RejectedMedia
from media.ingest import staged_upload
from server.blobs import make_blob_store
from server.db.models import Asset, AssetStatus, Organisation, Rendition
from server.db.session import Database
from server.ingest import accept_upload
from server.jobs import Jobs, start_embedded
from server.settings import Settings
from tests.conftest import backend_unavailable
from tests.support.audio import ffmpeg_make, tone
from tests.support.redis import RedisMissing, redis_server
from tests.support.s3 import s3_server
from trails.storage_names import original_key, rendition_key, waveform_key
from trails.vocabulary import AudioRole


def stereo_tone(path: Path) -> Path:
    return ffmpeg_make(path, *tone(3), "-ac", "2")


@pytest.fixture
def mode_settings(backend: str, tmp_path: Path) -> Iterator[Settings]:
    """Embedded settings on SpatiaLite; scale settings (Redis, S3) on PostGIS."""
    if backend == "spatialite":
        yield Settings(data_dir=tmp_path, inprocess_worker=False)
        return
    try:
        redis_cm = redis_server()
        redis_url = redis_cm.__enter__()
    except RedisMissing as exc:
        backend_unavailable(str(exc))
    try:
        with s3_server() as s3:
            # moto keeps its state per process: every test gets a bucket of its own.
            bucket = f"baladeur-{uuid.uuid4().hex[:12]}"
            s3.create_bucket(bucket)
            yield Settings(
                data_dir=tmp_path,
                inprocess_worker=False,
                redis_url=redis_url,
                blob_backend="s3",
                s3_bucket=bucket,
                s3_endpoint_url=s3.url,
                s3_region=s3.region,
                s3_access_key_id=s3.access_key_id,
                s3_secret_access_key=s3.secret_access_key,
            )
    finally:
        redis_cm.__exit__(None, None, None)


def _org(db: Database) -> int:
    with db.transaction() as session:
        org = Organisation(slug="collective", name="Collective")
        session.add(org)
        session.flush()
        return org.id


def _upload(db: Database, blobs: BlobStore, settings: Settings, org_id: int, path: Path):
    limits = settings.media_limits()
    with (
        path.open("rb") as fh,
        staged_upload(fh, limits=limits) as staged,
        db.transaction() as session,
    ):
        accepted = accept_upload(
            session,
            blobs,
            staged,
            organisation_id=org_id,
            filename=path.name,
            role=AudioRole.voice,
            limits=limits,
        )
        return accepted.asset.id, accepted.created, staged.sha256


def _wait_ready(db: Database, asset_id: int, timeout: float = 90) -> Asset:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with db.transaction() as session:
            asset = session.get_one(Asset, asset_id)
            if asset.status != AssetStatus.pending:
                list(asset.renditions)
                return asset
        time.sleep(0.2)
    raise AssertionError("the job did not finish")


def test_upload_to_renditions(db: Database, mode_settings: Settings, tmp_path: Path) -> None:
    blobs = make_blob_store(mode_settings)
    jobs = Jobs(mode_settings, database=db, blobs=blobs)
    org_id = _org(db)
    asset_id, created, sha = _upload(
        db, blobs, mode_settings, org_id, stereo_tone(tmp_path / "é t'.wav")
    )
    assert created
    assert blobs.exists(original_key(sha))
    jobs.ingest(asset_id)
    stop = start_embedded(jobs, workers=2)
    try:
        asset = _wait_ready(db, asset_id)
    finally:
        stop()
    assert asset.status == AssetStatus.ready, asset.failure_reason
    assert asset.loudness_lufs is not None and asset.true_peak_dbtp is not None
    profiles = sorted(r.profile for r in asset.renditions)
    assert profiles == ["aac", "opus"]
    waveform = json.loads(b"".join(blobs.open(waveform_key(sha))))
    assert len(waveform["min"]) == len(waveform["max"]) == waveform["buckets"] > 100
    for rendition in asset.renditions:
        ext = ".opus" if rendition.profile == "opus" else ".m4a"
        assert blobs.stat(rendition_key(rendition.sha256, ext)).size == rendition.bytes

    # The same bytes again: the same asset, nothing encoded twice.
    again_id, again_created, _ = _upload(
        db, blobs, mode_settings, org_id, stereo_tone(tmp_path / "b.wav")
    )
    assert (again_id, again_created) == (asset_id, False)
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Rendition)) == 2


def test_rejected_upload_leaves_nothing(
    db: Database, mode_settings: Settings, tmp_path: Path
) -> None:
    blobs = make_blob_store(mode_settings)
    org_id = _org(db)
    junk = tmp_path / "voice.mp3"
    junk.write_bytes(b"%PDF-1.4 not audio at all" * 100)
    with pytest.raises(RejectedMedia):
        _upload(db, blobs, mode_settings, org_id, junk)
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Asset)) == 0
    assert not blobs.exists(original_key(hashlib.sha256(junk.read_bytes()).hexdigest()))
