"""Offline renders of an author's simulated walk ("Listen to the walk" in the studio)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response

from server import drafts
from server.audit import record
from server.bodylimits import DOCUMENT_LIMIT, body_limit
from server.db.models import RenderStatus
from server.deps import BlobsDep, EditorDep, JobsDep, SessionDep, SettingsDep
from server.problems import ORG_PROBLEMS
from server.ranges import file_responses, serve_bytes
from server.renders import FORMATS, WalkRequest, audio_key, render_in, request_render
from server.schemas.renders import RenderCreate, RenderPublic
from trails.errors import Conflict
from trails.messages import msg

router = APIRouter(prefix="/v1/orgs/{org}/trails/{trail_id}/renders", tags=["renders"])


def _path(org: str, trail_id: int, render_id: str) -> str:
    return f"/v1/orgs/{org}/trails/{trail_id}/renders/{render_id}"


@router.post("", status_code=202, response_model=RenderPublic, responses=ORG_PROBLEMS)
@body_limit(DOCUMENT_LIMIT)
def create_render(
    trail_id: int,
    body: RenderCreate,
    member: EditorDep,
    session: SessionDep,
    settings: SettingsDep,
    blobs: BlobsDep,
    jobs: JobsDep,
    response: Response,
) -> RenderPublic:
    """Mix a simulated walk through the draft as it is now; poll ``Location`` until done.

    The walk is the author's (drawn or read from GPX in the studio), never a visitor's.
    Each new render deletes the oldest of the trail beyond the kept few.
    """
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    walk = WalkRequest(
        fixes=[(f.t, f.lat, f.lon, f.accuracy_m) for f in body.fixes],
        started_at=body.started_at or datetime.now(UTC),
        binaural=body.binaural,
        format=body.format,
        language=body.language,
    )
    row = request_render(
        session,
        trail,
        walk,
        requested_by=member.user.email,
        limits=settings.render_limits(),
        blobs=blobs,
        queue=jobs.render,
    )
    record(
        session,
        trail.organisation_id,
        member.user,
        "render.create",
        "trail",
        trail.id,
        render=row.id,
    )
    path = _path(member.organisation.slug, trail_id, row.id)
    response.headers["Location"] = path
    return RenderPublic.of(row, path)


@router.get("/{render_id}", response_model=RenderPublic, responses=ORG_PROBLEMS)
def get_render(
    trail_id: int, render_id: str, member: EditorDep, session: SessionDep
) -> RenderPublic:
    """A render: ``queued``, ``running``, ``done`` (``audio_url``) or ``failed`` (why)."""
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    row = render_in(session, trail, render_id)
    return RenderPublic.of(row, _path(member.organisation.slug, trail_id, row.id))


@router.get(
    "/{render_id}/audio",
    response_class=Response,
    responses={**ORG_PROBLEMS, **file_responses(*(f.media_type for f in FORMATS.values()))},
)
@router.head("/{render_id}/audio", include_in_schema=False)
def render_audio(
    trail_id: int,
    render_id: str,
    request: Request,
    member: EditorDep,
    session: SessionDep,
    blobs: BlobsDep,
) -> Response:
    """The rendered file (byte ranges allowed; the ETag is its sha256)."""
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    row = render_in(session, trail, render_id)
    if row.status != RenderStatus.done or row.sha256 is None or row.bytes is None:
        if row.status == RenderStatus.failed:
            raise Conflict(msg("the render failed: there is no file to play"))
        raise Conflict(msg("the render is not done yet: ask again in a moment"))
    form = FORMATS[row.format]
    return serve_bytes(
        request,
        blobs=blobs,
        key=audio_key(row),
        size=row.bytes,
        etag=row.sha256,
        content_type=form.media_type,
        cache_control="private, max-age=3600",
        filename=f"{trail.slug}-walk{form.extension}",
    )
