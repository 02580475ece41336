"""Invitation links: a resident without an account submits a story through one; it expires."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import BinaryIO

from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from media.blobs import BlobStore
from media.ingest import staged_upload
from media.limits import MediaLimits
from server import consents, private_files, stories
from server.audit import record
from server.auth.access import row_in
from server.auth.tokens import new_secret, token_hash
from server.db.models import Invitation, Organisation, StoryStatus, User
from server.db.session import Database
from server.errors import Gone
from server.schemas.contributions import InvitationState, InvitedContribution
from server.schemas.stories import TRANSCRIPT_MAX, StoryCreate, StoryVersionIn
from server.uploads import Owner, asset_from_staged
from trails.errors import FieldError, InvalidInput, NotFound, invalid
from trails.jsontext import load_json
from trails.validation import field_errors
from trails.vocabulary import AudioRole

CODE_PREFIX = "inv_"


def state_of(row: Invitation, now: datetime | None = None) -> InvitationState:
    """Whether an invitation can still be used, and if not, why."""
    now = now or datetime.now(UTC)
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_at <= now:
        return "expired"
    if row.uses >= row.max_uses:
        return "used_up"
    return "active"


def create(
    session: Session, organisation_id: int, creator: User, label: str, ttl_s: int, max_uses: int
) -> tuple[str, Invitation]:
    """A new invitation; the raw code is returned once and only its hash is kept."""
    code = new_secret(CODE_PREFIX)
    now = datetime.now(UTC)
    row = Invitation(
        organisation_id=organisation_id,
        token_hash=token_hash(code),
        label=label,
        created_by_id=creator.id,
        created_at=now,
        expires_at=now + timedelta(seconds=ttl_s),
        max_uses=max_uses,
        uses=0,
    )
    session.add(row)
    session.flush()
    return code, row


def invitation_in(session: Session, organisation_id: int, invitation_id: int) -> Invitation:
    """An invitation of the organisation; another organisation's is simply not found."""
    return row_in(session, Invitation, organisation_id, invitation_id, "invitation")


_GONE = {
    "revoked": "this invitation link was withdrawn by the team; ask them for a new one",
    "expired": "this invitation link has expired; ask the team for a new one",
    "used_up": "this invitation link has already been used; ask the team for a new one",
}


def usable(session: Session, code: str) -> Invitation:
    """The invitation a code opens: 404 when unknown, 410 when expired, revoked or used up."""
    row = session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(code)))
    if row is None:
        raise NotFound("no such invitation link; check the address")
    state = state_of(row)
    if state != "active":
        raise Gone(_GONE[state])
    return row


def _consume(session: Session, row: Invitation) -> None:
    # One conditional UPDATE, so that two residents racing for the last use cannot both win.
    done = session.execute(
        update(Invitation)
        .where(
            Invitation.id == row.id,
            Invitation.uses < Invitation.max_uses,
            Invitation.revoked_at.is_(None),
        )
        .values(uses=Invitation.uses + 1)
        .execution_options(synchronize_session=False)
    )
    if getattr(done, "rowcount", 0) != 1:
        raise Gone(_GONE["used_up"])
    session.refresh(row)


@dataclass(frozen=True)
class Submitted:
    """What a resident's submission created."""

    story_id: int
    consent_id: int
    asset_id: int
    new_asset: bool


@dataclass(frozen=True)
class Files:
    """The files of a resident's submission: the audio (stream, name, declared type), others."""

    audio: tuple[BinaryIO, str, str | None]
    transcript: BinaryIO | None = None
    consent_form: BinaryIO | None = None
    photo: BinaryIO | None = None


def parse_data(raw: str) -> InvitedContribution:
    """The JSON part of a submission, every bad field named under ``data``."""
    data = load_json(raw, "data")
    try:
        return InvitedContribution.model_validate(data)
    except ValidationError as exc:
        errors = [FieldError(f"data.{e.field}", e.value, e.message) for e in field_errors(exc)]
        raise InvalidInput(errors) from None


def _transcript(stream: BinaryIO | None) -> str | None:
    if stream is None:
        return None
    data = stream.read(TRANSCRIPT_MAX + 1)
    if len(data) > TRANSCRIPT_MAX:
        raise invalid("transcript", None, f"a transcript has at most {TRANSCRIPT_MAX} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise invalid("transcript", None, "a WebVTT transcript must be UTF-8 text") from None
    problem = stories.vtt_problem(text)
    if problem is not None:
        raise invalid("transcript", None, f"WebVTT {problem}")
    return text


def submit(
    database: Database,
    blobs: BlobStore,
    limits: MediaLimits,
    code: str,
    data: InvitedContribution,
    files: Files,
    queue: Callable[[int], object],
) -> Submitted:
    """Store a resident's story, audio and consent at once; any refusal stores nothing.

    Every check (the link, the transcript, the types of the form and photo, the audio
    probe) runs before the first byte is stored, and the rows land in one transaction.
    """
    transcript = _transcript(files.transcript)
    with ExitStack() as stack, database.transaction() as session:
        invitation = usable(session, code)
        # Checked, and an image stripped of its metadata, before anything is stored.
        form = consents.FORMS.received(files.consent_form) if files.consent_form else None
        photo = stories.PHOTOS.received(files.photo) if files.photo else None
        stream, filename, declared_type = files.audio
        staged = stack.enter_context(staged_upload(stream, limits=limits))
        # The lead's upload path: probe, refuse a false declared type, store, queue the job
        # once this transaction has committed.
        asset, created = asset_from_staged(
            session,
            blobs,
            staged,
            owner=Owner(invitation.organisation_id, invitation_id=invitation.id),
            filename=filename,
            role=AudioRole.voice,
            limits=limits,
            declared_type=declared_type,
            queue=queue,
        )

        # Held by the organisation (a resident has no account to hold them by).
        def keep(kind: private_files.Kind, cleaned: private_files.Cleaned | None) -> str | None:
            if cleaned is None:
                return None
            return private_files.store(
                session, blobs, kind, cleaned, organisation_id=org_id, uploaded_by_id=None
            )

        org_id = invitation.organisation_id
        form_sha, photo_sha = keep(consents.FORMS, form), keep(stories.PHOTOS, photo)
        body = StoryCreate(
            title=data.title,
            credits=data.credits,
            licence=data.licence,
            photo_sha256=photo_sha,
            versions={
                data.language: StoryVersionIn(
                    audio_asset_id=asset.id, transcript_vtt=transcript, text=data.text
                )
            },
        )
        story = stories.create_story(
            session,
            invitation.organisation_id,
            body,
            status=StoryStatus.submitted,
            contributor_name=data.contributor_name,
            invitation_id=invitation.id,
        )
        consent = consents.record_consent(
            session,
            story,
            person=data.consent.person,
            publication=data.consent.publication,
            archive=data.consent.archive,
            given_on=data.consent.given_on,
            form_sha256=form_sha,
            recorded_by=None,
        )
        _consume(session, invitation)
        record(
            session,
            invitation.organisation_id,
            None,
            "contribution.submit",
            "story",
            story.id,
            invitation=invitation.id,
        )
        return Submitted(story.id, consent.id, asset.id, created)


def organisation_name(session: Session, row: Invitation) -> str:
    """The name of the organisation that sent an invitation."""
    return session.get_one(Organisation, row.organisation_id).name
