"""Uploads become assets: one request for small files, resumable (tus) for large ones.

A resumable upload keeps its bytes in a part file in the data directory until the last
byte arrives; then the whole file is hashed, checked against the declared checksum,
probed, stored once under its sha256, and its ingest job is queued after the commit.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session
from starlette.requests import ClientDisconnect

from media.blobs import BlobStore
from media.declared import check_declared_type
from media.errors import RejectedMedia
from media.ingest import Staged, staged_upload
from media.limits import MediaLimits, human_bytes
from media.probe import probe
from server.db.models import Asset, Upload, User
from server.errors import ChecksumMismatch, Gone, TooManyRequests
from server.ingest import accept_upload
from trails.errors import Conflict, NotFound, invalid
from trails.vocabulary import AUDIO_ROLES, AudioRole

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def after_commit(session: Session, action: Callable[[], object]) -> None:
    """Run ``action`` once the session's transaction has committed (never on rollback)."""
    event.listen(session, "after_commit", lambda _s: action(), once=True)


@dataclass(frozen=True)
class Owner:
    """Who an upload belongs to: a member of an organisation, or an invitation.

    ``sees_all`` is for editors, who see every asset of the organisation: their upload of
    bytes the organisation already has gives that asset. Anyone else gets an asset of
    their own (their earlier upload of the same bytes, or a new one), never another
    member's id and file name.
    """

    organisation_id: int
    user_id: int | None = None
    invitation_id: int | None = None
    sees_all: bool = False


def asset_from_staged(
    session: Session,
    blobs: BlobStore,
    staged: Staged,
    *,
    owner: Owner,
    filename: str,
    role: AudioRole,
    limits: MediaLimits,
    declared_type: str | None,
    queue: Callable[[int], object],
) -> tuple[Asset, bool]:
    """Probe a staged file, refuse a false declared type, store it, queue its ingest job.

    Returns the asset and whether it is new (the same bytes give the same asset).
    """
    facts = probe(staged.path, limits)
    check_declared_type(declared_type, facts.format)
    accepted = accept_upload(
        session,
        blobs,
        staged,
        organisation_id=owner.organisation_id,
        filename=filename,
        role=role,
        limits=limits,
        facts=facts,
        uploaded_by_id=owner.user_id,
        reuse_any=owner.sees_all,
    )
    if accepted.created:
        asset_id = accepted.asset.id
        after_commit(session, lambda: queue(asset_id))
    return accepted.asset, accepted.created


def asset_from_stream(
    session: Session,
    blobs: BlobStore,
    data: BinaryIO,
    *,
    owner: Owner,
    filename: str,
    role: AudioRole,
    limits: MediaLimits,
    declared_type: str | None,
    queue: Callable[[int], object],
    tmp_dir: Path | None = None,
) -> tuple[Asset, bool]:
    """A one-request upload: stage the stream (size-limited), then as :func:`asset_from_staged`."""
    with staged_upload(data, limits=limits, tmp_dir=tmp_dir) as staged:
        return asset_from_staged(
            session,
            blobs,
            staged,
            owner=owner,
            filename=filename,
            role=role,
            limits=limits,
            declared_type=declared_type,
            queue=queue,
        )


# Resumable uploads (tus 1.0.0: creation, termination, checksum, expiration).


def parse_metadata(header: str | None) -> dict[str, str]:
    """Decode ``Upload-Metadata``: comma-separated ``key base64value`` pairs."""
    result: dict[str, str] = {}
    for item in (header or "").split(","):
        item = item.strip()
        if not item:
            continue
        key, _, encoded = item.partition(" ")
        try:
            result[key] = base64.b64decode(encoded, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise invalid(
                "Upload-Metadata", item, f"the value of '{key}' is not base64 UTF-8"
            ) from None
    return result


def _part_path(root: Path, upload_id: str) -> Path:
    return root / f"{upload_id}.part"


@dataclass(frozen=True)
class OpenUploadCaps:
    """How many unfinished uploads one user may have, and their total declared length."""

    count: int
    declared_bytes: int


def _within_caps(session: Session, user_id: int, caps: OpenUploadCaps, now: datetime) -> None:
    """Refuse an upload that would take a user past their caps (the new one is counted)."""
    count, declared, first_expiry = session.execute(
        select(
            func.count(), func.coalesce(func.sum(Upload.length), 0), func.min(Upload.expires_at)
        ).where(Upload.user_id == user_id, Upload.asset_id.is_(None), Upload.expires_at > now)
    ).one()
    if count <= caps.count and declared <= caps.declared_bytes:
        return
    # When the oldest one expires at the latest (finishing or cancelling one frees it now).
    expiry = first_expiry.replace(tzinfo=UTC) if first_expiry.tzinfo is None else first_expiry
    retry = max(1, int((expiry - now).total_seconds()))
    if count > caps.count:
        detail = (
            f"you already have {count - 1} unfinished uploads, the most one person may have "
            "at once: finish them, or cancel (DELETE) those you no longer need"
        )
    else:
        detail = (
            f"your unfinished uploads would declare {human_bytes(declared)} in all; the "
            f"limit is {human_bytes(caps.declared_bytes)}: finish them, or cancel (DELETE) "
            "those you no longer need"
        )
    raise TooManyRequests(detail, retry_after_s=retry)


def create_upload(
    session: Session,
    root: Path,
    *,
    owner: Owner,
    length: int,
    metadata: dict[str, str],
    limits: MediaLimits,
    ttl_s: int,
    caps: OpenUploadCaps | None = None,
) -> Upload:
    """Start a resumable upload of ``length`` bytes, within the owner's caps if any."""
    if length > limits.max_bytes:
        raise RejectedMedia(
            f"this file is {human_bytes(length)}; the limit is {human_bytes(limits.max_bytes)}",
            reason="too_large",
        )
    if length <= 0:
        raise invalid("Upload-Length", length, "an upload needs at least one byte")
    if caps is not None and owner.user_id is not None and length > caps.declared_bytes:
        # Larger than the whole allowance on its own: refused before any lock or count.
        raise RejectedMedia(
            f"this file is {human_bytes(length)}; unfinished uploads may declare at most "
            f"{human_bytes(caps.declared_bytes)} in all",
            reason="too_large",
        )
    role = metadata.get("role", AudioRole.voice.value)
    if role not in AUDIO_ROLES:
        raise invalid("Upload-Metadata.role", role, f"role is {' or '.join(AUDIO_ROLES)}")
    sha = metadata.get("sha256")
    if sha is not None and (len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha)):
        raise invalid("Upload-Metadata.sha256", sha, "a sha256 is 64 lowercase hex digits")
    now = datetime.now(UTC)
    upload = Upload(
        id=secrets.token_hex(16),
        organisation_id=owner.organisation_id,
        user_id=owner.user_id,
        invitation_id=owner.invitation_id,
        length=length,
        offset=0,
        filename=(metadata.get("filename") or "upload")[:255],
        role=AudioRole(role),
        expected_sha256=sha,
        content_type=metadata.get("filetype"),
        created_at=now,
        expires_at=now + timedelta(seconds=ttl_s),
    )
    if caps is not None and owner.user_id is not None:
        # One user's creations one after the other (a row lock on PostgreSQL; SQLite has one
        # writer at a time from the insert on), so that a burst is counted whole.
        session.execute(select(User.id).where(User.id == owner.user_id).with_for_update())
    session.add(upload)
    session.flush()
    if caps is not None and owner.user_id is not None:
        _within_caps(session, owner.user_id, caps, now)
    root.mkdir(parents=True, exist_ok=True)
    _part_path(root, upload.id).touch()
    return upload


def find_upload(session: Session, owner: Owner, upload_id: str) -> Upload:
    """An upload of this owner; anyone else's is simply not found."""
    upload = session.get(Upload, upload_id)
    if (
        upload is None
        or upload.organisation_id != owner.organisation_id
        or upload.user_id != owner.user_id
        or upload.invitation_id != owner.invitation_id
        or upload.expires_at <= datetime.now(UTC)
    ):
        raise NotFound(f"no upload {upload_id} (unfinished uploads expire)")
    return upload


def _lock(upload_id: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(upload_id, threading.Lock())


def _forget_lock(upload_id: str) -> None:
    # One lock per upload in progress: a long-running server must not keep them all.
    with _locks_guard:
        _locks.pop(upload_id, None)


def _chunk_checksum(header: str | None) -> str | None:
    if header is None:
        return None
    algorithm, _, value = header.partition(" ")
    if algorithm.lower() != "sha256":
        raise invalid("Upload-Checksum", header, "only sha256 checksums are supported")
    try:
        return base64.b64decode(value, validate=True).hex()
    except binascii.Error:
        raise invalid("Upload-Checksum", header, "the checksum is not base64") from None


async def receive_chunk(
    root: Path,
    upload: Upload,
    offset: int,
    stream: AsyncIterator[bytes],
    checksum_header: str | None,
) -> int:
    """Write a request body at ``offset`` (where the upload must stand); return the new offset.

    Bytes go straight to the part file, so memory stays flat whatever the chunk size. A
    connection dropped midway keeps what arrived (the client resumes from there), unless
    the chunk carried a checksum, which can then not be verified: it is dropped whole.
    A chunk that fails its checksum or passes the declared length is not kept.
    """
    expected = _chunk_checksum(checksum_header)
    lock = _lock(upload.id)
    if not lock.acquire(blocking=False):
        raise Conflict("another request is sending bytes to this upload; wait for it to end")
    try:
        if offset != upload.offset:
            raise Conflict(
                f"this upload stands at byte {upload.offset}, not {offset}; ask (HEAD) and resume"
            )
        part = _part_path(root, upload.id)
        if not part.exists():
            # Its last chunk was refused (the file was not audio, or its checksum differed).
            raise Gone("this upload ended without becoming an asset; start a new one")
        digest = hashlib.sha256()
        written = 0
        with part.open("r+b") as fh:
            fh.seek(offset)
            try:
                async for chunk in stream:
                    written += len(chunk)
                    if offset + written > upload.length:
                        fh.truncate(offset)
                        raise invalid(
                            "Upload-Offset",
                            offset + written,
                            f"the upload was declared as {upload.length} bytes",
                        )
                    digest.update(chunk)
                    fh.write(chunk)
            except ClientDisconnect:
                if expected is not None:
                    fh.truncate(offset)
                    return offset
            else:
                if expected is not None and digest.hexdigest() != expected:
                    fh.truncate(offset)
                    raise ChecksumMismatch(
                        "this chunk arrived damaged (its sha256 differs); send it again"
                    )
            fh.truncate(offset + written)
        upload.offset = offset + written
        return upload.offset
    finally:
        lock.release()


def finish_upload(
    session: Session,
    blobs: BlobStore,
    root: Path,
    upload: Upload,
    *,
    limits: MediaLimits,
    queue: Callable[[int], object],
    sees_all: bool = False,
) -> Asset:
    """The last byte arrived: check the whole file and turn it into an asset.

    ``sees_all``: the uploader is an editor (see :class:`Owner`).
    """
    path = _part_path(root, upload.id)
    try:
        with path.open("rb") as fh, staged_upload(fh, limits=limits, tmp_dir=root) as staged:
            if upload.expected_sha256 and staged.sha256 != upload.expected_sha256:
                raise ChecksumMismatch(
                    "the whole file's sha256 differs from the one declared at the start; "
                    "nothing was kept, upload it again"
                )
            asset, _ = asset_from_staged(
                session,
                blobs,
                staged,
                owner=Owner(upload.organisation_id, upload.user_id, upload.invitation_id, sees_all),
                filename=upload.filename,
                role=upload.role,
                limits=limits,
                declared_type=upload.content_type,
                queue=queue,
            )
    finally:
        # A finished upload, good or refused, leaves no part file and no lock behind.
        path.unlink(missing_ok=True)
        _forget_lock(upload.id)
    upload.asset_id = asset.id
    return asset


def cancel_upload(session: Session, root: Path, upload: Upload) -> None:
    """Terminate an upload and remove its bytes."""
    _part_path(root, upload.id).unlink(missing_ok=True)
    _forget_lock(upload.id)
    session.delete(upload)


def remove_expired(session: Session, root: Path, now: datetime | None = None) -> int:
    """Delete unfinished uploads past their expiry, and their part files."""
    now = now or datetime.now(UTC)
    expired = session.scalars(
        select(Upload).where(Upload.expires_at <= now, Upload.asset_id.is_(None))
    ).all()
    for upload in expired:
        cancel_upload(session, root, upload)
    return len(expired)
