"""Resumable (tus 1.0.0) uploads for residents, authorised by their invitation link's code.

The same machinery as members' uploads (:mod:`server.uploads`): pieces in the blob store,
the offset moved by compare-and-set, the whole file checked when the last byte arrives.
An upload belongs to its invitation only (another code does not find it), works while the
link does, and its finished recording is named in a submission by ``recording_upload``.
No cookie is used, so no CSRF header is needed.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from media.errors import RejectedMedia
from server import invitations
from server.bodylimits import body_limit, upload_limit
from server.deps import BlobsDep, DatabaseDep, JobsDep, SessionDep, SettingsDep
from server.errors import UnsupportedContentType
from server.routes.invitations import PUBLIC_PROBLEMS, RECORDING_TYPES, link_first
from server.routes.uploads import TUS_HEADERS, tus_discovery
from server.schemas.problem import Problem
from server.uploads import (
    Owner,
    cancel_upload,
    create_upload,
    find_upload,
    finish_upload,
    parse_metadata,
    receive_chunk,
)
from trails.messages import msg

router = APIRouter(prefix="/v1/invitations/{code}/uploads", tags=["invitations"])
PROBLEMS: dict[int | str, dict[str, Any]] = {
    **PUBLIC_PROBLEMS,
    409: {
        "model": Problem,
        "description": "Not at this offset, or another request sent these bytes first",
    },
    460: {"model": Problem, "description": "Checksum mismatch"},
}


def _owner(session: Session, code: str) -> Owner:
    """The uploads of a usable link: 404 for an unknown code, 410 for a dead link."""
    row = invitations.usable(session, code)
    return Owner(row.organisation_id, invitation_id=row.id)


def _audio_declared(filetype: str | None) -> None:
    """Refuse at creation a file its sender declares to be something other than a recording."""
    if filetype is None:
        return
    media_type = filetype.split(";")[0].strip().lower()
    if media_type and not media_type.startswith("audio/") and media_type not in RECORDING_TYPES:
        raise RejectedMedia(
            msg(
                "a recording is needed ({value}), not {media_type}",
                value=", ".join(RECORDING_TYPES),
                media_type=media_type,
            ),
            reason="not_audio",
        )


@router.options("", status_code=204)
def describe(code: str, settings: SettingsDep) -> Response:
    """What this tus server supports."""
    return tus_discovery(settings.max_upload_bytes)


@router.post("", status_code=201, response_class=Response, responses=PROBLEMS)
def create(
    code: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    upload_length: Annotated[int, Header(ge=0, description="Total bytes of the file.")],
    upload_metadata: Annotated[str | None, Header()] = None,
) -> Response:
    """Start a resident's resumable upload; ``Location`` is where to send its bytes."""
    owner = _owner(session, code)
    metadata = parse_metadata(upload_metadata)
    _audio_declared(metadata.get("filetype"))
    upload = create_upload(
        session,
        owner=owner,
        length=upload_length,
        metadata={k: v for k, v in metadata.items() if k != "role"},
        limits=settings.media_limits(),
        ttl_s=settings.upload_ttl_s,
    )
    return Response(
        status_code=201,
        headers={
            **TUS_HEADERS,
            "Location": str(
                request.url_for("invitation_upload_offset", code=code, upload_id=upload.id)
            ),
            "Upload-Expires": upload.expires_at.strftime("%a, %d %b %Y %H:%M:%S GMT"),
        },
    )


@router.head(
    "/{upload_id}",
    name="invitation_upload_offset",
    status_code=200,
    response_class=Response,
    responses=PROBLEMS,
)
def offset(code: str, upload_id: str, session: SessionDep) -> Response:
    """Where the upload stands (``Upload-Offset``), to resume after a dropped connection."""
    upload = find_upload(session, _owner(session, code), upload_id)
    return Response(
        status_code=200,
        headers={
            **TUS_HEADERS,
            "Upload-Offset": str(upload.offset),
            "Upload-Length": str(upload.length),
        },
    )


@router.patch("/{upload_id}", status_code=204, responses=PROBLEMS)
@body_limit(upload_limit(0), check=link_first)
async def append(
    code: str,
    upload_id: str,
    request: Request,
    session: SessionDep,
    database: DatabaseDep,
    blobs: BlobsDep,
    jobs: JobsDep,
    settings: SettingsDep,
    upload_offset: Annotated[int, Header(ge=0)],
    content_type: Annotated[str | None, Header()] = None,
    upload_checksum: Annotated[str | None, Header()] = None,
) -> Response:
    """Send bytes at ``Upload-Offset``; the last chunk checks the whole recording."""
    if (content_type or "").split(";")[0].strip() != "application/offset+octet-stream":
        raise UnsupportedContentType(
            msg(
                "send chunks as application/offset+octet-stream, not {value}",
                value=content_type or "nothing",
            )
        )
    owner = await run_in_threadpool(_owner, session, code)
    upload = await run_in_threadpool(find_upload, session, owner, upload_id)
    scratch = settings.upload_dir
    new_offset = await receive_chunk(
        database, blobs, scratch, upload, upload_offset, request.stream(), upload_checksum
    )
    headers = {**TUS_HEADERS, "Upload-Offset": str(new_offset)}
    if new_offset == upload.length:
        await run_in_threadpool(
            finish_upload,
            session,
            database,
            blobs,
            scratch,
            upload,
            limits=settings.media_limits(),
            queue=jobs.ingest,
        )
    return Response(status_code=204, headers=headers)


@router.delete("/{upload_id}", status_code=204, responses=PROBLEMS)
def terminate(code: str, upload_id: str, session: SessionDep, blobs: BlobsDep) -> Response:
    """Abandon an upload; its bytes are deleted."""
    cancel_upload(session, blobs, find_upload(session, _owner(session, code), upload_id))
    return Response(status_code=204, headers=TUS_HEADERS)
