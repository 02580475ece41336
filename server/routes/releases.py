"""Releases of a trail: publish (now, after approval, or at a set time), approve, roll back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from server import drafts, releases
from server.audit import record
from server.basemap import BasemapConfig
from server.db.models import Release, ReleaseState
from server.deps import (
    BlobsDep,
    ContributorDep,
    DatabaseDep,
    EditorDep,
    KeyringDep,
    SessionDep,
    SettingsDep,
)
from server.listing import paginate
from server.problems import ORG_PROBLEMS
from server.publishing import publish, release_size_report
from server.schemas.pages import Page, PageDep
from server.schemas.releases import ReleaseCreate, ReleasePublic, StateName

router = APIRouter(prefix="/v1/orgs/{org}/trails/{trail_id}/releases", tags=["releases"])


@router.post("", status_code=201, response_model=ReleasePublic, responses=ORG_PROBLEMS)
def create_release(
    trail_id: int,
    body: ReleaseCreate,
    member: EditorDep,
    session: SessionDep,
    database: DatabaseDep,
    blobs: BlobsDep,
    keyring: KeyringDep,
    settings: SettingsDep,
    response: Response,
) -> ReleasePublic:
    """Publish the draft: build and sign its bundles now; it goes live now, at ``publish_at``,
    or once a second editor approves it if the organisation asks for that.

    A trail with a media file that failed or is still being processed is refused (409),
    every such file listed in ``errors``; nothing is written then.
    """
    organisation = member.organisation
    trail = drafts.trail_in(session, organisation.id, trail_id)
    user = member.user

    def audit(tx: Session, release: Release) -> None:
        record(
            tx,
            organisation.id,
            user,
            "release.create",
            "release",
            release.id,
            trail=trail_id,
            number=release.number,
            state=release.state.value,
        )

    # Built in its own transactions (bundles are stored before the release row commits).
    built = publish(
        database,
        blobs,
        keyring,
        trail.slug,
        publisher=organisation.name,
        organisation_id=organisation.id,
        notes=body.notes,
        publish_at=body.publish_at,
        needs_approval=organisation.requires_second_approval,
        published_by=user.email,
        on_commit=audit,
        basemap=BasemapConfig.from_settings(settings),
    )
    session.expire(trail)
    release = session.get_one(Release, built.id)
    response.headers["Location"] = (
        f"/v1/orgs/{organisation.slug}/trails/{trail_id}/releases/{release.number}"
    )
    size = release_size_report(release, settings.bundle_warning_bytes)
    return ReleasePublic.of(release, trail.current_release_id, size)


@router.get("", response_model=Page[ReleasePublic], responses=ORG_PROBLEMS)
def list_releases(
    trail_id: int,
    member: ContributorDep,
    session: SessionDep,
    page: PageDep,
    state: Annotated[StateName | None, Query(description="Only releases in this state.")] = None,
) -> Page[ReleasePublic]:
    """The trail's releases, newest first."""
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    query = (
        select(Release)
        .where(Release.trail_id == trail.id)
        .order_by(Release.number.desc())
        .options(selectinload(Release.bundles))
    )
    if state is not None:
        query = query.where(Release.state == ReleaseState(state))
    current = trail.current_release_id
    return paginate(session, query, page, lambda r: ReleasePublic.of(r, current))


@router.get("/{number}", response_model=ReleasePublic, responses=ORG_PROBLEMS)
def get_release(
    trail_id: int, number: int, member: ContributorDep, session: SessionDep, settings: SettingsDep
) -> ReleasePublic:
    """One release, with its size report."""
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    release = releases.release_of(session, trail, number)
    size = release_size_report(release, settings.bundle_warning_bytes)
    return ReleasePublic.of(release, trail.current_release_id, size)


@router.post("/{number}/approve", response_model=ReleasePublic, responses=ORG_PROBLEMS)
def approve_release(
    trail_id: int, number: int, member: EditorDep, session: SessionDep
) -> ReleasePublic:
    """A second editor (not the one who published it) approves a waiting release.

    It goes live at once, or at its ``publish_at`` if that is still to come.
    """
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    release = releases.approve(session, trail, number, member.user)
    record(
        session,
        trail.organisation_id,
        member.user,
        "release.approve",
        "release",
        release.id,
        trail=trail.id,
        number=release.number,
        state=release.state.value,
    )
    return ReleasePublic.of(release, trail.current_release_id)


@router.post("/{number}/rollback", response_model=ReleasePublic, responses=ORG_PROBLEMS)
def rollback_release(
    trail_id: int, number: int, member: EditorDep, session: SessionDep
) -> ReleasePublic:
    """Make an earlier release (one that has been live) current again; visitors get it next."""
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    previous = trail.current_release_id
    release = releases.roll_back(session, trail, number)
    record(
        session,
        trail.organisation_id,
        member.user,
        "release.rollback",
        "release",
        release.id,
        trail=trail.id,
        number=release.number,
        replaced=previous,
    )
    return ReleasePublic.of(release, trail.current_release_id)
