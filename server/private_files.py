"""Private files named by hash (story photos, consent forms): stored stripped, reached in scope.

A photo or a signed form is uploaded on its own and then named by its sha256 in a story,
a contribution or a consent. The bytes are kept once under their hash, but a hash names a
file only for those who hold it (:class:`~server.db.models.PrivateFile`): the member who
uploaded it, and the editors of that member's organisation. Anyone else naming the same
hash gets the very answer an unknown hash gets, so that a hash neither opens another
team's file nor tells that it exists.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from media.blobs import BlobStore
from media.ingest import staged_upload
from media.limits import MediaLimits
from server.auth.access import Member
from server.db.models import PrivateFile

PHOTO = "photo"
FORM = "form"


@dataclass(frozen=True)
class Cleaned:
    """A checked file as it will be stored (an image without its metadata), and its hash."""

    data: bytes
    mime_type: str
    sha256: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sha256", hashlib.sha256(self.data).hexdigest())


@dataclass(frozen=True)
class Kind:
    """A kind of private file: its storage keys, its largest size, and how it is checked."""

    name: str
    key_of: Callable[[str], str]
    max_bytes: int
    clean: Callable[[Path], Cleaned]

    def received(self, stream: BinaryIO) -> Cleaned:
        """A file read from a request (at most ``max_bytes``), checked and cleaned; 415 or 413."""
        with staged_upload(stream, limits=MediaLimits(max_bytes=self.max_bytes)) as staged:
            return self.clean(staged.path)


def store(
    session: Session,
    blobs: BlobStore,
    kind: Kind,
    cleaned: Cleaned,
    *,
    organisation_id: int,
    uploaded_by_id: int | None,
) -> str:
    """Keep the file under its hash (once) and record who holds it; return the hash."""
    sha = cleaned.sha256
    if not blobs.exists(kind.key_of(sha)):
        blobs.put(kind.key_of(sha), [cleaned.data], content_type=cleaned.mime_type)
    same = select(PrivateFile.id).where(
        PrivateFile.organisation_id == organisation_id,
        PrivateFile.kind == kind.name,
        PrivateFile.sha256 == sha,
        PrivateFile.uploaded_by_id.is_(None)
        if uploaded_by_id is None
        else PrivateFile.uploaded_by_id == uploaded_by_id,
    )
    if session.scalar(same.limit(1)) is None:
        session.add(
            PrivateFile(
                organisation_id=organisation_id,
                kind=kind.name,
                sha256=sha,
                uploaded_by_id=uploaded_by_id,
            )
        )
        session.flush()
    return sha


def receive(
    session: Session, blobs: BlobStore, kind: Kind, stream: BinaryIO, member: Member
) -> Cleaned:
    """A member's upload: read, checked, cleaned, stored and held by them; the stored file."""
    cleaned = kind.received(stream)
    store(
        session,
        blobs,
        kind,
        cleaned,
        organisation_id=member.organisation.id,
        uploaded_by_id=member.user.id,
    )
    return cleaned


def holds(
    session: Session, organisation_id: int, kind: str, sha256: str, uploader_id: int | None
) -> bool:
    """Whether the organisation holds the file; with ``uploader_id``, as that member's upload.

    Editors name any file of their organisation (``uploader_id`` None); a contributor names
    only what they uploaded themselves, as with audio.
    """
    query = select(PrivateFile.id).where(
        PrivateFile.organisation_id == organisation_id,
        PrivateFile.kind == kind,
        PrivateFile.sha256 == sha256,
    )
    if uploader_id is not None:
        query = query.where(PrivateFile.uploaded_by_id == uploader_id)
    return session.scalar(query.limit(1)) is not None


def let_go(session: Session, organisation_id: int, kind: str, shas: Iterable[str]) -> None:
    """The organisation no longer holds these files (its last use of them is gone)."""
    wanted = list(shas)
    if wanted:
        session.execute(
            delete(PrivateFile).where(
                PrivateFile.organisation_id == organisation_id,
                PrivateFile.kind == kind,
                PrivateFile.sha256.in_(wanted),
            )
        )


def held_anywhere(session: Session, kind: str, shas: Iterable[str]) -> set[str]:
    """Which of these files some organisation still holds (its own upload of the same bytes)."""
    wanted = list(shas)
    if not wanted:
        return set()
    query = select(PrivateFile.sha256).where(
        PrivateFile.kind == kind, PrivateFile.sha256.in_(wanted)
    )
    return set(session.scalars(query))
