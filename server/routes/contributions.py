"""Contributions: stories members submit for review with a consent; editors review them."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Response
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from server import consents, stories
from server.audit import record
from server.auth.access import Member
from server.bodylimits import DOCUMENT_LIMIT, body_limit
from server.db.models import Role, Story, StoryStatus
from server.deps import ContributorDep, EditorDep, IfMatch, SessionDep
from server.etags import etag_of, require_match
from server.listing import paginate
from server.placements import placements_of
from server.problems import ORG_PROBLEMS
from server.schemas.contributions import (
    Approval,
    ContributionCreate,
    ContributionPublic,
    Rejection,
)
from server.schemas.pages import Page, PageDep
from server.schemas.stories import StoryCreate
from trails.errors import NotFound
from trails.messages import msg

router = APIRouter(prefix="/v1/orgs/{org}/contributions", tags=["contributions"])

_IS_CONTRIBUTION = or_(Story.submitted_by_id.is_not(None), Story.invitation_id.is_not(None))


def _visible(member: Member) -> ColumnElement[bool]:
    """Contributors see only their own contributions; editors see all."""
    if member.at_least(Role.editor):
        return _IS_CONTRIBUTION
    return Story.submitted_by_id == member.user.id


def _public(session: Session, story: Story, response: Response | None) -> ContributionPublic:
    body = ContributionPublic.build(
        story, consents.consents_of(session, story.id), placements_of(session, story)
    )
    if response is not None:
        response.headers["ETag"] = body.etag
    return body


def _contribution(session: Session, member: Member, story_id: int) -> Story:
    story = session.scalar(
        select(Story).where(
            Story.id == story_id,
            Story.organisation_id == member.organisation.id,
            _visible(member),
        )
    )
    if story is None:
        raise NotFound(msg("no contribution {story_id} in this organisation", story_id=story_id))
    return story


@router.get("", response_model=Page[ContributionPublic], responses=ORG_PROBLEMS)
def list_contributions(
    member: ContributorDep,
    session: SessionDep,
    page: PageDep,
    status: Annotated[Literal["submitted", "approved", "rejected"] | None, Query()] = None,
) -> Page[ContributionPublic]:
    """Contributions: a contributor's own, or every one for editors; newest first."""
    query = select(Story).where(
        Story.organisation_id == member.organisation.id,
        _visible(member),
    )
    if status is not None:
        query = query.where(Story.status == StoryStatus(status))
    return paginate(
        session, query.order_by(Story.id.desc()), page, lambda s: _public(session, s, None)
    )


@router.post("", status_code=201, response_model=ContributionPublic, responses=ORG_PROBLEMS)
@body_limit(DOCUMENT_LIMIT)
def submit_contribution(
    body: ContributionCreate,
    member: ContributorDep,
    session: SessionDep,
    response: Response,
) -> ContributionPublic:
    """Submit a story for review together with its contributor's consent."""
    story_fields = StoryCreate.model_validate(
        body.model_dump(include=set(StoryCreate.model_fields), exclude_unset=True)
    )
    story = stories.create_story(
        session,
        member.organisation.id,
        story_fields,
        status=StoryStatus.submitted,
        submitted_by=member.user,
        contributor_name=body.contributor_name or member.user.display_name or None,
        own_assets_only=not member.at_least(Role.editor),
    )
    # A contributor names only their own uploads; an editor, any of the organisation's.
    consent = consents.record_consent(
        session,
        story,
        recorded_by=member.user,
        uploader_id=None if member.at_least(Role.editor) else member.user.id,
        **body.consent.model_dump(),
    )
    record(
        session,
        story.organisation_id,
        member.user,
        "contribution.submit",
        "story",
        story.id,
        consent=consent.id,
    )
    return _public(session, story, response)


@router.get("/{story_id}", response_model=ContributionPublic, responses=ORG_PROBLEMS)
def get_contribution(
    story_id: int, member: ContributorDep, session: SessionDep, response: Response
) -> ContributionPublic:
    """One contribution (a contributor may read only their own)."""
    return _public(session, _contribution(session, member, story_id), response)


@router.post("/{story_id}/approve", response_model=ContributionPublic, responses=ORG_PROBLEMS)
def approve_contribution(
    story_id: int,
    member: EditorDep,
    session: SessionDep,
    response: Response,
    body: Annotated[Approval | None, Body()] = None,
    if_match: IfMatch = None,
) -> ContributionPublic:
    """Approve a contribution: it can then be placed in trails."""
    story = _contribution(session, member, story_id)
    require_match(if_match, etag_of("story", story))
    note = body.note if body is not None else None
    stories.review(session, story, member.user, approve=True, reason=note)
    record(session, story.organisation_id, member.user, "contribution.approve", "story", story.id)
    return _public(session, story, response)


@router.post("/{story_id}/reject", response_model=ContributionPublic, responses=ORG_PROBLEMS)
def reject_contribution(
    story_id: int,
    body: Rejection,
    member: EditorDep,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> ContributionPublic:
    """Reject a contribution, saying why (the contributor reads the reason)."""
    story = _contribution(session, member, story_id)
    require_match(if_match, etag_of("story", story))
    stories.review(session, story, member.user, approve=False, reason=body.reason)
    record(session, story.organisation_id, member.user, "contribution.reject", "story", story.id)
    return _public(session, story, response)
