"""Draft trails of an organisation: list, create, edit, duplicate, delete (editors)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy import or_, select

from server import drafts
from server.audit import record
from server.bodylimits import DOCUMENT_LIMIT, body_limit
from server.db.models import Trail
from server.deps import AccessCodesDep, ContributorDep, EditorDep, IfMatch, SessionDep
from server.etags import etag_of, require_match
from server.listing import paginate
from server.problems import ORG_PROBLEMS
from server.schemas.drafts import TrailCreate, TrailDraft, TrailDuplicate, TrailUpdate
from server.schemas.pages import Page, PageDep

router = APIRouter(prefix="/v1/orgs/{org}/trails", tags=["trails (authoring)"])


def _public(trail: Trail, response: Response) -> TrailDraft:
    body = TrailDraft.of(trail)
    response.headers["ETag"] = body.etag
    return body


@router.get("", response_model=Page[TrailDraft], responses=ORG_PROBLEMS)
def list_trails(
    member: ContributorDep,
    session: SessionDep,
    page: PageDep,
    q: Annotated[str | None, Query(max_length=100, description="Text in the address.")] = None,
    published: Annotated[
        bool | None, Query(description="Only trails with a live release (or without).")
    ] = None,
) -> Page[TrailDraft]:
    """The organisation's trails (contributors may look, editors may change)."""
    query = (
        select(Trail).where(Trail.organisation_id == member.organisation.id).order_by(Trail.slug)
    )
    if q:
        query = query.where(or_(Trail.slug.contains(q.lower(), autoescape=True)))
    if published is not None:
        has = Trail.current_release_id.is_not(None)
        query = query.where(has if published else ~has)
    return paginate(session, query, page, TrailDraft.of)


@router.post("", status_code=201, response_model=TrailDraft, responses=ORG_PROBLEMS)
@body_limit(DOCUMENT_LIMIT)
def create_trail(
    body: TrailCreate,
    member: EditorDep,
    session: SessionDep,
    response: Response,
    codes: AccessCodesDep,
) -> TrailDraft:
    """Create an empty draft trail."""
    trail = drafts.create_trail(session, member.organisation.id, body, codes)
    record(session, trail.organisation_id, member.user, "trail.create", "trail", trail.id)
    return _public(trail, response)


@router.get("/{trail_id}", response_model=TrailDraft, responses=ORG_PROBLEMS)
def get_trail(
    trail_id: int, member: ContributorDep, session: SessionDep, response: Response
) -> TrailDraft:
    """One draft trail."""
    return _public(drafts.trail_in(session, member.organisation.id, trail_id), response)


@router.patch("/{trail_id}", response_model=TrailDraft, responses=ORG_PROBLEMS)
@body_limit(DOCUMENT_LIMIT)
def update_trail(
    trail_id: int,
    body: TrailUpdate,
    member: EditorDep,
    session: SessionDep,
    response: Response,
    codes: AccessCodesDep,
    if_match: IfMatch = None,
) -> TrailDraft:
    """Change a draft trail; visitors see it only when it is published again."""
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    require_match(if_match, etag_of("trail", trail))
    drafts.update_trail(trail, body, codes)
    session.flush()
    record(session, trail.organisation_id, member.user, "trail.update", "trail", trail.id)
    return _public(trail, response)


@router.delete("/{trail_id}", status_code=204, responses=ORG_PROBLEMS)
def delete_trail(
    trail_id: int, member: EditorDep, session: SessionDep, if_match: IfMatch = None
) -> Response:
    """Delete a trail and its releases (visitors who downloaded it keep their copy)."""
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    require_match(if_match, etag_of("trail", trail))
    record(
        session,
        trail.organisation_id,
        member.user,
        "trail.delete",
        "trail",
        trail.id,
        slug=trail.slug,
    )
    trail.current_release_id = None
    session.flush()
    session.delete(trail)
    return Response(status_code=204)


@router.post(
    "/{trail_id}/duplicate", status_code=201, response_model=TrailDraft, responses=ORG_PROBLEMS
)
@body_limit(DOCUMENT_LIMIT)
def duplicate_trail(
    trail_id: int,
    body: TrailDuplicate,
    member: EditorDep,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> TrailDraft:
    """Copy a trail under a new address, for instance as a festival's temporary route.

    The copy has its own stories (sharing the recordings), so editing either trail never
    changes the other. ``If-Match`` is optional: with the trail's ETag, a trail changed since
    it was read is not copied (412). Stories being saved meanwhile are copied as committed.
    """
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    if if_match is not None:
        require_match(if_match, etag_of("trail", trail))
    copy = drafts.duplicate_trail(session, trail, body)
    record(
        session,
        copy.organisation_id,
        member.user,
        "trail.duplicate",
        "trail",
        copy.id,
        source=trail.id,
    )
    return _public(copy, response)
