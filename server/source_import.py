"""Importing a trail source into the database: the trail's draft created or replaced."""

from __future__ import annotations

from typing import Any, Protocol

from geoalchemy2.shape import from_shape
from shapely.geometry import LineString
from sqlalchemy import select
from sqlalchemy.orm import Session

from media.errors import RejectedMedia
from server import covers
from server.db.models import (
    SRID,
    AmbientLayer,
    Asset,
    Organisation,
    SoundObject,
    Stop,
    Story,
    StoryVersion,
    Trail,
)
from server.db.zones import set_zone
from server.folder_media import FolderMedia, MediaContext
from server.schemas.objects import SoundObjectCreate
from trails.errors import FieldError, InvalidInput
from trails.rules import SoundPlacement
from trails.source import LoadedSource, TrailSource
from trails.source import SoundObject as SoundObjectSource
from trails.vocabulary import AudioRole, TrailMode, Visibility


class SourceMedia(Protocol):
    """Where the media a trail source names come from: a folder, or assets already stored."""

    def check(self, trail: TrailSource) -> None:
        """Refuse, listing every problem at once, before anything is stored."""

    def audio(self, session: Session, org: Organisation, relative: str, role: AudioRole) -> Asset:
        """The asset of an audio file named in the source."""

    def transcript(self, relative: str) -> str:
        """The WebVTT text of a transcript named in the source."""


def import_source(
    session: Session,
    loaded: LoadedSource,
    org: Organisation,
    fingerprint: str,
    media: MediaContext,
) -> Trail:
    """Create or replace the draft of the trail described by a source folder.

    Media files become assets (stored, probed, not yet encoded): a file the pipeline
    refuses stops the import, and the caller's transaction leaves nothing behind.
    """
    cover = None
    if loaded.trail.cover:
        try:
            cover = covers.store_file(media.blobs, loaded.media_file(loaded.trail.cover))
        except RejectedMedia as exc:
            raise InvalidInput([FieldError("cover", loaded.trail.cover, exc.detail)]) from None
    trail = apply_source(session, loaded.trail, org, fingerprint, FolderMedia(loaded, media))
    # A folder says everything about its trail: no cover line means no cover.
    trail.cover_sha256 = cover
    return trail


def object_rules(spec: SoundPlacement) -> dict[str, Any]:
    """The conditions and approach and facing rules of a sound object, as they are stored."""
    return spec.model_dump(
        mode="json", include={"requires", "time_windows", "approach", "facing"}, exclude_none=True
    )


def set_object(row: SoundObject, spec: SoundObjectSource | SoundObjectCreate, asset: Asset) -> None:
    """Give a stored sound object everything a validated object says (source or API)."""
    row.key = spec.key
    row.titles = dict(spec.title)
    row.asset_id = asset.id
    row.asset = asset
    row.position = list(spec.position)
    row.radius_m = spec.radius_m
    row.ref_distance_m = spec.ref_distance_m
    row.rolloff = spec.rolloff
    row.gain_db = spec.gain_db
    row.loop = spec.loop
    row.rules = object_rules(spec)


def sound_object(
    session: Session, org: Organisation, spec: SoundObjectSource, ordinal: int, media: SourceMedia
) -> SoundObject:
    """A new stored sound object from a source's object and where its audio is."""
    row = SoundObject(ordinal=ordinal)
    set_object(row, spec, media.audio(session, org, spec.audio, AudioRole.immersive))
    return row


def apply_source(
    session: Session,
    src: TrailSource,
    org: Organisation,
    fingerprint: str,
    media: SourceMedia,
) -> Trail:
    """Create or replace the draft of a trail from a trail source and where its media are.

    ``media.check`` runs first, so that refused media change nothing; everything else
    happens in the caller's transaction.
    """
    media.check(src)
    # Slugs are unique per organisation: another organisation's trail of this name is theirs.
    trail = session.scalar(
        select(Trail).where(Trail.slug == src.slug, Trail.organisation_id == org.id)
    )
    if trail is None:
        trail = Trail(organisation_id=org.id, slug=src.slug)
        session.add(trail)
    trail.titles = dict(src.title)
    trail.descriptions = dict(src.description)
    trail.languages = list(src.languages)
    trail.mode = TrailMode(src.mode)
    trail.timezone = src.timezone
    trail.visibility = Visibility(src.visibility)
    trail.licence = src.licence
    trail.credits = [c.model_dump(mode="json") for c in src.credits]
    trail.valid_from, trail.valid_until = src.valid_from, src.valid_until
    trail.route = from_shape(LineString(src.route), srid=SRID) if src.route else None
    trail.settings = src.settings.model_dump()
    trail.source_sha256 = fingerprint
    trail.stops.clear()
    trail.ambience.clear()
    trail.objects.clear()
    session.flush()

    for position, spec in enumerate(src.stops):
        stop = Stop(key=spec.key, position=position, titles=dict(spec.title))
        stop.rules = spec.rules.model_dump(exclude_defaults=True)
        stop.narration_position = None if spec.position is None else list(spec.position)
        # A source names no story only on purpose: it has no way to name one without audio.
        stop.silent = spec.story is None
        set_zone(stop, spec.zone)
        if spec.story is not None:
            story = Story(
                organisation_id=org.id,
                title=next(iter(spec.title.values())),
                role=AudioRole(spec.story.role),
                licence=spec.story.licence,
                credits=[c.model_dump(mode="json") for c in spec.story.credits],
                consents=[c.model_dump(mode="json") for c in spec.story.consents],
            )
            for language, version in spec.story.versions.items():
                transcript = None
                if version.transcript:
                    transcript = media.transcript(version.transcript)
                story.versions.append(
                    StoryVersion(
                        language=language,
                        audio=media.audio(session, org, version.audio, AudioRole(spec.story.role)),
                        transcript_vtt=transcript,
                        text=version.text,
                    )
                )
            session.add(story)
            stop.story = story
        trail.stops.append(stop)
    for spec_layer in src.ambience:
        layer = AmbientLayer(
            key=spec_layer.key,
            titles=dict(spec_layer.title),
            asset_id=media.audio(session, org, spec_layer.audio, AudioRole.immersive).id,
            min_distance_m=spec_layer.min_distance_m,
            max_distance_m=spec_layer.max_distance_m,
            min_gain_db=spec_layer.min_gain_db,
            max_gain_db=spec_layer.max_gain_db,
        )
        set_zone(layer, spec_layer.zone)
        trail.ambience.append(layer)
    for ordinal, spec_object in enumerate(src.objects):
        trail.objects.append(sound_object(session, org, spec_object, ordinal, media))
    session.flush()
    return trail
