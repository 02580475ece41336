"""Sound objects of a draft trail (editors)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from server import drafts, sound_objects
from server.audit import record
from server.db.models import SoundObject
from server.deps import ContributorDep, EditorDep, IfMatch, SessionDep
from server.etags import etag_of, require_match
from server.problems import ORG_PROBLEMS
from server.schemas.objects import SoundObjectCreate, SoundObjectDraft, SoundObjectUpdate
from server.schemas.pages import Page, PageDep

router = APIRouter(prefix="/v1/orgs/{org}/trails/{trail_id}/objects", tags=["sound objects"])


def _public(row: SoundObject, response: Response) -> SoundObjectDraft:
    body = SoundObjectDraft.of(row)
    response.headers["ETag"] = body.etag
    return body


@router.get("", response_model=Page[SoundObjectDraft], responses=ORG_PROBLEMS)
def list_objects(
    trail_id: int, member: ContributorDep, session: SessionDep, page: PageDep
) -> Page[SoundObjectDraft]:
    """The trail's sound objects in order."""
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    rows = list(trail.objects)
    chosen = rows[page.offset : page.offset + page.limit]
    return Page[SoundObjectDraft](
        items=[SoundObjectDraft.of(o) for o in chosen],
        total=len(rows),
        limit=page.limit,
        offset=page.offset,
    )


@router.post("", status_code=201, response_model=SoundObjectDraft, responses=ORG_PROBLEMS)
def add_object(
    trail_id: int,
    body: SoundObjectCreate,
    member: EditorDep,
    session: SessionDep,
    response: Response,
) -> SoundObjectDraft:
    """Add a sound object (after the others); its limits are the source format's."""
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    row = sound_objects.add_object(session, trail, body)
    record(session, trail.organisation_id, member.user, "object.create", "object", row.id)
    return _public(row, response)


@router.get("/{object_id}", response_model=SoundObjectDraft, responses=ORG_PROBLEMS)
def get_object(
    trail_id: int, object_id: int, member: ContributorDep, session: SessionDep, response: Response
) -> SoundObjectDraft:
    """One sound object."""
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    return _public(sound_objects.object_in(trail, object_id), response)


@router.patch("/{object_id}", response_model=SoundObjectDraft, responses=ORG_PROBLEMS)
def update_object(
    trail_id: int,
    object_id: int,
    body: SoundObjectUpdate,
    member: EditorDep,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> SoundObjectDraft:
    """Change a sound object; the object as changed is checked whole."""
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    row = sound_objects.object_in(trail, object_id)
    require_match(if_match, etag_of("object", row))
    sound_objects.update_object(session, trail, row, body)
    record(session, trail.organisation_id, member.user, "object.update", "object", row.id)
    return _public(row, response)


@router.delete("/{object_id}", status_code=204, responses=ORG_PROBLEMS)
def delete_object(
    trail_id: int,
    object_id: int,
    member: EditorDep,
    session: SessionDep,
    if_match: IfMatch = None,
) -> Response:
    """Remove a sound object from the trail (its audio stays in the library)."""
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    row = sound_objects.object_in(trail, object_id)
    require_match(if_match, etag_of("object", row))
    sound_objects.remove_object(session, trail, row)
    record(session, trail.organisation_id, member.user, "object.delete", "object", object_id)
    return Response(status_code=204)
