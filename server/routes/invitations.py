"""Invitation links: editors make them; residents open them and submit a story, no account."""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from sqlalchemy import select

from media.limits import human_bytes
from media.probe import ACCEPTED, MIME_TYPES
from server import consents, invitations, resident_withdrawals, stories
from server.audit import record
from server.auth.tokens import token_hash
from server.bodylimits import MULTIPART_SLACK, body_limit
from server.db.models import Invitation
from server.db.session import Database
from server.deps import (
    BlobsDep,
    DatabaseDep,
    EditorDep,
    JobsDep,
    PublicBaseDep,
    SessionDep,
    SettingsDep,
)
from server.licences import LICENCES
from server.listing import paginate
from server.problems import ORG_PROBLEMS
from server.schemas.contributions import (
    RESIDENT_TEXT_MAX,
    InvitationCreate,
    InvitationCreated,
    InvitationInfo,
    InvitationPublic,
    InvitedContribution,
    InvitedReceipt,
    Licence,
    SheetRequest,
    UploadLimits,
    inline_schema,
    offered_languages,
    offered_licences,
)
from server.schemas.pages import Page, PageDep
from server.schemas.problem import Problem
from server.schemas.stories import TITLE_MAX, TRANSCRIPT_MAX
from server.settings import Settings
from server.sharing.qr import qr_svg
from server.sharing.resident_sheets import Sheet, invitation_sheet_pdf
from trails.errors import NotFound, invalid
from trails.messages import msg

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
    body: InvitationCreate,
    member: EditorDep,
    session: SessionDep,
    settings: SettingsDep,
    base: PublicBaseDep,
) -> InvitationCreated:
    """Make an invitation link; its code is shown in this answer only."""
    ttl = body.expires_in_s or settings.invitation_ttl_s
    purpose = invitations.Purpose(
        trail_id=body.trail_id,
        stop_id=body.stop_id,
        topic=body.topic,
        languages=tuple(body.languages),
        licences=tuple(body.licences),
    )
    code, row = invitations.create(
        session, member.organisation.id, member.user, body.label, ttl, body.max_uses, purpose
    )
    record(session, row.organisation_id, member.user, "invitation.create", "invitation", row.id)
    public = invitations.public(session, row)
    return InvitationCreated(
        **public.model_dump(),
        code=code,
        path=f"/v1/invitations/{code}/contributions",
        page_url=invitations.page_url(base, code),
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
    return paginate(session, query, page, lambda r: invitations.public(session, r))


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
    return invitations.public(session, row)


SHEET_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ORG_PROBLEMS,
    200: {
        "content": {"application/pdf": {}, "image/svg+xml": {}},
        "description": "An A5 PDF sheet, or the QR code of the link as SVG.",
    },
    404: {"model": Problem, "description": "No such invitation, or not this code"},
}


@org_router.post("/{invitation_id}/sheet", response_class=Response, responses=SHEET_RESPONSES)
def invitation_sheet(
    invitation_id: int,
    body: SheetRequest,
    member: EditorDep,
    session: SessionDep,
    base: PublicBaseDep,
) -> Response:
    """An A5 sheet to hand out (QR code, who invites, about what, three steps, the link)."""
    row = invitations.invitation_in(session, member.organisation.id, invitation_id)
    # The code was shown once, at creation: only its hash says it is this link's.
    if not hmac.compare_digest(row.token_hash, token_hash(body.code)):
        raise NotFound(
            msg("this code is not this invitation's; copy the code shown at its creation")
        )
    url = invitations.page_url(base, body.code)
    headers = {"Cache-Control": "no-store"}
    if body.format == "svg":
        return Response(qr_svg(url), media_type="image/svg+xml", headers=headers)
    sheet = Sheet(member.organisation.name, row.label, row.topic, url, body.lang)
    headers["Content-Disposition"] = f'inline; filename="invitation-{row.id}-{body.lang}.pdf"'
    return Response(invitation_sheet_pdf(sheet), media_type="application/pdf", headers=headers)


@public_router.get("/{code}", response_model=InvitationInfo, responses=PUBLIC_PROBLEMS)
def open_invitation(code: str, session: SessionDep, settings: SettingsDep) -> InvitationInfo:
    """What a resident sees on opening a link: who invites them, about what, until when."""
    row = invitations.usable(session, code)
    about = invitations.about(session, row)
    return InvitationInfo(
        organisation=invitations.organisation_name(session, row),
        label=row.label,
        topic=row.topic,
        trail_title=about.trail_title,
        stop_title=about.stop_title,
        languages=offered_languages(row),
        licences=[Licence(id=i, name=LICENCES[i]) for i in offered_licences(row)],
        expires_at=row.expires_at,
        uses_left=row.max_uses - row.uses,
        limits=UploadLimits(
            recording_types=list(RECORDING_TYPES),
            recording_max_bytes=settings.max_upload_bytes,
            photo_types=list(stories.PHOTO_MEDIA_TYPES),
            photo_max_bytes=stories.PHOTO_MAX_BYTES,
            title_max=TITLE_MAX,
            text_max=RESIDENT_TEXT_MAX,
        ),
    )


def link_first(request: Request) -> None:
    """The link must be usable before a resident's files are read (404 or 410 at once)."""
    database: Database = request.app.state.database
    with database.transaction() as session:
        invitations.usable(session, request.path_params["code"])


# The recording types a resident may send (defined in media.probe).
RECORDING_TYPES = tuple(dict.fromkeys(MIME_TYPES.values()))
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


_RECORDING = (
    f"The recording: {ACCEPTED}; at most the server's upload limit "
    f"(BALADEUR_MAX_UPLOAD_BYTES, {_AUDIO_LIMIT} by default) and duration limit. "
    "Leave it out when data.recording_upload names a finished resumable upload.",
    RECORDING_TYPES,
    None,
)
_SUBMISSION_PARTS = {
    "recording": _RECORDING,
    "audio": (f"The former name of the recording part. {_RECORDING[0]}", *_RECORDING[1:]),
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
    "contributor_name": "Jeanne Martin",
    "credit": "first-name",
    "licence": "cc-by-4.0",
    "text": "Le dimanche, on les entendait jusqu'au terril.",
    "consent": {"publication": True, "archive": True},
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
@body_limit(_submission_limit, check=link_first)
def submit_invited(
    code: str,
    data: Annotated[str, Form(json_schema_extra=_data_part)],
    database: DatabaseDep,
    blobs: BlobsDep,
    jobs: JobsDep,
    settings: SettingsDep,
    base: PublicBaseDep,
    recording: Annotated[UploadFile | None, File(**_part("recording"))] = None,
    audio: Annotated[UploadFile | None, File(**_part("audio"))] = None,
    transcript: Annotated[UploadFile | None, File(**_part("transcript"))] = None,
    consent_form: Annotated[UploadFile | None, File(**_part("consent_form"))] = None,
    photo: Annotated[UploadFile | None, File(**_part("photo"))] = None,
) -> InvitedReceipt:
    """A resident submits a story with its consent in one request; editors then review it."""
    # The link was checked (by link_first) before any of the body was read.
    parsed = invitations.parse_data(data)
    if recording is not None and audio is not None:
        raise invalid("audio", None, msg("send the recording once, as the recording part"))
    sent = recording or audio
    files = invitations.Files(
        audio=(sent.file, sent.filename or "recording", sent.content_type) if sent else None,
        transcript=transcript.file if transcript is not None else None,
        consent_form=consent_form.file if consent_form is not None else None,
        photo=photo.file if photo is not None else None,
    )
    done = invitations.submit(
        database, blobs, settings.media_limits(), code, parsed, files, queue=jobs.ingest
    )
    return InvitedReceipt(
        contribution_id=done.story_id,
        consent_id=done.consent_id,
        status="submitted",
        withdrawal_code=done.withdrawal_code,
        withdrawal_url=resident_withdrawals.withdrawal_url(base, done.withdrawal_code),
    )


router = APIRouter()
router.include_router(org_router)
router.include_router(public_router)
