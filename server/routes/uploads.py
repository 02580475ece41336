"""Resumable uploads with the tus 1.0.0 protocol (creation, termination, checksum, expiration).

Any tus client works (for instance tus-js-client in the studio): create with ``POST``
and ``Upload-Length``, send bytes with ``PATCH`` at ``Upload-Offset``, ask where it stands
with ``HEAD``. Metadata keys: ``filename``, ``filetype``, ``role`` (voice or immersive) and
``sha256`` (hex, of the whole file: checked when the last byte arrives).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from server.auth.access import Member
from server.bodylimits import body_limit, upload_limit
from server.db.models import Role
from server.deps import (
    BlobsDep,
    ContributorDep,
    DatabaseDep,
    JobsDep,
    SessionDep,
    SettingsDep,
)
from server.errors import UnsupportedContentType
from server.problems import ORG_PROBLEMS
from server.schemas.assets import UploadPublic
from server.uploads import (
    OpenUploadCaps,
    Owner,
    cancel_upload,
    create_upload,
    find_upload,
    finish_upload,
    parse_metadata,
    receive_chunk,
)
from trails.messages import msg

router = APIRouter(prefix="/v1/orgs/{org}/uploads", tags=["uploads"])
TUS_VERSION = "1.0.0"
TUS_HEADERS = {"Tus-Resumable": TUS_VERSION, "Cache-Control": "no-store"}


def tus_discovery(max_bytes: int) -> Response:
    """The answer to a tus OPTIONS request: what this server's uploads support."""
    return Response(
        status_code=204,
        headers={
            **TUS_HEADERS,
            "Tus-Version": TUS_VERSION,
            "Tus-Extension": "creation,termination,checksum,expiration",
            "Tus-Checksum-Algorithm": "sha256",
            "Tus-Max-Size": str(max_bytes),
        },
    )


UPLOAD_PROBLEMS: dict[int | str, dict[str, Any]] = {
    **ORG_PROBLEMS,
    413: {"description": "Larger than the upload limit"},
    415: {"description": "Not audio, or a PATCH without application/offset+octet-stream"},
    429: {"description": "Too many unfinished uploads, or too many bytes declared by them"},
    460: {"description": "Checksum mismatch"},
}


def _owner(member: Member) -> Owner:
    return Owner(member.organisation.id, member.user.id)


@router.options("", status_code=204)
def describe(
    settings: SettingsDep,
    org: Annotated[str, Path(description="The organisation's slug (not checked here).")],
) -> Response:
    """What this tus server supports."""
    return tus_discovery(settings.max_upload_bytes)


@router.post("", status_code=201, response_class=Response, responses=UPLOAD_PROBLEMS)
def create(
    request: Request,
    member: ContributorDep,
    session: SessionDep,
    settings: SettingsDep,
    upload_length: Annotated[int, Header(ge=0, description="Total bytes of the file.")],
    upload_metadata: Annotated[str | None, Header()] = None,
) -> Response:
    """Start a resumable upload; the ``Location`` header is where to send its bytes."""
    upload = create_upload(
        session,
        owner=_owner(member),
        length=upload_length,
        metadata=parse_metadata(upload_metadata),
        limits=settings.media_limits(),
        ttl_s=settings.upload_ttl_s,
        caps=OpenUploadCaps(settings.max_open_uploads, settings.max_open_upload_bytes),
    )
    return Response(
        status_code=201,
        headers={
            **TUS_HEADERS,
            "Location": str(
                request.url_for("upload_status", org=member.organisation.slug, upload_id=upload.id)
            ),
            "Upload-Expires": upload.expires_at.strftime("%a, %d %b %Y %H:%M:%S GMT"),
        },
    )


@router.head("/{upload_id}", status_code=200, response_class=Response, responses=ORG_PROBLEMS)
def offset(upload_id: str, member: ContributorDep, session: SessionDep) -> Response:
    """Where the upload stands (``Upload-Offset``), to resume after a dropped connection."""
    upload = find_upload(session, _owner(member), upload_id)
    return Response(
        status_code=200,
        headers={
            **TUS_HEADERS,
            "Upload-Offset": str(upload.offset),
            "Upload-Length": str(upload.length),
        },
    )


@router.get(
    "/{upload_id}", name="upload_status", response_model=UploadPublic, responses=ORG_PROBLEMS
)
def status(upload_id: str, member: ContributorDep, session: SessionDep) -> UploadPublic:
    """The upload as JSON, with the asset it became once complete."""
    return UploadPublic.of(find_upload(session, _owner(member), upload_id))


@router.patch("/{upload_id}", status_code=204, responses=UPLOAD_PROBLEMS)
@body_limit(upload_limit(0))
async def append(
    upload_id: str,
    request: Request,
    member: ContributorDep,
    session: SessionDep,
    database: DatabaseDep,
    blobs: BlobsDep,
    jobs: JobsDep,
    settings: SettingsDep,
    upload_offset: Annotated[int, Header(ge=0)],
    content_type: Annotated[str | None, Header()] = None,
    upload_checksum: Annotated[str | None, Header()] = None,
) -> Response:
    """Send bytes at ``Upload-Offset``; the last chunk turns the upload into an asset."""
    if (content_type or "").split(";")[0].strip() != "application/offset+octet-stream":
        raise UnsupportedContentType(
            msg(
                "send chunks as application/offset+octet-stream, not {value}",
                value=content_type or "nothing",
            )
        )
    scratch = settings.upload_dir
    upload = await run_in_threadpool(find_upload, session, _owner(member), upload_id)
    new_offset = await receive_chunk(
        database, blobs, scratch, upload, upload_offset, request.stream(), upload_checksum
    )
    headers = {**TUS_HEADERS, "Upload-Offset": str(new_offset)}
    if new_offset == upload.length:
        # Whichever replica stores the last byte finishes; a finish cut short (its replica
        # died) is tried again by an empty PATCH at the upload's length.
        asset = await run_in_threadpool(
            finish_upload,
            session,
            database,
            blobs,
            scratch,
            upload,
            limits=settings.media_limits(),
            queue=jobs.ingest,
            sees_all=member.at_least(Role.editor),
        )
        headers["Baladeur-Asset-Id"] = str(asset.id)
    return Response(status_code=204, headers=headers)


@router.delete("/{upload_id}", status_code=204, responses=ORG_PROBLEMS)
def terminate(
    upload_id: str, member: ContributorDep, session: SessionDep, blobs: BlobsDep
) -> Response:
    """Abandon an upload; its bytes are deleted."""
    cancel_upload(session, blobs, find_upload(session, _owner(member), upload_id))
    return Response(status_code=204, headers=TUS_HEADERS)
