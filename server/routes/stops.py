"""Stops of a draft trail (editors)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from server import drafts
from server.audit import record
from server.db.models import Stop
from server.deps import ContributorDep, EditorDep, IfMatch, SessionDep
from server.etags import etag_of, require_match
from server.problems import ORG_PROBLEMS
from server.schemas.drafts import StopCreate, StopDraft, StopUpdate
from server.schemas.pages import Page, PageDep

router = APIRouter(prefix="/v1/orgs/{org}/trails/{trail_id}/stops", tags=["stops"])


def _public(stop: Stop, response: Response) -> StopDraft:
    body = StopDraft.of(stop)
    response.headers["ETag"] = body.etag
    return body


@router.get("", response_model=Page[StopDraft], responses=ORG_PROBLEMS)
def list_stops(
    trail_id: int, member: ContributorDep, session: SessionDep, page: PageDep
) -> Page[StopDraft]:
    """The trail's stops in order."""
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    stops = sorted(trail.stops, key=lambda s: s.position)
    chosen = stops[page.offset : page.offset + page.limit]
    return Page[StopDraft](
        items=[StopDraft.of(s) for s in chosen],
        total=len(stops),
        limit=page.limit,
        offset=page.offset,
    )


@router.post("", status_code=201, response_model=StopDraft, responses=ORG_PROBLEMS)
def add_stop(
    trail_id: int, body: StopCreate, member: EditorDep, session: SessionDep, response: Response
) -> StopDraft:
    """Add a stop (default last in the order)."""
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    stop = drafts.add_stop(session, trail, body)
    record(session, trail.organisation_id, member.user, "stop.create", "stop", stop.id)
    return _public(stop, response)


@router.get("/{stop_id}", response_model=StopDraft, responses=ORG_PROBLEMS)
def get_stop(
    trail_id: int, stop_id: int, member: ContributorDep, session: SessionDep, response: Response
) -> StopDraft:
    """One stop."""
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    return _public(drafts.stop_in(trail, stop_id), response)


@router.patch("/{stop_id}", response_model=StopDraft, responses=ORG_PROBLEMS)
def update_stop(
    trail_id: int,
    stop_id: int,
    body: StopUpdate,
    member: EditorDep,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> StopDraft:
    """Change a stop: title, zone, rules, story or place in the order."""
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    stop = drafts.stop_in(trail, stop_id)
    require_match(if_match, etag_of("stop", stop))
    drafts.update_stop(session, trail, stop, body)
    record(session, trail.organisation_id, member.user, "stop.update", "stop", stop.id)
    return _public(stop, response)


@router.delete("/{stop_id}", status_code=204, responses=ORG_PROBLEMS)
def delete_stop(
    trail_id: int,
    stop_id: int,
    member: EditorDep,
    session: SessionDep,
    if_match: IfMatch = None,
) -> Response:
    """Remove a stop from the trail (its story stays in the library)."""
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    stop = drafts.stop_in(trail, stop_id)
    require_match(if_match, etag_of("stop", stop))
    drafts.remove_stop(session, trail, stop)
    record(session, trail.organisation_id, member.user, "stop.delete", "stop", stop_id)
    return Response(status_code=204)
