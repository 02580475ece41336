"""Trail sources over HTTP: read a draft as a trail source, or replace it from one whose
media are assets the organisation already holds (``baladeur push`` and ``pull``)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from server.db.models import Asset, AssetStatus, Organisation, Trail
from server.draft_source import load_trail, to_source
from server.errors import PreconditionFailed
from server.etags import etag_of, require_match
from server.source_import import apply_source
from trails.errors import Conflict, FieldError, InvalidInput, NotFound
from trails.messages import msg
from trails.source import TrailSource, parse_source
from trails.storage_names import audio_name, transcript_name
from trails.vocabulary import AudioRole


def lookup_assets(session: Session, organisation_id: int, hashes: list[str]) -> dict[str, Asset]:
    """The organisation's assets among these sha256 digests, by digest."""
    wanted = sorted(set(hashes))
    found: dict[str, Asset] = {}
    # Chunked so that a long list stays within every database's parameter limit.
    for start in range(0, len(wanted), 500):
        rows = session.scalars(
            select(Asset).where(
                Asset.organisation_id == organisation_id,
                Asset.sha256.in_(wanted[start : start + 500]),
            )
        )
        found.update({row.sha256: row for row in rows})
    return found


def asset_entry(asset: Asset) -> dict[str, Any]:
    """How an asset appears in a media table."""
    return {
        "asset_id": asset.id,
        "sha256": asset.sha256,
        "bytes": asset.bytes,
        "filename": asset.filename,
        "status": asset.status.value,
        "failure_reason": asset.failure_reason,
    }


def source_document(session: Session, trail: Trail) -> dict[str, Any]:
    """A draft as trail source JSON, with its media table and transcripts' texts."""
    try:
        source = to_source(session, trail)
    except InvalidInput as exc:
        # A draft begun in the studio may lack what a trail source needs (a stop, a title).
        raise Conflict(
            msg(
                "this draft is not a complete trail yet ({detail}); complete it first",
                detail=exc.detail,
            )
        ) from None
    media: dict[str, Any] = {}
    transcripts: dict[str, str] = {}
    for stop in trail.stops:
        for version in stop.story.versions if stop.story else []:
            if version.audio is None:
                continue
            media[_audio_name(version.audio)] = asset_entry(version.audio)
            if version.transcript_vtt is not None:
                transcripts[transcript_name(version.transcript_vtt)] = version.transcript_vtt
    for layer in trail.ambience:
        media[_audio_name(layer.asset)] = asset_entry(layer.asset)
    for obj in trail.objects:
        media[_audio_name(obj.asset)] = asset_entry(obj.asset)
    return {
        "trail_id": trail.id,
        "slug": trail.slug,
        "etag": etag_of("trail", trail),
        # Covers are set in the studio, not pushed or pulled (as ``canonical`` below).
        "trail": source.model_dump(mode="json") | {"cover": None},
        "media": media,
        "transcripts": transcripts,
    }


def _audio_name(asset: Asset) -> str:
    # The same naming as ``to_source``: content-addressed, the original's extension.
    return audio_name(asset.sha256, asset.filename)


class StoredMedia:
    """Media of a trail source that are assets the organisation already holds, by sha256."""

    def __init__(
        self,
        session: Session,
        organisation_id: int,
        hashes: dict[str, str],
        transcripts: dict[str, str],
    ) -> None:
        self.hashes = hashes
        self.transcripts = transcripts
        self.assets = lookup_assets(session, organisation_id, list(hashes.values()))

    def problems(self, trail: TrailSource) -> list[FieldError]:
        """Every audio path without a usable asset and every transcript without its text."""
        errors = []
        for path in trail.audio_paths():
            sha = self.hashes.get(path)
            asset = self.assets.get(sha) if sha else None
            if sha is None:
                errors.append(
                    FieldError(f"media.{path}", None, msg("no sha256 given for this file"))
                )
            elif asset is None:
                message = f"this organisation has no media with sha256 {sha}: upload it first"
                errors.append(FieldError(f"media.{path}", sha, message))
            elif asset.status == AssetStatus.failed:
                message = f"this audio could not be processed: {asset.failure_reason}"
                errors.append(FieldError(f"media.{path}", sha, message))
        for path in trail.transcript_paths():
            if path not in self.transcripts:
                message = "no text given for this transcript"
                errors.append(FieldError(f"transcripts.{path}", None, message))
        return errors

    def check(self, trail: TrailSource) -> None:
        """Refuse the source, listing every problem, if anything is missing or unusable."""
        errors = self.problems(trail)
        if errors:
            raise InvalidInput(errors)

    def audio(self, session: Session, org: Organisation, relative: str, role: AudioRole) -> Asset:
        """The stored asset with this file's sha256."""
        return self.assets[self.hashes[relative]]

    def transcript(self, relative: str) -> str:
        """The transcript's text, as sent."""
        return self.transcripts[relative]

    def canonical(self, trail: TrailSource) -> TrailSource:
        """The source as the server would give it back: media named by content."""
        data = trail.model_dump(mode="json")
        data["cover"] = None  # a push leaves the trail's cover (set in the studio) as it is
        names = {p: _audio_name(self.assets[self.hashes[p]]) for p in trail.audio_paths()}
        names |= {p: transcript_name(self.transcripts[p]) for p in trail.transcript_paths()}
        for stop in data["stops"]:
            for version in (stop.get("story") or {}).get("versions", {}).values():
                version["audio"] = names[version["audio"]]
                if version.get("transcript"):
                    version["transcript"] = names[version["transcript"]]
        for layer in data["ambience"]:
            layer["audio"] = names[layer["audio"]]
        for sound in data.get("objects") or []:
            sound["audio"] = names[sound["audio"]]
        # The server keeps ambient layers in the order of their keys.
        data["ambience"].sort(key=lambda layer: layer["key"])
        return parse_source(data)


@dataclass(frozen=True)
class Replaced:
    """What a ``PUT .../source`` did."""

    trail: Trail
    created: bool
    changed: bool


def parse_trail(data: Any) -> TrailSource:
    """Validate the ``trail`` member of a request, naming fields from the request's root."""
    try:
        return parse_source(data)
    except InvalidInput as exc:
        raise InvalidInput(
            [FieldError(f"trail.{e.field}", e.value, e.message) for e in exc.errors]
        ) from None


def _fingerprint(source: TrailSource) -> str:
    text = json.dumps(source.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _same(session: Session, trail: Trail, canonical: TrailSource) -> bool:
    try:
        current = to_source(session, trail).model_copy(update={"cover": None})
        return current.model_dump() == canonical.model_dump()
    except InvalidInput:
        return False  # an incomplete draft is never what a complete source says


def replace_source(
    session: Session,
    org: Organisation,
    slug: str,
    trail_data: Any,
    media: dict[str, str],
    transcripts: dict[str, str],
    if_match: str | None,
) -> Replaced:
    """Create or replace the draft ``slug`` from a trail source whose media are stored assets.

    Everything is checked before anything changes: every missing or unusable item is
    listed in one 422. Replacing an existing draft needs its current ETag in ``If-Match``.
    A source identical to the draft changes nothing (and keeps its ETag).
    """
    source = parse_trail(trail_data)
    if source.slug != slug:
        raise InvalidInput(
            [
                FieldError(
                    "trail.slug",
                    source.slug,
                    msg("the address says '{slug}'; they must agree", slug=slug),
                )
            ]
        )
    existing = session.scalar(
        select(Trail).where(Trail.slug == slug, Trail.organisation_id == org.id)
    )
    if existing is None and if_match is not None and if_match.strip() not in ("", "*"):
        raise PreconditionFailed(
            msg("the trail '{slug}' no longer exists; reload and try again", slug=slug)
        )
    stored = StoredMedia(session, org.id, media, transcripts)
    stored.check(source)
    canonical = stored.canonical(source)
    if existing is not None:
        require_match(if_match, etag_of("trail", existing))
        current = load_trail(session, slug, org.id)
        if _same(session, current, canonical):
            return Replaced(current, created=False, changed=False)
    trail = apply_source(session, source, org, _fingerprint(canonical), stored)
    # Stops alone may have changed: the trail's row (and so its ETag) must move too.
    flag_modified(trail, "source_sha256")
    session.flush()
    return Replaced(trail, created=existing is None, changed=True)


def trail_by_slug(session: Session, organisation_id: int, slug: str) -> Trail:
    """A trail of the organisation by its slug (another organisation's is not looked at)."""
    try:
        return load_trail(session, slug, organisation_id)
    except NotFound:
        raise NotFound(msg("no trail '{slug}' in this organisation", slug=slug)) from None
