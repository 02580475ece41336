"""The life of a release after it is built: approval, scheduling, going live, rolling back.

States: ``awaiting`` (a second editor must approve), ``scheduled`` (approved or not needing
approval, waiting for ``publish_at``), ``live`` (the trail's current release) and
``superseded`` (was live, or was waiting when a newer release went live). Only one release
of a trail is current; making one current supersedes the one before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.audit import record
from server.db.models import Release, ReleaseState, Trail, User
from server.db.session import Database
from server.errors import Forbidden
from trails.errors import Conflict, NotFound
from trails.messages import msg

PENDING = (ReleaseState.awaiting_approval, ReleaseState.scheduled)


def initial_state(
    *, needs_approval: bool, publish_at: datetime | None, now: datetime
) -> ReleaseState:
    """The state a freshly built release starts in."""
    if needs_approval:
        return ReleaseState.awaiting_approval
    if publish_at is not None and publish_at > now:
        return ReleaseState.scheduled
    return ReleaseState.live


def make_current(
    session: Session,
    trail: Trail,
    release: Release,
    now: datetime,
    *,
    supersede_waiting: bool = True,
) -> None:
    """Make ``release`` the trail's live release; the previous one becomes superseded.

    Releases older than this one that were still waiting (for approval or for their time)
    are superseded too: going live later, they would replace newer content. A release cut
    from the live one (a withdrawal) is not newer content, so it leaves them waiting.
    """
    previous_id = trail.current_release_id
    if previous_id is not None and previous_id != release.id:
        previous = session.get(Release, previous_id)
        if previous is not None and previous.state == ReleaseState.live:
            previous.state = ReleaseState.superseded
    if supersede_waiting:
        stale = session.scalars(
            select(Release).where(
                Release.trail_id == trail.id,
                Release.number < release.number,
                Release.state.in_(PENDING),
            )
        )
        for older in stale:
            older.state = ReleaseState.superseded
    release.state = ReleaseState.live
    release.went_live_at = now
    trail.current_release_id = release.id


def release_of(session: Session, trail: Trail, number: int) -> Release:
    """One release of a trail by number, or :class:`NotFound`."""
    release = session.scalar(
        select(Release).where(Release.trail_id == trail.id, Release.number == number)
    )
    if release is None:
        raise NotFound(
            msg("trail '{slug}' has no release {number}", slug=trail.slug, number=number)
        )
    return release


def approve(
    session: Session, trail: Trail, number: int, approver: User, now: datetime | None = None
) -> Release:
    """A second editor approves a waiting release: it goes live, or waits for its time."""
    now = now or datetime.now(UTC)
    release = release_of(session, trail, number)
    if release.state != ReleaseState.awaiting_approval:
        raise Conflict(
            msg(
                "release {number} is {value}; only a waiting one is approved",
                number=number,
                value=release.state.value,
            )
        )
    if release.published_by is not None and release.published_by == approver.email:
        raise Forbidden(
            msg(
                "another editor must approve this release: you published it yourself "
                "(this organisation requires a second editor's approval)"
            )
        )
    release.approved_by = approver.email
    if release.publish_at is not None and release.publish_at > now:
        release.state = ReleaseState.scheduled
    else:
        make_current(session, trail, release, now)
    session.flush()
    return release


def roll_back(session: Session, trail: Trail, number: int, now: datetime | None = None) -> Release:
    """Make an earlier release, one that has been live, current again."""
    now = now or datetime.now(UTC)
    release = release_of(session, trail, number)
    if release.state in PENDING:
        raise Conflict(
            msg(
                "release {number} is {value} and has never been live: approve it or "
                "wait for its time instead of rolling back to it",
                number=number,
                value=release.state.value,
            )
        )
    make_current(session, trail, release, now)
    session.flush()
    return release


@dataclass(frozen=True)
class Activated:
    """A scheduled release that went live."""

    slug: str
    number: int


def activate_due(database: Database, now: datetime | None = None) -> list[Activated]:
    """Make every scheduled release whose ``publish_at`` has come live; return them.

    Several processes may run this at once (API replicas and workers): on PostGIS the due
    rows are locked and skipped by the others, and going live twice changes nothing anyway.
    """
    now = now or datetime.now(UTC)
    done: list[Activated] = []
    with database.transaction() as session:
        due = session.scalars(
            select(Release)
            .where(Release.state == ReleaseState.scheduled, Release.publish_at <= now)
            .order_by(Release.trail_id, Release.publish_at, Release.number)
            .with_for_update(skip_locked=True)
        ).all()
        for release in due:
            # An earlier iteration may have superseded it (a newer one of the trail went live).
            if release.state != ReleaseState.scheduled:
                continue
            trail = session.get_one(Trail, release.trail_id)
            make_current(session, trail, release, now)
            record(
                session,
                trail.organisation_id,
                None,
                "release.live",
                "release",
                release.id,
                trail=trail.slug,
                number=release.number,
                scheduled_for=release.publish_at.isoformat() if release.publish_at else None,
            )
            done.append(Activated(trail.slug, release.number))
    return done
