"""Invitation links: editors make them; residents open them and submit a story, no account."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from sqlalchemy import select

from server import consents, invitations, stories
from server.audit import record
from server.bodylimits import MULTIPART_SLACK, body_limit
from server.db.models import Invitation
from server.db.session import Database
from server.deps import BlobsDep, DatabaseDep, EditorDep, JobsDep, SessionDep, SettingsDep
from server.listing import paginate
from server.problems import ORG_PROBLEMS
from server.schemas.contributions import (
    InvitationCreate,
    InvitationCreated,
    InvitationInfo,
    InvitationPublic,
    InvitedReceipt,
)
from server.schemas.pages import Page, PageDep
from server.schemas.problem import Problem
from server.schemas.stories import TRANSCRIPT_MAX
from server.settings import Settings

org_router = APIRouter(prefix="/v1/orgs/{org}/invitations", tags=["invitations"])
public_router = APIRouter(prefix="/v1/invitations", tags=["invitations"])
PUBLIC_PROBLEMS = {
    **ORG_PROBLEMS,
    404: {"model": Problem, "description": "No such invitation link"},
    410: {"model": Problem, "description": "The link expired, was revoked or is used up"},
    413: {"model": Problem, "description": "A file is over the size limit"},
    415: {"model": Problem, "description": "A file is not of an accepted type"},
}


@org_router.post("", status_code=201, response_model=InvitationCreated, responses=ORG_PROBLEMS)
def create_invitation(
    body: InvitationCreate, member: EditorDep, session: SessionDep, settings: SettingsDep
) -> InvitationCreated:
    """Make an invitation link; its code is shown in this answer only."""
    ttl = body.expires_in_s or settings.invitation_ttl_s
    code, row = invitations.create(
        session, member.organisation.id, member.user, body.label, ttl, body.max_uses
    )
    record(session, row.organisation_id, member.user, "invitation.create", "invitation", row.id)
    public = InvitationPublic.of(row, invitations.state_of(row))
    return InvitationCreated(
        **public.model_dump(), code=code, path=f"/v1/invitations/{code}/contributions"
    )


@org_router.get("", response_model=Page[InvitationPublic], responses=ORG_PROBLEMS)
def list_invitations(
    member: EditorDep, session: SessionDep, page: PageDep
) -> Page[InvitationPublic]:
    """The organisation's invitations, newest first, with their state now."""
    query = (
        select(Invitation)
        .where(Invitation.organisation_id == member.organisation.id)
        .order_by(Invitation.id.desc())
    )
    return paginate(session, query, page, lambda r: InvitationPublic.of(r, invitations.state_of(r)))


@org_router.post("/{invitation_id}/revoke", response_model=InvitationPublic, responses=ORG_PROBLEMS)
def revoke_invitation(
    invitation_id: int, member: EditorDep, session: SessionDep
) -> InvitationPublic:
    """Stop a link from working at once (idempotent)."""
    row = invitations.invitation_in(session, member.organisation.id, invitation_id)
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        record(session, row.organisation_id, member.user, "invitation.revoke", "invitation", row.id)
    session.flush()
    return InvitationPublic.of(row, invitations.state_of(row))


@public_router.get("/{code}", response_model=InvitationInfo, responses=PUBLIC_PROBLEMS)
def open_invitation(code: str, session: SessionDep) -> InvitationInfo:
    """What a resident sees on opening a link: who invites them, until when."""
    row = invitations.usable(session, code)
    return InvitationInfo(
        organisation=invitations.organisation_name(session, row),
        label=row.label,
        expires_at=row.expires_at,
        uses_left=row.max_uses - row.uses,
    )


def _link_first(request: Request) -> None:
    """The link must be usable before a resident's files are read (404 or 410 at once)."""
    database: Database = request.app.state.database
    with database.transaction() as session:
        invitations.usable(session, request.path_params["code"])


def _submission_limit(settings: Settings) -> int:
    # The recording, and beside it at most a signed form, a photo and a transcript.
    files = consents.FORM_MAX_BYTES + stories.PHOTO_MAX_BYTES + TRANSCRIPT_MAX
    return settings.max_upload_bytes + files + MULTIPART_SLACK


@public_router.post(
    "/{code}/contributions",
    status_code=201,
    response_model=InvitedReceipt,
    responses=PUBLIC_PROBLEMS,
)
@body_limit(_submission_limit, check=_link_first)
def submit_invited(
    code: str,
    data: Annotated[
        str,
        Form(
            description="JSON: title, language, contributor_name, optional text, credits, "
            "licence, and consent {person, publication, archive, given_on}.",
            examples=[
                '{"title": "Les cloches", "language": "fr", "contributor_name": "Jeanne", '
                '"consent": {"person": "Jeanne", "publication": true, "archive": true, '
                '"given_on": "2026-05-14"}}'
            ],
        ),
    ],
    audio: Annotated[UploadFile, File(description="The recording.")],
    database: DatabaseDep,
    blobs: BlobsDep,
    jobs: JobsDep,
    settings: SettingsDep,
    transcript: Annotated[UploadFile | None, File(description="WebVTT, UTF-8.")] = None,
    consent_form: Annotated[
        UploadFile | None, File(description="The signed form: PDF, PNG or JPEG.")
    ] = None,
    photo: Annotated[
        UploadFile | None, File(description="A photo: PNG, JPEG or WebP (not published).")
    ] = None,
) -> InvitedReceipt:
    """A resident submits a story with its consent in one request; editors then review it."""
    # The link was checked (by _link_first) before any of the body was read.
    parsed = invitations.parse_data(data)
    files = invitations.Files(
        audio=(audio.file, audio.filename or "recording", audio.content_type),
        transcript=transcript.file if transcript is not None else None,
        consent_form=consent_form.file if consent_form is not None else None,
        photo=photo.file if photo is not None else None,
    )
    done = invitations.submit(
        database, blobs, settings.media_limits(), code, parsed, files, queue=jobs.ingest
    )
    return InvitedReceipt(
        contribution_id=done.story_id, consent_id=done.consent_id, status="submitted"
    )


router = APIRouter()
router.include_router(org_router)
router.include_router(public_router)
