"""Trails in the database: import from a source folder (or stored assets), read back."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Protocol

from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import LineString
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from media.blobs import BlobStore
from media.errors import RejectedMedia
from media.ingest import staged_upload
from media.limits import MediaLimits
from media.probe import ProbeResult, probe
from server import covers
from server.db.models import SRID as _SRID
from server.db.models import (
    AmbientLayer,
    Asset,
    Organisation,
    Stop,
    Story,
    StoryVersion,
    Trail,
    ZoneColumns,
    ZoneKind,
)
from server.ingest import accept_upload
from trails.errors import FieldError, InvalidInput, NotFound
from trails.source import CircleZone, LoadedSource, PolygonZone, TrailSource, parse_source
from trails.storage_names import audio_name, cover_path, transcript_name
from trails.vocabulary import AudioRole, TrailMode, Visibility
from trails.zones import zone_geometry


def source_fingerprint(loaded: LoadedSource) -> str:
    """A hash of a source folder's trail.yaml and every media file it names."""
    digest = hashlib.sha256()
    digest.update(loaded.trail.model_dump_json().encode())
    for relative in loaded.trail.media_paths():
        digest.update(relative.encode() + b"\0" + loaded.sha256(relative).encode())
    return digest.hexdigest()


def get_or_create_organisation(
    session: Session, slug: str, name: str | None = None
) -> Organisation:
    """The organisation with this slug, created if missing."""
    org = session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        org = Organisation(slug=slug, name=name or slug)
        session.add(org)
        session.flush()
    return org


def set_zone(row: ZoneColumns, zone: CircleZone | PolygonZone) -> None:
    """Store a validated zone on a stop or ambience row."""
    geometry = from_shape(zone_geometry(zone), srid=_SRID)
    if isinstance(zone, CircleZone):
        row.zone_kind, row.center, row.radius_m, row.polygon = (
            ZoneKind.circle,
            geometry,
            zone.radius_m,
            None,
        )
    else:
        row.zone_kind, row.center, row.radius_m, row.polygon = (
            ZoneKind.polygon,
            None,
            None,
            geometry,
        )


def zone_of(row: ZoneColumns) -> dict[str, Any]:
    """A row's zone in the trail source shape."""
    if row.zone_kind == ZoneKind.circle:
        assert row.center is not None
        point = to_shape(row.center)
        return {"type": "circle", "center": [point.x, point.y], "radius_m": row.radius_m}
    assert row.polygon is not None
    polygon = to_shape(row.polygon)
    rings = [polygon.exterior, *polygon.interiors]
    return {"type": "polygon", "coordinates": [[list(c) for c in ring.coords] for ring in rings]}


@dataclass(frozen=True)
class MediaContext:
    """Where imported media go and what they may be."""

    blobs: BlobStore
    limits: MediaLimits


def check_media(loaded: LoadedSource, limits: MediaLimits) -> dict[str, ProbeResult]:
    """Probe every audio file of a source first, so that a refused file stores nothing.

    Every refused file is listed at once; the facts of accepted ones are returned by path.
    """
    audio = [
        version.audio
        for stop in loaded.trail.stops
        for version in (stop.story.versions.values() if stop.story else [])
    ] + [layer.audio for layer in loaded.trail.ambience]
    errors, probed = [], {}
    for relative in dict.fromkeys(audio):
        try:
            probed[relative] = probe(loaded.media_file(relative), limits)
        except RejectedMedia as exc:
            errors.append(FieldError(relative, relative, exc.detail))
    if errors:
        raise InvalidInput(errors)
    return probed


class SourceMedia(Protocol):
    """Where the media a trail source names come from: a folder, or assets already stored."""

    def check(self, trail: TrailSource) -> None:
        """Refuse, listing every problem at once, before anything is stored."""

    def audio(self, session: Session, org: Organisation, relative: str, role: AudioRole) -> Asset:
        """The asset of an audio file named in the source."""

    def transcript(self, relative: str) -> str:
        """The WebVTT text of a transcript named in the source."""


class FolderMedia:
    """Media read from a source folder: probed first, then stored as assets."""

    def __init__(self, loaded: LoadedSource, context: MediaContext) -> None:
        self.loaded = loaded
        self.context = context
        self.probed: dict[str, ProbeResult] = {}

    def check(self, trail: TrailSource) -> None:
        """Probe every audio file; a refused one stops the import before anything is stored."""
        self.probed = check_media(self.loaded, self.context.limits)

    def audio(self, session: Session, org: Organisation, relative: str, role: AudioRole) -> Asset:
        """Store the file as an asset of the organisation (the same bytes give the same one)."""
        with (
            self.loaded.media_file(relative).open("rb") as fh,
            staged_upload(fh, limits=self.context.limits) as staged,
        ):
            accepted = accept_upload(
                session,
                self.context.blobs,
                staged,
                organisation_id=org.id,
                filename=PurePosixPath(relative).name,
                role=role,
                limits=self.context.limits,
                facts=self.probed.get(relative),
            )
        return accepted.asset

    def transcript(self, relative: str) -> str:
        """The transcript file's text."""
        return self.loaded.media_file(relative).read_text(encoding="utf-8")


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
    trail = session.scalar(select(Trail).where(Trail.slug == src.slug))
    if trail is None:
        trail = Trail(organisation_id=org.id, slug=src.slug)
        session.add(trail)
    elif trail.organisation_id != org.id:
        # Slugs are global; another organisation's trail is not ours to overwrite.
        raise NotFound(f"trail '{src.slug}' belongs to another organisation")
    trail.titles = dict(src.title)
    trail.descriptions = dict(src.description)
    trail.languages = list(src.languages)
    trail.mode = TrailMode(src.mode)
    trail.timezone = src.timezone
    trail.visibility = Visibility(src.visibility)
    trail.licence = src.licence
    trail.credits = [c.model_dump(mode="json") for c in src.credits]
    trail.valid_from, trail.valid_until = src.valid_from, src.valid_until
    trail.route = from_shape(LineString(src.route), srid=_SRID) if src.route else None
    trail.settings = src.settings.model_dump()
    trail.source_sha256 = fingerprint
    trail.stops.clear()
    trail.ambience.clear()
    session.flush()

    for position, spec in enumerate(src.stops):
        stop = Stop(key=spec.key, position=position, titles=dict(spec.title))
        stop.rules = spec.rules.model_dump(exclude_defaults=True)
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
    session.flush()
    return trail


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
    }
    if trail.route is not None:
        data["route"] = [list(c) for c in to_shape(trail.route).coords]
    if trail.cover_sha256 is not None:
        data["cover"] = cover_path(trail.cover_sha256)
    return parse_source(data)


def load_trail(session: Session, slug: str) -> Trail:
    """A trail with its stops, stories and ambience, or :class:`NotFound`."""
    trail = session.scalar(
        select(Trail)
        .where(Trail.slug == slug)
        .options(
            selectinload(Trail.stops).selectinload(Stop.story).selectinload(Story.versions),
            selectinload(Trail.ambience).selectinload(AmbientLayer.asset),
        )
    )
    if trail is None:
        raise NotFound(f"no trail '{slug}'")
    return trail
