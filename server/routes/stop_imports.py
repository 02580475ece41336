"""Stops of a draft trail imported from a GPX, GeoJSON or KML file (editors)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from server import drafts, stop_imports
from server.audit import record
from server.bodylimits import DOCUMENT_LIMIT, body_limit
from server.deps import EditorDep, SessionDep
from server.problems import ORG_PROBLEMS
from server.schemas.accounts import Strict
from server.schemas.drafts import StopCreate, StopDraft

router = APIRouter(prefix="/v1/orgs/{org}/trails/{trail_id}/stops", tags=["stops"])


class StopImport(Strict):
    """A file's name (its extension says the format) and its text."""

    file_name: str = Field(min_length=1, max_length=255, examples=["moulin.gpx"])
    content: Annotated[str, Field(max_length=stop_imports.MAX_FILE_CHARS)] = Field(
        description="The GPX, GeoJSON or KML document, as text."
    )
    preview: bool = Field(
        default=False, description="Only read the file: say which stops it would create."
    )


class StopImportResult(BaseModel):
    """The stops read (``preview``) or created, and what the file held that was not kept."""

    created: bool
    stops: list[StopDraft | StopCreate]
    dropped: list[str]


@router.post("/import", response_model=StopImportResult, responses=ORG_PROBLEMS)
@body_limit(DOCUMENT_LIMIT)
def import_stops(
    trail_id: int, body: StopImport, member: EditorDep, session: SessionDep, response: Response
) -> StopImportResult:
    """Stops from a file's waypoints or points, after the trail's own; with ``preview``, nothing
    is created. A file with no stop, or a place out of range, creates nothing."""
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    stops, dropped = stop_imports.read_stops(trail, body.file_name, body.content)
    if body.preview:
        return StopImportResult(created=False, stops=list(stops), dropped=dropped)
    created = stop_imports.create_stops(session, trail, stops)
    for stop in created:
        record(session, trail.organisation_id, member.user, "stop.create", "stop", stop.id)
    response.status_code = 201
    return StopImportResult(
        created=True, stops=[StopDraft.of(stop) for stop in created], dropped=dropped
    )
