"""Consent records of stories, signed forms, and withdrawal of consent."""

from __future__ import annotations

from fastapi import APIRouter, UploadFile
from sqlalchemy.orm import Session

from server import consents, private_files, stories
from server.audit import record
from server.auth.access import Member
from server.bodylimits import CONTRIBUTOR_FIRST, MULTIPART_SLACK, body_limit
from server.db.models import ConsentRecord, Role, Story
from server.deps import BlobsDep, ContributorDep, DatabaseDep, EditorDep, KeyringDep, SessionDep
from server.problems import ORG_FILE_PROBLEMS, ORG_PROBLEMS
from server.schemas.contributions import (
    ConsentCreate,
    ConsentPublic,
    FormStored,
    WithdrawalPublic,
)
from server.schemas.pages import Page, PageDep
from server.withdrawal import withdraw
from trails.errors import NotFound
from trails.messages import msg

router = APIRouter(prefix="/v1/orgs/{org}", tags=["consents"])


@router.get(
    "/stories/{story_id}/consents", response_model=Page[ConsentPublic], responses=ORG_PROBLEMS
)
def list_consents(
    story_id: int, member: EditorDep, session: SessionDep, page: PageDep
) -> Page[ConsentPublic]:
    """The consent records of a story, oldest first."""
    story = stories.story_in(session, member.organisation.id, story_id)
    rows = consents.consents_of(session, story.id)
    chosen = rows[page.offset : page.offset + page.limit]
    return Page[ConsentPublic](
        items=[ConsentPublic.of(r) for r in chosen],
        total=len(rows),
        limit=page.limit,
        offset=page.offset,
    )


@router.post(
    "/stories/{story_id}/consents",
    status_code=201,
    response_model=ConsentPublic,
    responses=ORG_PROBLEMS,
)
def create_consent(
    story_id: int, body: ConsentCreate, member: EditorDep, session: SessionDep
) -> ConsentPublic:
    """Record a person's consent for a story (for instance after a signed paper form)."""
    story = stories.story_in(session, member.organisation.id, story_id)
    row = consents.record_consent(session, story, recorded_by=member.user, **body.model_dump())
    record(session, story.organisation_id, member.user, "consent.create", "consent", row.id)
    return ConsentPublic.of(row)


@router.post(
    "/consent-forms", status_code=201, response_model=FormStored, responses=ORG_FILE_PROBLEMS
)
@body_limit(consents.FORM_MAX_BYTES + MULTIPART_SLACK, check=CONTRIBUTOR_FIRST)
def upload_form(
    file: UploadFile, member: ContributorDep, session: SessionDep, blobs: BlobsDep
) -> FormStored:
    """Store a signed consent form (PDF, PNG or JPEG); name it in a consent by its hash.

    A scan (PNG or JPEG) is stored without its metadata: the answer names the stored file.
    Only this member, and the organisation's editors, can name it.
    """
    form = private_files.receive(session, blobs, consents.FORMS, file.file, member)
    return FormStored(sha256=form.sha256, bytes=len(form.data), mime_type=form.mime_type)


def _withdrawable(session: Session, member: Member, consent_id: int) -> ConsentRecord:
    """The consent record, if the caller is an editor or the contributor of its story."""
    row = consents.consent_in(session, member.organisation.id, consent_id)
    if member.at_least(Role.editor):
        return row
    story = session.get(Story, row.story_id) if row.story_id else None
    if story is None or story.submitted_by_id != member.user.id:
        raise NotFound(
            msg("no consent record {consent_id} in this organisation", consent_id=consent_id)
        )
    return row


@router.post(
    "/consents/{consent_id}/withdraw", response_model=WithdrawalPublic, responses=ORG_PROBLEMS
)
def withdraw_consent(
    consent_id: int,
    member: ContributorDep,
    session: SessionDep,
    database: DatabaseDep,
    blobs: BlobsDep,
    keyring: KeyringDep,
) -> WithdrawalPublic:
    """Withdraw consent: the story leaves every trail, release and storage; repeatable.

    A live release that contains the story is replaced at once by a copy of itself without
    it (never by the draft, whose changes may await a second editor); releases waiting for
    approval or for their time are replaced by copies without it that keep waiting. Only an
    audit entry, without audio, remains.
    """
    row = _withdrawable(session, member, consent_id)
    outcome = withdraw(database, blobs, keyring, row.id, member.user)
    with database.transaction() as fresh:
        consent = fresh.get_one(ConsentRecord, consent_id)
        public = ConsentPublic.of(consent)
    return WithdrawalPublic(
        consent=public,
        story_id=outcome.story_id,
        republished=outcome.republished,
        taken_offline=outcome.taken_offline,
        rebuilt=outcome.rebuilt,
        cancelled=outcome.cancelled,
        releases_deleted=outcome.releases_deleted,
        blobs_deleted=outcome.blobs_deleted,
    )
