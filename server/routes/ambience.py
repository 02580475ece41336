"""Ambience layers of a draft trail (editors)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from server import ambience, drafts
from server.audit import record
from server.db.models import AmbientLayer
from server.deps import ContributorDep, EditorDep, IfMatch, SessionDep
from server.etags import require_match
from server.problems import ORG_PROBLEMS
from server.schemas.ambience import AmbienceCreate, AmbienceDraft, AmbienceUpdate
from server.schemas.pages import Page, PageDep

router = APIRouter(prefix="/v1/orgs/{org}/trails/{trail_id}/ambience", tags=["ambience"])


def _public(row: AmbientLayer, response: Response) -> AmbienceDraft:
    body = AmbienceDraft.of(row)
    response.headers["ETag"] = body.etag
    return body


@router.get("", response_model=Page[AmbienceDraft], responses=ORG_PROBLEMS)
def list_layers(
    trail_id: int, member: ContributorDep, session: SessionDep, page: PageDep
) -> Page[AmbienceDraft]:
    """The trail's ambience layers (by key, the order bundles list them in)."""
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    rows = list(trail.ambience)
    chosen = rows[page.offset : page.offset + page.limit]
    return Page[AmbienceDraft](
        items=[AmbienceDraft.of(row) for row in chosen],
        total=len(rows),
        limit=page.limit,
        offset=page.offset,
    )


@router.post("", status_code=201, response_model=AmbienceDraft, responses=ORG_PROBLEMS)
def add_layer(
    trail_id: int,
    body: AmbienceCreate,
    member: EditorDep,
    session: SessionDep,
    response: Response,
) -> AmbienceDraft:
    """Add an ambience layer; its limits are the source format's, its area may be the trail."""
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    row = ambience.add_layer(session, trail, body)
    record(session, trail.organisation_id, member.user, "ambience.create", "ambience", row.id)
    return _public(row, response)


@router.get("/{layer_id}", response_model=AmbienceDraft, responses=ORG_PROBLEMS)
def get_layer(
    trail_id: int, layer_id: int, member: ContributorDep, session: SessionDep, response: Response
) -> AmbienceDraft:
    """One ambience layer."""
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    return _public(ambience.layer_in(trail, layer_id), response)


@router.patch("/{layer_id}", response_model=AmbienceDraft, responses=ORG_PROBLEMS)
def update_layer(
    trail_id: int,
    layer_id: int,
    body: AmbienceUpdate,
    member: EditorDep,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> AmbienceDraft:
    """Change an ambience layer; the layer as changed is checked whole."""
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    row = ambience.layer_in(trail, layer_id)
    require_match(if_match, AmbienceDraft.of(row).etag)
    ambience.update_layer(session, trail, row, body)
    record(session, trail.organisation_id, member.user, "ambience.update", "ambience", row.id)
    return _public(row, response)


@router.delete("/{layer_id}", status_code=204, responses=ORG_PROBLEMS)
def delete_layer(
    trail_id: int,
    layer_id: int,
    member: EditorDep,
    session: SessionDep,
    if_match: IfMatch = None,
) -> Response:
    """Remove an ambience layer from the trail (its audio stays in the library)."""
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    row = ambience.layer_in(trail, layer_id)
    require_match(if_match, AmbienceDraft.of(row).etag)
    ambience.remove_layer(session, trail, row)
    record(session, trail.organisation_id, member.user, "ambience.delete", "ambience", layer_id)
    return Response(status_code=204)
