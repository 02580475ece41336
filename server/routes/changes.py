"""What visitors have now and how the draft differs from it (editors and contributors)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from server import drafts
from server.deps import ContributorDep, SessionDep
from server.draft_changes import ChangeKind, LiveStateName, draft_changes, live_state
from server.draft_source import to_source
from server.problems import ORG_PROBLEMS
from trails.errors import InvalidInput

router = APIRouter(prefix="/v1/orgs/{org}/trails/{trail_id}/changes", tags=["releases"])


class LiveOut(BaseModel):
    """What visitors have now: from the current release, never from the draft."""

    state: LiveStateName = Field(
        description="unpublished, published (open now), scheduled (opens later) or ended."
    )
    release: int | None
    visibility: str | None
    valid_from: datetime | None
    valid_until: datetime | None


class ChangeOut(BaseModel):
    """One difference between the draft and the live release."""

    kind: ChangeKind
    stop: str | None = Field(description="The stop's key, for changes of a stop.")
    fields: list[str] = Field(description="What changed, as the API names the fields.")


class ChangesOut(BaseModel):
    """The live state and how the draft differs from it."""

    live: LiveOut
    differs: bool = Field(description="Whether publishing now would change what visitors get.")
    changes: list[ChangeOut]


@router.get("", response_model=ChangesOut, responses=ORG_PROBLEMS)
def list_changes(trail_id: int, member: ContributorDep, session: SessionDep) -> ChangesOut:
    """The live release's state and what the draft changes; publishing applies them all.

    Dates and visibility are part of the signed release: edits to them apply when the trail
    is published again.
    """
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    live = live_state(trail)
    out = LiveOut(**live.__dict__)
    if live.release is None:
        return ChangesOut(live=out, differs=bool(trail.stops), changes=[])
    try:
        source = to_source(session, trail)
    except InvalidInput:
        # A draft the source format refuses cannot be published as it is; the checks say why.
        return ChangesOut(live=out, differs=True, changes=[])
    found = draft_changes(trail, source)
    return ChangesOut(
        live=out,
        differs=bool(found),
        changes=[ChangeOut(kind=c.kind, stop=c.stop, fields=c.fields) for c in found],
    )
