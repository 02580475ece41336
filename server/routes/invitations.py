"""Invitation links: editors make them; residents open them and submit a story, no account."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from sqlalchemy import select

from media.limits import human_bytes
from media.probe import ACCEPTED, MIME_TYPES
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
    InvitedContribution,
    InvitedReceipt,
    inline_schema,
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


# What each part of a submission is, for the OpenAPI document: the types and sizes checked
# (defined in media.probe, server.consents, server.stories and the settings).
_AUDIO_LIMIT = human_bytes(Settings.model_fields["max_upload_bytes"].default)


def _file(description: str, media_types: Sequence[str], max_bytes: int | None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "format": "binary", "description": description}
    if len(media_types) == 1:
        schema["contentMediaType"] = media_types[0]
    if max_bytes is not None:
        schema["maxLength"] = max_bytes
    return schema


_SUBMISSION_PARTS = {
    "audio": (
        f"The recording: {ACCEPTED}; at most the server's upload limit "
        f"(BALADEUR_MAX_UPLOAD_BYTES, {_AUDIO_LIMIT} by default) and duration limit.",
        tuple(dict.fromkeys(MIME_TYPES.values())),
        None,
    ),
    "transcript": ("WebVTT, UTF-8.", ("text/vtt",), TRANSCRIPT_MAX),
    "consent_form": (
        f"The signed form: PDF, PNG or JPEG, at most {human_bytes(consents.FORM_MAX_BYTES)}.",
        consents.FORM_MEDIA_TYPES,
        consents.FORM_MAX_BYTES,
    ),
    "photo": (
        f"A photo: PNG, JPEG or WebP, at most {human_bytes(stories.PHOTO_MAX_BYTES)} "
        "(not published).",
        stories.PHOTO_MEDIA_TYPES,
        stories.PHOTO_MAX_BYTES,
    ),
}
# The parts' media types, as OpenAPI's encoding object lists them (data is a JSON object).
_SUBMISSION_ENCODING = {
    "data": {"contentType": "application/json"},
    **{
        name: {"contentType": ", ".join(types)} for name, (_, types, _) in _SUBMISSION_PARTS.items()
    },
}


def _part(name: str) -> dict[str, Any]:
    # Replaces the schema FastAPI derives from the parameter (a bare string or file).
    description, types, max_bytes = _SUBMISSION_PARTS[name]
    documented = _file(description, types, max_bytes)

    def describe(schema: dict[str, Any]) -> None:
        schema.clear()
        schema.update(documented)

    return {"json_schema_extra": describe}


def _data_part(schema: dict[str, Any]) -> None:
    # The part is sent as text, but its text is this JSON object (checked by parse_data).
    schema.clear()
    schema.update(inline_schema(InvitedContribution))
    schema["examples"] = [_DATA_EXAMPLE]


_DATA_EXAMPLE = {
    "title": "Les cloches",
    "language": "fr",
    "contributor_name": "Jeanne",
    "consent": {"person": "Jeanne", "publication": True, "archive": True, "given_on": "2026-05-14"},
}


def _submission_limit(settings: Settings) -> int:
    # The recording, and beside it at most a signed form, a photo and a transcript.
    files = consents.FORM_MAX_BYTES + stories.PHOTO_MAX_BYTES + TRANSCRIPT_MAX
    return settings.max_upload_bytes + files + MULTIPART_SLACK


@public_router.post(
    "/{code}/contributions",
    status_code=201,
    response_model=InvitedReceipt,
    responses=PUBLIC_PROBLEMS,
    openapi_extra={
        "requestBody": {"content": {"multipart/form-data": {"encoding": _SUBMISSION_ENCODING}}}
    },
)
@body_limit(_submission_limit, check=_link_first)
def submit_invited(
    code: str,
    data: Annotated[str, Form(json_schema_extra=_data_part)],
    audio: Annotated[UploadFile, File(**_part("audio"))],
    database: DatabaseDep,
    blobs: BlobsDep,
    jobs: JobsDep,
    settings: SettingsDep,
    transcript: Annotated[UploadFile | None, File(**_part("transcript"))] = None,
    consent_form: Annotated[UploadFile | None, File(**_part("consent_form"))] = None,
    photo: Annotated[UploadFile | None, File(**_part("photo"))] = None,
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
