"""A trail's draft read back from the database: loaded whole, and as a trail source."""

from __future__ import annotations

from typing import Any

from geoalchemy2.shape import to_shape
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from server.db.models import AmbientLayer, SoundObject, Stop, Story, Trail
from server.db.zones import zone_of
from trails.errors import Conflict, NotFound
from trails.messages import msg
from trails.source import TrailSource, parse_source
from trails.storage_names import audio_name, cover_path, transcript_name


def to_source(session: Session, trail: Trail) -> TrailSource:
    """Read a trail back from the database as a validated trail source."""
    stops = []
    for stop in trail.stops:
        entry: dict[str, Any] = {
            "key": stop.key,
            "title": stop.titles,
            "zone": zone_of(stop),
            "rules": stop.rules,
        }
        if stop.narration_position is not None:
            entry["position"] = stop.narration_position
        if stop.story is not None:
            versions: dict[str, Any] = {}
            for version in stop.story.versions:
                if version.audio is None:
                    continue
                item: dict[str, Any] = {
                    "audio": audio_name(version.audio.sha256, version.audio.filename)
                }
                if version.transcript_vtt is not None:
                    item["transcript"] = transcript_name(version.transcript_vtt)
                if version.text is not None:
                    item["text"] = version.text
                versions[version.language] = item
            if versions:
                entry["story"] = {
                    "versions": versions,
                    "credits": stop.story.credits,
                    "licence": stop.story.licence,
                    "consents": stop.story.consents,
                    "role": stop.story.role.value,
                }
        stops.append(entry)
    data: dict[str, Any] = {
        "slug": trail.slug,
        "languages": trail.languages,
        "title": trail.titles,
        "description": trail.descriptions,
        "mode": trail.mode.value,
        "timezone": trail.timezone,
        "visibility": trail.visibility.value,
        "licence": trail.licence,
        "credits": trail.credits,
        "valid_from": trail.valid_from,
        "valid_until": trail.valid_until,
        "settings": trail.settings,
        "stops": stops,
        "ambience": [
            {
                "key": layer.key,
                "title": layer.titles,
                "audio": audio_name(layer.asset.sha256, layer.asset.filename),
                "zone": zone_of(layer),
                "min_distance_m": layer.min_distance_m,
                "max_distance_m": layer.max_distance_m,
                "min_gain_db": layer.min_gain_db,
                "max_gain_db": layer.max_gain_db,
            }
            for layer in trail.ambience
        ],
        "objects": [object_entry(obj) for obj in trail.objects],
    }
    if trail.route is not None:
        data["route"] = [list(c) for c in to_shape(trail.route).coords]
    if trail.cover_sha256 is not None:
        data["cover"] = cover_path(trail.cover_sha256)
    return parse_source(data)


def object_entry(obj: SoundObject) -> dict[str, Any]:
    """A stored sound object as a trail source names it."""
    return {
        "key": obj.key,
        "title": obj.titles,
        "audio": audio_name(obj.asset.sha256, obj.asset.filename),
        "position": obj.position,
        "radius_m": obj.radius_m,
        "ref_distance_m": obj.ref_distance_m,
        "rolloff": obj.rolloff,
        "gain_db": obj.gain_db,
        "loop": obj.loop,
        **obj.rules,
    }


def load_trail(session: Session, slug: str, organisation_id: int | None = None) -> Trail:
    """A trail with its stops, stories and ambience, or :class:`NotFound`.

    Slugs are unique per organisation: without ``organisation_id`` (the local command
    line) the slug must name one trail on the server, else :class:`Conflict` asks which.
    """
    query = (
        select(Trail)
        .where(Trail.slug == slug)
        .options(
            selectinload(Trail.stops).selectinload(Stop.story).selectinload(Story.versions),
            selectinload(Trail.ambience).selectinload(AmbientLayer.asset),
            selectinload(Trail.objects).selectinload(SoundObject.asset),
        )
        .limit(2)
    )
    if organisation_id is not None:
        query = query.where(Trail.organisation_id == organisation_id)
    found = session.scalars(query).all()
    if not found:
        raise NotFound(msg("no trail '{slug}'", slug=slug))
    if len(found) > 1:
        raise Conflict(
            msg("several organisations have a trail '{slug}'; name the organisation", slug=slug)
        )
    return found[0]
