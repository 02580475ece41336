"""Operations on draft trails and stops, scoped to one organisation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from geoalchemy2.shape import from_shape
from shapely.geometry import LineString
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from server.auth.access import row_in
from server.auth.codes import AccessCodes
from server.db.models import SRID, SoundObject, Stop, Story, StoryStatus, StoryVersion, Trail
from server.db.zones import set_zone
from server.schemas.drafts import (
    TRAIL_TITLE_MAX,
    StopCreate,
    StopUpdate,
    TrailCreate,
    TrailDuplicate,
    TrailUpdate,
)
from server.schemas.stories import TITLE_MAX
from trails.errors import Conflict, NotFound, invalid
from trails.messages import msg
from trails.vocabulary import TrailMode, Visibility


def trail_in(session: Session, organisation_id: int, trail_id: int) -> Trail:
    """A trail of the organisation; another organisation's trail is simply not found."""
    return row_in(session, Trail, organisation_id, trail_id, "trail")


def stop_in(trail: Trail, stop_id: int) -> Stop:
    """A stop of the trail."""
    for stop in trail.stops:
        if stop.id == stop_id:
            return stop
    raise NotFound(msg("no stop {stop_id} on trail '{slug}'", stop_id=stop_id, slug=trail.slug))


def _check_slug_free(session: Session, organisation_id: int, slug: str) -> None:
    # Only this organisation's drafts and published addresses (public by nature) count:
    # another organisation's unpublished draft of the same name is neither refused nor told.
    ours = and_(Trail.organisation_id == organisation_id, Trail.slug == slug)
    if session.scalar(select(Trail.id).where(or_(ours, Trail.address == slug)).limit(1)):
        raise Conflict(
            msg("the address '{slug}' is already used by a trail; choose another", slug=slug)
        )


def _apply(
    trail: Trail, changes: dict[str, Any], access_code: str | None, codes: AccessCodes
) -> None:
    simple = {"title": "titles", "description": "descriptions", "languages": "languages"}
    for name, value in changes.items():
        if value is None and name not in {"valid_from", "valid_until", "licence", "route"}:
            continue
        if name in simple:
            setattr(trail, simple[name], value)
        elif name == "mode":
            trail.mode = TrailMode(value)
        elif name == "visibility":
            trail.visibility = Visibility(value)
        elif name == "route":
            trail.route = from_shape(LineString(value), srid=SRID) if value else None
        elif name in {"timezone", "licence", "credits", "settings", "valid_from", "valid_until"}:
            setattr(trail, name, value)
    if access_code is not None:
        trail.access_code_hash = codes.hash(access_code)
    if trail.visibility == Visibility.private and trail.access_code_hash is None:
        raise invalid("access_code", None, msg("a private trail needs an access code for visitors"))
    if trail.valid_from and trail.valid_until and trail.valid_until <= trail.valid_from:
        raise invalid("valid_until", trail.valid_until, msg("valid_until must be after valid_from"))


def _changes(body: TrailCreate | TrailUpdate) -> dict[str, Any]:
    data = body.model_dump(mode="json", exclude_unset=True, exclude={"access_code", "slug"})
    # Keep datetimes as objects, and models (credits, settings) as plain JSON.
    for name in ("valid_from", "valid_until"):
        if name in data:
            data[name] = getattr(body, name)
    return data


def create_trail(
    session: Session, organisation_id: int, body: TrailCreate, codes: AccessCodes
) -> Trail:
    """A new, empty draft trail."""
    _check_slug_free(session, organisation_id, body.slug)
    trail = Trail(
        organisation_id=organisation_id,
        slug=body.slug,
        titles={},
        languages=[],
        settings={},
    )
    _apply(trail, _changes(body), body.access_code, codes)
    if "settings" not in body.model_fields_set:
        trail.settings = {}
    session.add(trail)
    session.flush()
    return trail


def update_trail(trail: Trail, body: TrailUpdate, codes: AccessCodes) -> None:
    """Apply the fields the caller sent."""
    _apply(trail, _changes(body), body.access_code, codes)


def _event(body: TrailDuplicate) -> str:
    """The event a copy is for: as sent, else "Festival" and the year it starts."""
    event = (body.event or "").strip()
    if body.event is not None and not event:
        raise invalid("event", body.event, msg("the event name is empty; type one"))
    return event or f"Festival {(body.valid_from or datetime.now(UTC)).year}"


def _copy_title(trail: Trail, body: TrailDuplicate) -> dict[str, str]:
    """The copy's title: the one sent, else the original's with the event's name; checked."""
    if body.title is not None:
        titles = {language: text.strip() for language, text in body.title.items()}
    else:
        event = _event(body)
        titles = {language: f"{text} — {event}" for language, text in trail.titles.items()}
    for language, text in titles.items():
        if not text:
            raise invalid("title", text, msg("the title is empty; type one"))
        if len(text) > TRAIL_TITLE_MAX:
            raise invalid(
                "title",
                text,
                msg(
                    "the {language} title has {length} characters, more than {limit}; shorten it",
                    language=language,
                    length=len(text),
                    limit=TRAIL_TITLE_MAX,
                ),
            )
    if titles == trail.titles:
        raise invalid(
            "title", titles, msg("the copy has the original's title; give it a title of its own")
        )
    return titles


def _locked_stories(session: Session, trail: Trail) -> dict[int, Story]:
    """The trail's stops and stories as committed, locked against writes until the copy ends.

    FOR SHARE (PostgreSQL; SQLite writes one at a time anyway): a story being saved right
    now is copied once its save is committed, whole, never half before and half after.
    """
    session.scalars(
        select(Stop)
        .where(Stop.trail_id == trail.id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    ).all()
    ids = {stop.story_id for stop in trail.stops if stop.story_id is not None}
    if not ids:
        return {}
    stories = session.scalars(
        select(Story)
        .where(Story.id.in_(ids))
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    ).all()
    for story in stories:
        session.refresh(story, ["versions"])
    return {story.id: story for story in stories}


def _copy_story(story: Story, event: str) -> Story:
    """A new story row with the same recordings (assets are shared by hash), credits and
    consents: editing either never changes the other."""
    suffix = f" — {event}"
    copy = Story(
        organisation_id=story.organisation_id,
        title=story.title[: TITLE_MAX - len(suffix)] + suffix,
        role=story.role,
        licence=story.licence,
        credits=[dict(c) for c in story.credits],
        consents=[dict(c) for c in story.consents],
        status=story.status,
        submitted_by_id=story.submitted_by_id,
        invitation_id=story.invitation_id,
        contributor_name=story.contributor_name,
        photo_sha256=story.photo_sha256,
        review_reason=story.review_reason,
        reviewed_by_id=story.reviewed_by_id,
        reviewed_at=story.reviewed_at,
    )
    for version in story.versions:
        copy.versions.append(
            StoryVersion(
                language=version.language,
                audio_asset_id=version.audio_asset_id,
                transcript_vtt=version.transcript_vtt,
                text=version.text,
            )
        )
    return copy


def duplicate_trail(session: Session, trail: Trail, body: TrailDuplicate) -> Trail:
    """Copy a trail under a new address: its stops, sound objects and stories are copies.

    Stories are new rows (their recordings are shared, by asset), so trimming, transcribing
    or retitling a story of one trail never changes the other.
    """
    _check_slug_free(session, trail.organisation_id, body.slug)
    titles = _copy_title(trail, body)
    stories = _locked_stories(session, trail)
    copy = Trail(
        organisation_id=trail.organisation_id,
        slug=body.slug,
        titles=titles,
        descriptions=dict(trail.descriptions),
        languages=list(trail.languages),
        mode=trail.mode,
        timezone=trail.timezone,
        visibility=Visibility(body.visibility),
        access_code_hash=trail.access_code_hash,
        licence=trail.licence,
        credits=list(trail.credits),
        valid_from=body.valid_from,
        valid_until=body.valid_until,
        cover_asset_id=trail.cover_asset_id,
        cover_sha256=trail.cover_sha256,
        route=trail.route,
        settings=dict(trail.settings),
    )
    if copy.visibility == Visibility.private and copy.access_code_hash is None:
        raise invalid("visibility", "private", msg("a private trail needs an access code first"))
    event = _event(body)
    copies = {story_id: _copy_story(story, event) for story_id, story in stories.items()}
    for stop in trail.stops:
        twin = Stop(
            key=stop.key,
            position=stop.position,
            titles=dict(stop.titles),
            rules=dict(stop.rules),
            story=copies[stop.story_id] if stop.story_id is not None else None,
            zone_kind=stop.zone_kind,
            center=stop.center,
            radius_m=stop.radius_m,
            polygon=stop.polygon,
            narration_position=stop.narration_position,
            silent=stop.silent,
        )
        copy.stops.append(twin)
    for obj in trail.objects:
        copy.objects.append(
            SoundObject(
                key=obj.key,
                ordinal=obj.ordinal,
                titles=dict(obj.titles),
                asset_id=obj.asset_id,
                position=list(obj.position),
                radius_m=obj.radius_m,
                ref_distance_m=obj.ref_distance_m,
                rolloff=obj.rolloff,
                gain_db=obj.gain_db,
                loop=obj.loop,
                rules=dict(obj.rules),
            )
        )
    session.add(copy)
    session.flush()
    return copy


def _check_story(session: Session, organisation_id: int, story_id: int | None) -> None:
    if story_id is None:
        return
    story = session.get(Story, story_id)
    if story is None or story.organisation_id != organisation_id:
        raise invalid("story_id", story_id, msg("no such story in this organisation"))
    if story.status != StoryStatus.approved:
        raise invalid("story_id", story_id, msg("only approved stories can be placed in trails"))


def _check_key_free(trail: Trail, key: str, stop: Stop | None = None) -> None:
    if any(s.key == key and s is not stop for s in trail.stops):
        raise Conflict(msg("this trail already has a stop '{key}'", key=key))


def _place(trail: Trail, stop: Stop, position: int | None) -> None:
    ordered = [s for s in trail.stops if s is not stop]
    index = len(ordered) if position is None else min(position, len(ordered))
    ordered.insert(index, stop)
    for number, item in enumerate(ordered):
        if item.position != number:
            item.position = number


def add_stop(session: Session, trail: Trail, body: StopCreate) -> Stop:
    """Add a stop at its position (default last), renumbering the others."""
    _check_key_free(trail, body.key)
    _check_story(session, trail.organisation_id, body.story_id)
    stop = Stop(
        key=body.key,
        titles=dict(body.title),
        rules=body.rules.model_dump(exclude_defaults=True),
        story_id=body.story_id,
        position=len(trail.stops),
        narration_position=None if body.narration_position is None else [*body.narration_position],
        silent=body.silent,
    )
    set_zone(stop, body.zone)
    _place(trail, stop, body.position)
    trail.stops.append(stop)
    session.flush()
    return stop


def update_stop(session: Session, trail: Trail, stop: Stop, body: StopUpdate) -> None:
    """Apply the fields the caller sent to a stop."""
    sent = body.model_fields_set
    if body.key is not None:
        _check_key_free(trail, body.key, stop)
        stop.key = body.key
    if body.title is not None:
        stop.titles = dict(body.title)
    if body.zone is not None:
        set_zone(stop, body.zone)
    if body.rules is not None:
        stop.rules = body.rules.model_dump(exclude_defaults=True)
    if "story_id" in sent:
        _check_story(session, trail.organisation_id, body.story_id)
        stop.story_id = body.story_id
    if body.position is not None:
        _place(trail, stop, body.position)
    if "narration_position" in sent:
        where = body.narration_position
        stop.narration_position = None if where is None else [*where]
    if body.silent is not None:
        stop.silent = body.silent
    session.flush()


def remove_stop(session: Session, trail: Trail, stop: Stop) -> None:
    """Delete a stop and close the gap in the order."""
    trail.stops.remove(stop)
    for number, item in enumerate(trail.stops):
        if item.position != number:
            item.position = number
    session.flush()
