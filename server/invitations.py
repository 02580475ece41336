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
from server.db.models import (
    Asset,
    Invitation,
    Organisation,
    Stop,
    StoryStatus,
    StoryVersion,
    Trail,
    Upload,
    User,
)
from server.db.session import Database
from server.errors import Gone
from server.licences import ARCHIVE_ONLY, LICENCES, credit_shown
from server.placements import first_title
from server.schemas.contributions import (
    InvitationAbout,
    InvitationPublic,
    InvitationState,
    InvitedContribution,
    offered_licences,
)
from server.schemas.stories import TRANSCRIPT_MAX, StoryCreate, StoryVersionIn
from server.uploads import Owner, asset_from_staged
from trails.errors import Conflict, FieldError, InvalidInput, NotFound, invalid
from trails.i18n import INTERFACE_LANGUAGES
from trails.jsontext import load_json
from trails.messages import msg
from trails.source import Credit
from trails.validation import field_errors
from trails.vocabulary import AudioRole

CODE_PREFIX = "inv_"
# A resident's own code to withdraw their story (a bearer secret, kept as a hash only).
WITHDRAWAL_PREFIX = "wdr_"
# The role under which a resident is credited in bundles (the studio translates it:
# its message creditRole_contributor).
CREDIT_ROLE = "contributor"


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


@dataclass(frozen=True)
class Purpose:
    """What a link is for, and what residents may choose through it."""

    trail_id: int | None = None
    stop_id: int | None = None
    topic: str = ""
    languages: tuple[str, ...] = INTERFACE_LANGUAGES
    licences: tuple[str, ...] = tuple(LICENCES)


def _check_purpose(session: Session, organisation_id: int, purpose: Purpose) -> None:
    """The trail must be the organisation's, and the stop one of that trail's."""
    if purpose.stop_id is not None and purpose.trail_id is None:
        raise invalid("stop_id", purpose.stop_id, msg("a stop needs its trail_id"))
    if purpose.trail_id is not None:
        trail = session.get(Trail, purpose.trail_id)
        if trail is None or trail.organisation_id != organisation_id:
            raise invalid("trail_id", purpose.trail_id, msg("no such trail in this organisation"))
    if purpose.stop_id is not None:
        stop = session.get(Stop, purpose.stop_id)
        if stop is None or stop.trail_id != purpose.trail_id:
            raise invalid("stop_id", purpose.stop_id, msg("no such stop on this trail"))


def create(
    session: Session,
    organisation_id: int,
    creator: User,
    label: str,
    ttl_s: int,
    max_uses: int,
    purpose: Purpose | None = None,
) -> tuple[str, Invitation]:
    """A new invitation; the raw code is returned once and only its hash is kept."""
    purpose = purpose or Purpose()
    _check_purpose(session, organisation_id, purpose)
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
        trail_id=purpose.trail_id,
        stop_id=purpose.stop_id,
        topic=purpose.topic,
        languages=list(purpose.languages),
        licences=list(purpose.licences),
    )
    session.add(row)
    session.flush()
    return code, row


def about(session: Session, row: Invitation) -> InvitationAbout:
    """The titles of the trail and the stop a link is for."""
    trail = session.get(Trail, row.trail_id) if row.trail_id is not None else None
    stop = session.get(Stop, row.stop_id) if row.stop_id is not None else None
    languages = trail.languages if trail is not None else None
    return InvitationAbout(
        trail_title=first_title(trail.titles, languages) if trail is not None else None,
        stop_title=first_title(stop.titles, languages) if stop is not None else None,
    )


def public(session: Session, row: Invitation) -> InvitationPublic:
    """An invitation as editors see it, with its state now."""
    return InvitationPublic.of(row, state_of(row), about(session, row))


def page_url(base_url: str, code: str) -> str:
    """The page a resident opens for a link."""
    return f"{base_url.rstrip('/')}/contribute/{code}"


def invitation_in(session: Session, organisation_id: int, invitation_id: int) -> Invitation:
    """An invitation of the organisation; another organisation's is simply not found."""
    return row_in(session, Invitation, organisation_id, invitation_id, "invitation")


_GONE = {
    "revoked": msg("this invitation link was withdrawn by the team; ask them for a new one"),
    "expired": msg("this invitation link has expired; ask the team for a new one"),
    "used_up": msg("this invitation link has already been used; ask the team for a new one"),
}
# The problem's ``reason`` member, which the residents' pages translate.
_REASON = {"revoked": "revoked", "expired": "expired", "used_up": "used-up"}


def _gone(state: str) -> Gone:
    return Gone(_GONE[state], reason=_REASON[state])


def usable(session: Session, code: str) -> Invitation:
    """The invitation a code opens: 404 when unknown, 410 when expired, revoked or used up."""
    row = session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(code)))
    if row is None:
        raise NotFound(msg("no such invitation link; check the address"))
    state = state_of(row)
    if state != "active":
        raise _gone(state)
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
        raise _gone("used_up")
    session.refresh(row)


@dataclass(frozen=True)
class Submitted:
    """What a resident's submission created, and the code to withdraw it (shown once)."""

    story_id: int
    consent_id: int
    asset_id: int
    new_asset: bool
    withdrawal_code: str


@dataclass(frozen=True)
class Files:
    """The files of a resident's submission: the audio (stream, name, declared type), others.

    No audio when the recording came through a resumable upload (``data.recording_upload``).
    """

    audio: tuple[BinaryIO, str, str | None] | None
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
        raise invalid(
            "transcript",
            None,
            msg("a transcript has at most {max} bytes", max=TRANSCRIPT_MAX),
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise invalid("transcript", None, msg("a WebVTT transcript must be UTF-8 text")) from None
    problem = stories.vtt_problem(text)
    if problem is not None:
        raise invalid("transcript", None, msg("WebVTT {problem}", problem=problem))
    return text


def _check_choices(invitation: Invitation, data: InvitedContribution, files: Files) -> None:
    """Refuse a submission whose choices the link does not allow, before anything is read."""
    if not data.consent.publication and not data.consent.archive:
        raise invalid(
            "data.consent",
            {"publication": False, "archive": False},
            msg(
                "publication and archive both refused: there is nothing to keep, so "
                "nothing was stored"
            ),
        )
    if data.licence not in offered_licences(invitation):
        raise invalid("data.licence", data.licence, msg("this link does not offer this licence"))
    if data.licence == ARCHIVE_ONLY and data.consent.publication:
        raise invalid(
            "data.licence",
            data.licence,
            msg(
                "archive-only keeps the story out of every trail: refuse publication, "
                "or choose another licence"
            ),
        )
    if (files.audio is None) == (data.recording_upload is None):
        raise invalid(
            "recording",
            None,
            msg(
                "send the recording either as the recording part or as "
                "data.recording_upload (a finished upload of this link), one of the two"
            ),
        )


def _uploaded(session: Session, invitation: Invitation, upload_id: str) -> Asset:
    """The asset a finished resumable upload of this link became, not yet in a story."""
    upload = session.get(Upload, upload_id)
    if upload is None or upload.invitation_id != invitation.id or upload.asset_id is None:
        raise invalid(
            "data.recording_upload", upload_id, msg("no finished upload of this link with this id")
        )
    used = select(StoryVersion.id).where(StoryVersion.audio_asset_id == upload.asset_id)
    if session.scalar(used.limit(1)) is not None:
        raise Conflict(msg("this recording was already submitted; record or upload it again"))
    return session.get_one(Asset, upload.asset_id)


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

    Every check (the link, the choices, the transcript, the types of the form and photo,
    the audio probe) runs before the first byte is stored, and the rows land in one
    transaction.
    """
    transcript = _transcript(files.transcript)
    with ExitStack() as stack, database.transaction() as session:
        invitation = usable(session, code)
        _check_choices(invitation, data, files)
        # Checked, and an image stripped of its metadata, before anything is stored.
        form = consents.FORMS.received(files.consent_form) if files.consent_form else None
        photo = stories.PHOTOS.received(files.photo) if files.photo else None
        if files.audio is None:
            assert data.recording_upload is not None  # _check_choices: one of the two
            asset, created = _uploaded(session, invitation, data.recording_upload), False
        else:
            stream, filename, declared_type = files.audio
            staged = stack.enter_context(staged_upload(stream, limits=limits))
            # The lead's upload path: probe, refuse a false declared type, store, queue the
            # job once this transaction has committed.
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
        # Visitors read the name only as the resident chose to be credited.
        shown = credit_shown(data.contributor_name, data.credit)
        body = StoryCreate(
            title=data.title,
            credits=[Credit(name=shown, role=CREDIT_ROLE)] if shown else [],
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
            person=data.consent.person or data.contributor_name,
            publication=data.consent.publication,
            archive=data.consent.archive,
            given_on=data.consent.given_on or datetime.now(UTC).date(),
            form_sha256=form_sha,
            recorded_by=None,
        )
        withdrawal_code = new_secret(WITHDRAWAL_PREFIX)
        consent.licence = data.licence
        consent.credit = data.credit
        consent.withdrawal_hash = token_hash(withdrawal_code)
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
        return Submitted(story.id, consent.id, asset.id, created, withdrawal_code)


def organisation_name(session: Session, row: Invitation) -> str:
    """The name of the organisation that sent an invitation."""
    return session.get_one(Organisation, row.organisation_id).name
