"""A draft trail's cover image: set, look at, remove (editors change, contributors look)."""

from __future__ import annotations

from fastapi import APIRouter, Response, UploadFile

from media.blobs import BlobNotFound
from media.ingest import staged_upload
from media.limits import MediaLimits
from server import covers, drafts
from server.audit import record
from server.bodylimits import EDITOR_FIRST, MULTIPART_SLACK, body_limit
from server.deps import BlobsDep, ContributorDep, EditorDep, IfMatch, SessionDep
from server.etags import etag_of, require_match
from server.problems import ORG_FILE_PROBLEMS, ORG_PROBLEMS
from server.schemas.drafts import TrailDraft
from trails.errors import NotFound
from trails.messages import msg

router = APIRouter(prefix="/v1/orgs/{org}/trails/{trail_id}/cover", tags=["trails (authoring)"])


def _public(draft: TrailDraft, response: Response) -> TrailDraft:
    response.headers["ETag"] = draft.etag
    return draft


@router.get(
    "",
    response_class=Response,
    responses={**ORG_PROBLEMS, 200: {"content": {covers.MIME_TYPE: {}}}},
)
def get_cover(
    trail_id: int, member: ContributorDep, session: SessionDep, blobs: BlobsDep
) -> Response:
    """The draft's cover as it will be published (re-encoded, without metadata)."""
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    if trail.cover_sha256 is None:
        raise NotFound(msg("this trail has no cover"))
    try:
        data = covers.read(blobs, trail.cover_sha256)
    except BlobNotFound:
        raise NotFound(msg("this trail's cover is no longer stored; choose it again")) from None
    # Named by content, so a browser may keep it as long as the hash is the same.
    headers = {"ETag": f'"{trail.cover_sha256}"', "Cache-Control": "private, max-age=3600"}
    return Response(data, media_type=covers.MIME_TYPE, headers=headers)


@router.put("", response_model=TrailDraft, responses=ORG_FILE_PROBLEMS)
@body_limit(covers.MAX_BYTES + MULTIPART_SLACK, check=EDITOR_FIRST)
def set_cover(
    trail_id: int,
    file: UploadFile,
    member: EditorDep,
    session: SessionDep,
    blobs: BlobsDep,
    response: Response,
    if_match: IfMatch = None,
) -> TrailDraft:
    """Set the cover (a JPEG, PNG or WebP image); it is stored without metadata, at most 1600 px."""
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    require_match(if_match, etag_of("trail", trail))
    with staged_upload(file.file, limits=MediaLimits(max_bytes=covers.MAX_BYTES)) as staged:
        trail.cover_sha256 = covers.store(blobs, staged.path.read_bytes())
    session.flush()
    record(session, trail.organisation_id, member.user, "trail.cover", "trail", trail.id)
    return _public(TrailDraft.of(trail), response)


@router.delete("", response_model=TrailDraft, responses=ORG_PROBLEMS)
def remove_cover(
    trail_id: int,
    member: EditorDep,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> TrailDraft:
    """Remove the cover; visitors see it gone when the trail is published again."""
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    require_match(if_match, etag_of("trail", trail))
    trail.cover_sha256 = None
    session.flush()
    record(session, trail.organisation_id, member.user, "trail.cover", "trail", trail.id)
    return _public(TrailDraft.of(trail), response)
