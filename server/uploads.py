"""Uploads become assets: one request for small files, resumable (tus) for large ones.

A resumable upload keeps each accepted chunk as a piece in the blob store and its offset in
the database, so any API replica can take its next chunk; when the last byte arrives the
pieces are read back in order, the whole file is hashed, checked against the declared
checksum, probed, stored once under its sha256, and its ingest job is queued after the
commit.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO, cast

from sqlalchemy import CursorResult, delete, event, func, select, update
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from media.blobs import BlobStore, BlobStoreUnavailable
from media.blobs.local import LocalBlobStore
from media.declared import check_declared_type
from media.errors import RejectedMedia
from media.ingest import Staged, staged_upload
from media.limits import MediaLimits, human_bytes
from media.probe import probe
from server.db.models import Asset, Upload, UploadPiece, User
from server.db.session import Database
from server.errors import ChecksumMismatch, Gone, TooManyRequests
from server.ingest import accept_upload
from trails.errors import Conflict, NotFound, invalid
from trails.messages import msg, nmsg
from trails.storage_names import upload_folder, upload_piece_key
from trails.vocabulary import AUDIO_ROLES, AudioRole

log = logging.getLogger(__name__)


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
                "Upload-Metadata", item, msg("the value of '{key}' is not base64 UTF-8", key=key)
            ) from None
    return result


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
        detail = nmsg(
            "you already have {count} unfinished upload, the most one person may have "
            "at once: finish it, or cancel (DELETE) it if you no longer need it",
            "you already have {count} unfinished uploads, the most one person may have "
            "at once: finish them, or cancel (DELETE) those you no longer need",
            count - 1,
        )
    else:
        detail = msg(
            "your unfinished uploads would declare {size} in all; the limit is {limit}: "
            "finish them, or cancel (DELETE) those you no longer need",
            size=human_bytes(declared),
            limit=human_bytes(caps.declared_bytes),
        )
    raise TooManyRequests(detail, retry_after_s=retry)


def create_upload(
    session: Session,
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
            msg(
                "this file is {size}; the limit is {size2}",
                size=human_bytes(length),
                size2=human_bytes(limits.max_bytes),
            ),
            reason="too_large",
        )
    if length <= 0:
        raise invalid("Upload-Length", length, msg("an upload needs at least one byte"))
    if caps is not None and owner.user_id is not None and length > caps.declared_bytes:
        # Larger than the whole allowance on its own: refused before any lock or count.
        raise RejectedMedia(
            msg(
                "this file is {size}; unfinished uploads may declare at most {size2} in all",
                size=human_bytes(length),
                size2=human_bytes(caps.declared_bytes),
            ),
            reason="too_large",
        )
    role = metadata.get("role", AudioRole.voice.value)
    if role not in AUDIO_ROLES:
        raise invalid(
            "Upload-Metadata.role", role, msg("role is {value}", value=" or ".join(AUDIO_ROLES))
        )
    sha = metadata.get("sha256")
    if sha is not None and (len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha)):
        raise invalid("Upload-Metadata.sha256", sha, msg("a sha256 is 64 lowercase hex digits"))
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
        raise NotFound(
            msg("no upload {upload_id} (unfinished uploads expire)", upload_id=upload_id)
        )
    return upload


def _chunk_checksum(header: str | None) -> str | None:
    if header is None:
        return None
    algorithm, _, value = header.partition(" ")
    if algorithm.lower() != "sha256":
        raise invalid("Upload-Checksum", header, msg("only sha256 checksums are supported"))
    try:
        return base64.b64decode(value, validate=True).hex()
    except binascii.Error:
        raise invalid("Upload-Checksum", header, msg("the checksum is not base64")) from None


def _still_open(upload: Upload) -> None:
    """Refuse bytes for an upload that already ended, one way or the other."""
    if upload.refused:
        raise Gone(msg("this upload ended without becoming an asset; start a new one"))
    if upload.asset_id is not None:
        raise Gone(
            msg("this upload is complete: it became asset {asset_id}", asset_id=upload.asset_id)
        )


async def _spool(
    stream: AsyncIterator[bytes], fh: BinaryIO, upload: Upload, offset: int, expected: str | None
) -> int | None:
    """Write a request body to ``fh``; the bytes to keep, or ``None`` when none may be kept."""
    digest = hashlib.sha256()
    written = 0
    try:
        async for chunk in stream:
            written += len(chunk)
            if offset + written > upload.length:
                raise invalid(
                    "Upload-Offset",
                    offset + written,
                    msg("the upload was declared as {length} bytes", length=upload.length),
                )
            digest.update(chunk)
            fh.write(chunk)
    except ClientDisconnect:
        # What arrived is kept (the client resumes after it), unless it came with a
        # checksum, which can then not be verified.
        return None if expected is not None else written
    if expected is not None and digest.hexdigest() != expected:
        raise ChecksumMismatch(
            msg("this chunk arrived damaged (its sha256 differs); send it again")
        )
    return written


def _commit_piece(database: Database, upload_id: str, offset: int, size: int, key: str) -> None:
    """Move the upload's offset past a stored piece, if nobody moved it first (409 if so)."""
    with database.transaction() as session:
        moved = session.execute(
            update(Upload)
            .where(
                Upload.id == upload_id,
                Upload.offset == offset,
                Upload.asset_id.is_(None),
                Upload.refused.is_(False),
            )
            .values(offset=offset + size)
        )
        if cast("CursorResult[Any]", moved).rowcount != 1:
            if session.get(Upload, upload_id) is None:
                raise NotFound(
                    msg("no upload {upload_id} (it was cancelled or expired)", upload_id=upload_id)
                )
            raise Conflict(
                msg(
                    "another request sent bytes to this upload first; ask (HEAD) where it "
                    "stands and resume from there"
                )
            )
        session.add(UploadPiece(upload_id=upload_id, offset=offset, size=size, key=key))


async def receive_chunk(
    database: Database,
    blobs: BlobStore,
    scratch: Path,
    upload: Upload,
    offset: int,
    stream: AsyncIterator[bytes],
    checksum_header: str | None,
) -> int:
    """Keep a request body sent at ``offset`` (where the upload must stand); the new offset.

    The body is spooled to this replica's scratch directory (memory stays flat whatever the
    chunk size), checked, stored as a piece of its own in the blob store, and only then
    counted: the offset moves by a compare-and-set in the database. Of two requests sending
    the same chunk, to one replica or two, one moves it and the other gets 409 and its piece
    deleted, so no byte of the loser is ever read. A replica that dies midway leaves the
    offset where it was (its stray piece goes with the upload's folder).
    A chunk that fails its checksum or passes the declared length is not kept.
    """
    expected = _chunk_checksum(checksum_header)
    _still_open(upload)
    if offset != upload.offset:
        raise Conflict(
            msg(
                "this upload stands at byte {offset}, not {offset2}; ask (HEAD) and resume",
                offset=upload.offset,
                offset2=offset,
            )
        )
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=scratch, prefix="chunk-") as fh:
        size = await _spool(stream, fh, upload, offset, expected)
        if not size:
            return offset
        fh.seek(0)
        key = upload_piece_key(upload.id, offset, secrets.token_hex(8))
        await run_in_threadpool(blobs.put, key, fh)
    try:
        await run_in_threadpool(_commit_piece, database, upload.id, offset, size, key)
    except BaseException:
        await run_in_threadpool(blobs.delete, key)
        raise
    return offset + size


def _pieces(session: Session, upload: Upload) -> list[UploadPiece]:
    """The upload's pieces in order, checked to cover it exactly."""
    pieces = list(
        session.scalars(
            select(UploadPiece)
            .where(UploadPiece.upload_id == upload.id)
            .order_by(UploadPiece.offset)
        )
    )
    end = 0
    for piece in pieces:
        if piece.offset != end:
            break
        end += piece.size
    if end != upload.length:
        raise Conflict(
            msg(
                "this upload holds {end} of its {length} bytes; resume it",
                end=end,
                length=upload.length,
            )
        )
    return pieces


def _read_pieces(blobs: BlobStore, keys: list[str]) -> Iterator[bytes]:
    for key in keys:
        yield from blobs.open(key)


def remove_pieces(blobs: BlobStore, upload_id: str) -> None:
    """Delete every piece of an upload, recorded or stray (a replica died before its commit)."""
    folder = upload_folder(upload_id)
    try:
        if isinstance(blobs, LocalBlobStore):
            # Each key gets shard directories of its own there: remove the folder whole.
            shutil.rmtree(blobs.root / folder, ignore_errors=True)
            return
        for info in list(blobs.scan(folder)):
            blobs.delete(info.key)
    except BlobStoreUnavailable:
        # Left for the next sweep of expired uploads (or an operator); never fail a request.
        log.warning("pieces of upload %s could not be deleted", upload_id, exc_info=True)


def _refuse(database: Database, blobs: BlobStore, upload_id: str) -> None:
    """Mark an upload refused at its end (it cannot resume) and drop its bytes."""
    with database.transaction() as session:
        session.execute(update(Upload).where(Upload.id == upload_id).values(refused=True))
        session.execute(delete(UploadPiece).where(UploadPiece.upload_id == upload_id))
    remove_pieces(blobs, upload_id)


def finish_upload(
    session: Session,
    database: Database,
    blobs: BlobStore,
    scratch: Path,
    upload: Upload,
    *,
    limits: MediaLimits,
    queue: Callable[[int], object],
    sees_all: bool = False,
) -> Asset:
    """The last byte arrived: check the whole file and turn it into an asset.

    The pieces are read in order from the blob store into one staged file (hashed as it
    is written, then probed), so any replica can finish an upload others received.
    ``sees_all``: the uploader is an editor (see :class:`Owner`).
    """
    keys = [piece.key for piece in _pieces(session, upload)]
    try:
        with staged_upload(_read_pieces(blobs, keys), limits=limits, tmp_dir=scratch) as staged:
            if upload.expected_sha256 and staged.sha256 != upload.expected_sha256:
                raise ChecksumMismatch(
                    msg(
                        "the whole file's sha256 differs from the one declared at the start; "
                        "nothing was kept, upload it again"
                    )
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
    except (ChecksumMismatch, RejectedMedia):
        _refuse(database, blobs, upload.id)
        raise
    upload.asset_id = asset.id
    session.execute(delete(UploadPiece).where(UploadPiece.upload_id == upload.id))
    upload_id = upload.id
    after_commit(session, lambda: remove_pieces(blobs, upload_id))
    return asset


def cancel_upload(session: Session, blobs: BlobStore, upload: Upload) -> None:
    """Terminate an upload; its bytes are deleted once that is committed."""
    upload_id = upload.id
    session.execute(delete(UploadPiece).where(UploadPiece.upload_id == upload_id))
    session.delete(upload)
    after_commit(session, lambda: remove_pieces(blobs, upload_id))


def remove_expired(session: Session, blobs: BlobStore, now: datetime | None = None) -> int:
    """Delete unfinished uploads past their expiry, and their pieces."""
    now = now or datetime.now(UTC)
    expired = session.scalars(
        select(Upload).where(Upload.expires_at <= now, Upload.asset_id.is_(None))
    ).all()
    for upload in expired:
        cancel_upload(session, blobs, upload)
    return len(expired)
