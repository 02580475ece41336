"""Consent records: who agreed to what for a story, and whether a story may be published."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from media.errors import RejectedMedia
from server import covers, private_files
from server.auth.access import row_in
from server.db.models import ConsentRecord, Story, StoryStatus, User
from server.private_files import Cleaned
from trails.errors import invalid
from trails.messages import msg
from trails.storage_names import consent_form_key


def consents_of(session: Session, story_id: int) -> list[ConsentRecord]:
    """A story's consent records, oldest first."""
    query = select(ConsentRecord).where(ConsentRecord.story_id == story_id)
    return list(session.scalars(query.order_by(ConsentRecord.id)))


def why_not_publishable(story: Story) -> str | None:
    """Why a story may not go into a release, or ``None`` when it may.

    A story needs approval, and a standing consent to publication. A story that has no
    consent record at all and is not a contribution (an editor's own narration, or one
    imported from a source folder whose consents are written in it) needs none here.
    """
    if story.status != StoryStatus.approved:
        return msg(
            "story '{title}' is {status}, not approved",
            title=story.title,
            status=story.status.value,
        )
    session = object_session(story)
    records = consents_of(session, story.id) if session is not None and story.id else []
    if any(r.withdrawn_at is not None for r in records):
        return msg("consent for story '{title}' was withdrawn", title=story.title)
    if any(r.publication for r in records):
        return None
    if records or story.submitted_by_id is not None or story.invitation_id is not None:
        return msg("story '{title}' has no consent to publication", title=story.title)
    return None


def publishable(story: Story) -> bool:
    """Whether the story may be placed in a published release."""
    return why_not_publishable(story) is None


def record_consent(
    session: Session,
    story: Story,
    *,
    person: str,
    publication: bool,
    archive: bool,
    given_on: date,
    form_sha256: str | None,
    recorded_by: User | None,
    uploader_id: int | None = None,
) -> ConsentRecord:
    """Add a consent record to a story; a named form must be one the organisation holds.

    With ``uploader_id`` (a contributor), the form must be that member's own upload.
    """
    # The same words whether the hash is unknown or another team's (or member's) form.
    if form_sha256 is not None and not private_files.holds(
        session, story.organisation_id, private_files.FORM, form_sha256, uploader_id
    ):
        raise invalid(
            "form_sha256",
            form_sha256,
            msg("no consent form with this hash in this organisation: upload the form first"),
        )
    row = ConsentRecord(
        story_id=story.id,
        organisation_id=story.organisation_id,
        person=person,
        publication=publication,
        archive=archive,
        given_on=datetime(given_on.year, given_on.month, given_on.day, tzinfo=UTC),
        form_sha256=form_sha256,
        recorded_by_id=recorded_by.id if recorded_by else None,
    )
    session.add(row)
    session.flush()
    return row


def consent_in(session: Session, organisation_id: int, consent_id: int) -> ConsentRecord:
    """A consent record of the organisation; another organisation's is simply not found."""
    return row_in(session, ConsentRecord, organisation_id, consent_id, "consent record")


_FORM_TYPES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
FORM_MEDIA_TYPES = tuple(_FORM_TYPES.values())
FORM_MAX_BYTES = 20 * 1024**2


def form_type(path: Path) -> str:
    """The type of a staged consent form from its first bytes: PDF, PNG or JPEG (else 415)."""
    with path.open("rb") as fh:
        head = fh.read(8)
    for magic, mime in _FORM_TYPES.items():
        if head.startswith(magic):
            return mime
    raise RejectedMedia(
        msg("a consent form must be a PDF, PNG or JPEG file (a scan or photo of the signed form)"),
        reason="not_audio",
    )


def clean_form(path: Path) -> Cleaned:
    """A staged form checked (PDF, PNG or JPEG, else 415); a scanned image loses its metadata."""
    mime = form_type(path)
    data = path.read_bytes()
    if mime == "application/pdf":
        return Cleaned(data, mime)
    cleaned, mime = covers.clean_image(data, what="a scanned consent form", as_jpeg=False)
    return Cleaned(cleaned, mime)


FORMS = private_files.Kind(private_files.FORM, consent_form_key, FORM_MAX_BYTES, clean_form)
