"""Ingest: accept an uploaded file as an asset, then encode its renditions in a job."""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import false, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from media.blobs import BlobNotFound, BlobStore, BlobStoreUnavailable
from media.errors import MediaProcessingFailed, MediaTimeout, RejectedMedia
from media.ingest import Staged, store_original
from media.limits import MediaLimits
from media.loudness import Loudness, measure
from media.probe import ProbeResult, probe
from media.renditions import RenditionSpec, Tags, encode_many, layouts_for
from media.waveform import Peaks
from server.db.models import Asset, AssetStatus, Rendition
from server.db.session import Database
from trails.errors import NotFound
from trails.messages import msg
from trails.storage_names import original_key, rendition_key, waveform_key
from trails.vocabulary import AUDIO_PROFILES, DEFAULT_TARGET_LUFS, AudioRole

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Accepted:
    """The asset an upload became, and whether it is new (and needs a job)."""

    asset: Asset
    created: bool


def accept_upload(
    session: Session,
    blobs: BlobStore,
    staged: Staged,
    *,
    organisation_id: int,
    filename: str,
    role: AudioRole,
    limits: MediaLimits,
    facts: ProbeResult | None = None,
    uploaded_by_id: int | None = None,
    reuse_any: bool = True,
) -> Accepted:
    """Probe a staged upload and store it as an asset; the same bytes give the same asset.

    With ``reuse_any`` (an editor, an import) that is any asset of the organisation with
    these bytes; without, only the uploader's own (none for an upload without one). A
    rejected file raises :class:`RejectedMedia` before anything is stored. ``facts``
    skips the probe when the caller has just probed the same bytes.
    """
    same = select(Asset).where(
        Asset.organisation_id == organisation_id, Asset.sha256 == staged.sha256
    )
    if not reuse_any:
        # Another member's asset would hand out its id and file name, and tell that these
        # bytes were already uploaded.
        same = same.where(
            Asset.uploaded_by_id == uploaded_by_id if uploaded_by_id is not None else false()
        )
    existing = session.scalar(same.order_by(Asset.id).limit(1))
    if existing is not None:
        return Accepted(existing, created=False)
    facts = facts or probe(staged.path, limits)
    store_original(blobs, staged, content_type=facts.mime_type)
    asset = Asset(
        organisation_id=organisation_id,
        sha256=staged.sha256,
        bytes=staged.size,
        filename=filename[:255],
        mime_type=facts.mime_type,
        role=role,
        status=AssetStatus.pending,
        duration_s=facts.duration_s,
        channels=facts.channels,
        sample_rate=facts.sample_rate,
        codec=facts.codec,
        uploaded_by_id=uploaded_by_id,
    )
    session.add(asset)
    session.flush()
    return Accepted(asset, created=True)


class Transient(Exception):
    """A failure worth retrying (storage down); the job queue retries it."""


def _fetch_original(blobs: BlobStore, sha256: str, workdir: Path) -> Path:
    path = workdir / "original"
    with path.open("wb") as out:
        for chunk in blobs.open(original_key(sha256)):
            out.write(chunk)
    return path


def _workdir(root: Path | None) -> Path:
    # Named after this process so that a restarted worker can tell a dead one's leftovers.
    if root is None:
        return Path(tempfile.mkdtemp(prefix=f"ingest-{os.getpid()}-"))
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"ingest-{os.getpid()}-", dir=root))


def clean_stale_workdirs(root: Path) -> int:
    """Remove work directories of processes that are gone (killed mid-job); returns a count."""
    removed = 0
    for path in root.glob("ingest-*-*") if root.is_dir() else []:
        pid = path.name.split("-")[1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed


def process_asset(
    database: Database,
    blobs: BlobStore,
    asset_id: int,
    *,
    limits: MediaLimits,
    timeout_s: float | None = None,
    final_attempt: bool = True,
    work_root: Path | None = None,
) -> AssetStatus:
    """Measure loudness and encode every profile; idempotent, safe to run again after a crash.

    Renditions already stored (same asset, profile and parameters) are not encoded again.
    A file the pipeline rejects marks the asset failed with a reason; a storage outage is
    retried, and marks it failed only on the final attempt.
    """
    with database.transaction() as session:
        asset = session.get(Asset, asset_id)
        if asset is None:
            raise NotFound(msg("no asset {asset_id}", asset_id=asset_id))
        if asset.status == AssetStatus.ready:
            return asset.status
        sha256, role = asset.sha256, asset.role
        done = {(r.profile, r.params_hash) for r in asset.renditions}
    workdir = _workdir(work_root)
    try:
        original = _fetch_original(blobs, sha256, workdir)
        facts = probe(original, limits)
        specs = [
            RenditionSpec(profile=profile, role=role.value, target_lufs=DEFAULT_TARGET_LUFS)
            for profile in AUDIO_PROFILES
        ]
        # One decode measures loudness (every run: a job resumed after a crash needs the
        # rendered figures that only a fresh measurement carries) and draws the waveform.
        drawing = Peaks(facts.duration_s)
        loudness = measure(
            original,
            facts,
            layouts=layouts_for(specs, facts),
            true_peak=True,
            tap=drawing.tap(),
            timeout_s=timeout_s,
        )
        waveform = json.dumps(drawing.result())
        blobs.put(waveform_key(sha256), [waveform.encode()], content_type="application/json")
        todo = [spec for spec in specs if (spec.profile, spec.params_hash()) not in done]
        # The profiles are encoded at once, one ffmpeg each.
        encoded_all = encode_many(
            [(original, workdir / f"{spec.profile}{spec.extension}", spec) for spec in todo],
            analyses={original: (facts, loudness)},
            tags=Tags(),
            timeout_s=timeout_s,
        )
        for spec, encoded in zip(todo, encoded_all, strict=True):
            profile = spec.profile
            with encoded.path.open("rb") as fh:
                blobs.put(
                    rendition_key(encoded.sha256, encoded.extension),
                    fh,
                    content_type=encoded.mime_type,
                )
            try:
                with database.transaction() as session:
                    session.add(
                        Rendition(
                            asset_id=asset_id,
                            profile=profile,
                            params_hash=spec.params_hash(),
                            sha256=encoded.sha256,
                            bytes=encoded.bytes,
                            mime_type=encoded.mime_type,
                            duration_s=encoded.duration_s,
                        )
                    )
            except IntegrityError:
                # Another worker (a job queued twice after a restart) stored it first.
                log.info("rendition %s of asset %s was already stored", profile, asset_id)
        _finish(database, asset_id, AssetStatus.ready, None, loudness)
        return AssetStatus.ready
    except (RejectedMedia, MediaProcessingFailed, MediaTimeout) as exc:
        _finish(database, asset_id, AssetStatus.failed, exc.detail, None)
        return AssetStatus.failed
    except BlobNotFound:
        reason = "the original file is missing from storage: upload it again"
        _finish(database, asset_id, AssetStatus.failed, reason, None)
        return AssetStatus.failed
    except BlobStoreUnavailable as exc:
        if final_attempt:
            _finish(
                database, asset_id, AssetStatus.failed, f"storage unavailable: {exc.detail}", None
            )
            return AssetStatus.failed
        raise Transient(exc.detail) from exc
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _finish(
    database: Database,
    asset_id: int,
    status: AssetStatus,
    reason: str | None,
    loudness: Loudness | None,
) -> None:
    with database.transaction() as session:
        asset = session.get(Asset, asset_id)
        if asset is None:
            return
        asset.status = status
        asset.failure_reason = reason
        if loudness is not None:
            asset.loudness_lufs = loudness.integrated_lufs
            asset.loudness_range_lu = loudness.range_lu
            asset.true_peak_dbtp = loudness.true_peak_dbtp


def process_many(
    database: Database,
    blobs: BlobStore,
    asset_ids: list[int],
    *,
    limits: MediaLimits,
    timeout_s: float | None = None,
    workers: int | None = None,
    on_done: Callable[[int, AssetStatus], None] | None = None,
) -> dict[int, AssetStatus]:
    """Process several assets at once, one ffmpeg pipeline per core."""
    statuses: dict[int, AssetStatus] = {}
    with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        futures = {
            pool.submit(
                process_asset, database, blobs, asset_id, limits=limits, timeout_s=timeout_s
            ): asset_id
            for asset_id in asset_ids
        }
        for future in as_completed(futures):
            asset_id = futures[future]
            statuses[asset_id] = future.result()
            if on_done is not None:
                on_done(asset_id, statuses[asset_id])
    return statuses
