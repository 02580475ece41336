"""Withdrawal of consent: the story leaves every draft, release and storage, in one call.

Three steps, each leaving a consistent state, so that a crash anywhere is repaired by
simply running :func:`withdraw` again:

1. One transaction marks the consent withdrawn, detaches the story from every stop,
   deletes it with its languages and asset rows (the recordings its audio was edited from
   too: an untrimmed original is the same voice), and writes an audit entry (who, when,
   which story, which trails; never audio) holding the work still to do.
2. Every live release containing the story's media is replaced by a copy of itself without
   the story (a new release, live at once: it only takes content away, so it does not wait
   for a second editor), or taken offline when that copy cannot be built. Every release
   waiting for approval or for its time is replaced the same way by a copy that keeps
   waiting, or cancelled. The draft is never published: its changes may await approval.
3. Every other release containing those media is deleted with its bundle blobs, then the
   original, waveform, rendition, transcript and photo blobs, unless something still uses the
   same bytes, and every studio render of the organisation's walks (disposable mixes that
   may hold the voice). The audit entry then forgets the hashes it kept for the repair.

Every key comes from :mod:`trails.storage_names`, which builds each copy's name.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, object_session

from media.blobs import BlobStore
from media.renditions import ENCODINGS
from server import private_files
from server.audit import record
from server.db.models import (
    AmbientLayer,
    Asset,
    AuditEntry,
    ConsentRecord,
    Release,
    ReleaseBundle,
    ReleaseMedia,
    ReleaseState,
    Rendition,
    SoundObject,
    Stop,
    Story,
    StoryVersion,
    Trail,
    User,
)
from server.db.session import Database
from server.publishing import NotPublishable, cut_release
from server.releases import PENDING
from server.renders import forget_renders
from trails.bundle.signing import Keyring
from trails.errors import NotFound
from trails.messages import msg
from trails.storage_names import (
    bundle_key,
    original_copies,
    photo_key,
    published_media_key,
    rendition_key,
    transcript_path,
)

log = logging.getLogger(__name__)

ACTION = "consent.withdraw"
NOTE = "A story was withdrawn at its contributor's request."
# Passes over one trail's releases: more would only be needed if editors kept approving.
_PASSES = 3


@dataclass
class Outcome:
    """What a withdrawal did (a repeated call reports what was left to do)."""

    consent_id: int
    story_id: int | None
    republished: list[str] = field(default_factory=list)
    taken_offline: list[str] = field(default_factory=list)
    rebuilt: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    releases_deleted: int = 0
    blobs_deleted: int = 0


def _sha_of_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _purge_plan(story: Story) -> tuple[dict[str, Any], set[int]]:
    """The hashes and blob keys of a story's media, and the assets they belong to."""
    assets: dict[int, Asset] = {}
    transcripts: set[str] = set()
    for version in story.versions:
        if version.audio is not None:
            assets[version.audio.id] = version.audio
        if version.transcript_vtt is not None:
            transcripts.add(_sha_of_text(version.transcript_vtt))
    session = object_session(story)
    if session is not None and assets:
        _add_edits(session, assets)
        # The same recording uploaded again by another member of the team is their own
        # asset row (uploads are not shared with contributors), but the same recording: it
        # leaves with the story, as it did when the team had one row per recording.
        twins = select(Asset).where(
            Asset.organisation_id == story.organisation_id,
            Asset.sha256.in_({a.sha256 for a in assets.values()}),
        )
        for twin in session.scalars(twins):
            assets.setdefault(twin.id, twin)
    renditions = {
        r.sha256: rendition_key(r.sha256, ENCODINGS[r.profile].extension)
        for asset in assets.values()
        for r in asset.renditions
        if r.profile in ENCODINGS
    }
    plan = {
        "organisation_id": story.organisation_id,
        "originals": sorted({a.sha256 for a in assets.values()}),
        "renditions": renditions,
        "transcripts": sorted(transcripts),
        "photos": [story.photo_sha256] if story.photo_sha256 else [],
    }
    return plan, set(assets)


def _add_edits(session: Session, assets: dict[int, Asset]) -> None:
    """Add to ``assets`` the recordings they were edited from and every edit of those."""
    # A trim or a fade is a new asset that remembers its source: the untrimmed recording
    # (and any edit not kept) is the same voice, so it leaves with the story.
    frontier = set(assets)
    while frontier:
        sources = {assets[i].derived_from_id for i in frontier} - {None}
        family = select(Asset).where(
            or_(Asset.id.in_(sources), Asset.derived_from_id.in_(frontier))
        )
        frontier = set()
        for relative in session.scalars(family):
            if relative.id not in assets:
                assets[relative.id] = relative
                frontier.add(relative.id)


def _media_shas(plan: dict[str, Any]) -> set[str]:
    """The hashes under which a release lists the story's media."""
    return set(plan["renditions"]) | set(plan["transcripts"])


def _releases_with(session: Session, shas: set[str], organisation_id: int) -> list[Release]:
    """The organisation's releases that list any of these media."""
    # Another team's identical upload is their own copy, under their own consent.
    if not shas:
        return []
    ids = select(ReleaseMedia.release_id).where(ReleaseMedia.sha256.in_(shas))
    query = (
        select(Release)
        .join(Trail, Trail.id == Release.trail_id)
        .where(Release.id.in_(ids), Trail.organisation_id == organisation_id)
    )
    return list(session.scalars(query))


def live_trails_with(session: Session, story: Story) -> list[Trail]:
    """The trails whose live release holds this story's media (visitors can hear it)."""
    plan, _ = _purge_plan(story)
    live: dict[int, Trail] = {}
    for release in _releases_with(session, _media_shas(plan), story.organisation_id):
        trail = session.get(Trail, release.trail_id)
        if trail is not None and trail.current_release_id == release.id:
            live[trail.id] = trail
    return [live[i] for i in sorted(live)]


def withdrawn_title(session: Session, consent_id: int) -> str | None:
    """The title of the story a consent's withdrawal removed, as its audit entry kept it."""
    details = session.scalar(
        select(AuditEntry.details)
        .where(
            AuditEntry.action == ACTION,
            AuditEntry.object_type == "consent",
            AuditEntry.object_id == consent_id,
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    title = (details or {}).get("story_title")
    return title if isinstance(title, str) else None


def _detach(session: Session, story: Story, asset_ids: set[int]) -> set[int]:
    """Remove the story and its audio from every draft; return the trails touched."""
    trails: set[int] = set()
    for stop in session.scalars(select(Stop).where(Stop.story_id == story.id)):
        trails.add(stop.trail_id)
        stop.story_id = None
    if asset_ids:
        # The same recording may serve elsewhere: a language of another story, an ambience.
        others = select(StoryVersion).where(StoryVersion.audio_asset_id.in_(asset_ids))
        emptied: set[int] = set()
        for version in session.scalars(others):
            if version.story_id != story.id:
                emptied.add(version.story_id)
                session.delete(version)
        session.flush()
        trails |= _drop_emptied(session, emptied)
        layers = select(AmbientLayer).where(AmbientLayer.asset_id.in_(asset_ids))
        for layer in session.scalars(layers):
            trails.add(layer.trail_id)
            session.delete(layer)
        objects = select(SoundObject).where(SoundObject.asset_id.in_(asset_ids))
        for obj in session.scalars(objects):
            trails.add(obj.trail_id)
            session.delete(obj)
    for consent in session.scalars(select(ConsentRecord).where(ConsentRecord.story_id == story.id)):
        consent.story_id = None
    session.delete(story)
    session.flush()
    for asset_id in asset_ids:
        asset = session.get(Asset, asset_id)
        if asset is not None:
            session.delete(asset)
    session.flush()
    return trails


def _drop_emptied(session: Session, story_ids: set[int]) -> set[int]:
    """Delete the stories left without a language (a temporary route's copy of the withdrawn
    story: its credits and consents must not stay); return the trails touched."""
    trails: set[int] = set()
    for story_id in sorted(story_ids):
        left = select(func.count()).select_from(StoryVersion)
        if session.scalar(left.where(StoryVersion.story_id == story_id)):
            continue
        for stop in session.scalars(select(Stop).where(Stop.story_id == story_id)):
            trails.add(stop.trail_id)
            stop.story_id = None
        copy = session.get(Story, story_id)
        if copy is not None:
            session.delete(copy)
    return trails


def _step_one(database: Database, consent_id: int, actor: User | None) -> int | None:
    """Mark the consent withdrawn and take the story out; the audit entry's id, if any work."""
    with database.transaction() as session:
        # Locked (on PostgreSQL) so that two withdrawals of one consent run one after the other.
        consent = session.get(ConsentRecord, consent_id, with_for_update=True)
        if consent is None:
            raise NotFound(msg("no consent record {consent_id}", consent_id=consent_id))
        if consent.withdrawn_at is not None:
            entry = session.scalar(
                select(AuditEntry)
                .where(
                    AuditEntry.action == ACTION,
                    AuditEntry.object_type == "consent",
                    AuditEntry.object_id == consent_id,
                )
                .order_by(AuditEntry.id.desc())
                .limit(1)
            )
            return entry.id if entry is not None else None
        consent.withdrawn_at = datetime.now(UTC)
        story = session.get(Story, consent.story_id) if consent.story_id else None
        details: dict[str, Any] = {"story_id": None, "story_title": None, "trails": []}
        if story is not None:
            plan, asset_ids = _purge_plan(story)
            releases = _releases_with(session, _media_shas(plan), story.organisation_id)
            affected = {r.trail_id for r in releases}
            affected |= _detach(session, story, asset_ids)
            slugs = sorted(session.scalars(select(Trail.slug).where(Trail.id.in_(affected))).all())
            details = {
                "story_id": story.id,
                "story_title": story.title,
                "trails": slugs,
                "pending": {**plan, "trail_ids": sorted(affected)},
            }
        entry = record(
            session,
            consent.organisation_id,
            actor,
            ACTION,
            "consent",
            consent.id,
            person=consent.person,
            **details,
        )
        session.flush()
        return entry.id


def _holding(session: Session, trail: Trail, shas: set[str]) -> list[int]:
    """The trail's live release and its waiting ones that list any of these media, live first."""
    ids = select(ReleaseMedia.release_id).where(ReleaseMedia.sha256.in_(shas))
    rows = list(
        session.scalars(
            select(Release)
            .where(Release.trail_id == trail.id, Release.id.in_(ids))
            .order_by(Release.number)
        )
    )
    live = [r.id for r in rows if r.id == trail.current_release_id]
    return live + [r.id for r in rows if r.id not in live and r.state in PENDING]


def _cut(
    database: Database,
    blobs: BlobStore,
    keyring: Keyring,
    release_id: int,
    shas: set[str],
    slug: str,
    outcome: Outcome,
) -> None:
    """Put a copy of one release, less the story, in its place; or take it away."""

    def audit(session: Session, original: Release, cut: Release) -> None:
        if cut.state != ReleaseState.live:
            record(
                session,
                session.get_one(Trail, cut.trail_id).organisation_id,
                None,
                "release.rebuild",
                "release",
                cut.id,
                trail=slug,
                number=cut.number,
                replaces=original.number,
                state=cut.state.value,
                reason=NOTE,
            )

    try:
        cut = cut_release(database, blobs, keyring, release_id, shas, notes=NOTE, on_commit=audit)
    except NotPublishable as exc:
        log.warning("a release of %s cannot be copied without the story: %s", slug, exc.detail)
        with database.transaction() as session:
            release = session.get_one(Release, release_id)
            trail = session.get_one(Trail, release.trail_id)
            if trail.current_release_id == release.id:
                trail.current_release_id = None
                _add(outcome.taken_offline, slug)
            elif release.state in PENDING:
                # It must never go live with the story: cancelled, and said so in the audit.
                release.state = ReleaseState.superseded
                record(
                    session,
                    trail.organisation_id,
                    None,
                    "release.cancel",
                    "release",
                    release.id,
                    trail=slug,
                    number=release.number,
                    reason=NOTE,
                )
                _add(outcome.cancelled, slug)
        return
    if cut is not None:
        _add(outcome.republished if cut.state == ReleaseState.live else outcome.rebuilt, slug)


def _add(slugs: list[str], slug: str) -> None:
    """Name a trail once in a list of the outcome, however many of its releases it concerns."""
    if slug not in slugs:
        slugs.append(slug)


def _step_two(
    database: Database,
    blobs: BlobStore,
    keyring: Keyring,
    trail_ids: list[int],
    shas: set[str],
    outcome: Outcome,
) -> None:
    """Replace every live or waiting release holding the media by a copy without them.

    Copies start from the release itself, never from the draft: a withdrawal takes
    content away and must not publish changes that wait for a second editor.
    """
    for trail_id in trail_ids:
        # A waiting release approved (or due) meanwhile is live now: the next pass cuts it.
        for _ in range(_PASSES):
            with database.transaction() as session:
                trail = session.get(Trail, trail_id)
                if trail is None:
                    break
                slug = trail.slug
                holding = _holding(session, trail, shas)
            if not holding:
                break
            for release_id in holding:
                _cut(database, blobs, keyring, release_id, shas, slug, outcome)


def _delete_blob(blobs: BlobStore, key: str, outcome: Outcome) -> None:
    if blobs.exists(key):
        blobs.delete(key)
        outcome.blobs_deleted += 1


def _step_three(
    database: Database, blobs: BlobStore, plan: dict[str, Any], outcome: Outcome
) -> None:
    """Delete the releases and the stored bytes that still hold the story's media."""
    shas = _media_shas(plan)
    with database.transaction() as session:
        current = set(
            session.scalars(
                select(Trail.current_release_id).where(Trail.current_release_id.is_not(None))
            )
        )
        bundles: set[str] = set()
        for release in _releases_with(session, shas, plan["organisation_id"]):
            if release.id in current:
                # Only a release that could not be replaced; it was taken offline above.
                continue
            bundles |= {b.bundle_sha256 for b in release.bundles}
            session.delete(release)
            outcome.releases_deleted += 1
        session.flush()
        kept_bundles = set(
            session.scalars(
                select(ReleaseBundle.bundle_sha256).where(ReleaseBundle.bundle_sha256.in_(bundles))
            )
        )
        kept_originals = set(
            session.scalars(select(Asset.sha256).where(Asset.sha256.in_(plan["originals"])))
        )
        kept_renditions = set(
            session.scalars(
                select(Rendition.sha256).where(Rendition.sha256.in_(list(plan["renditions"])))
            )
        )
        # A photo stays while another story of the same organisation shows it; otherwise the
        # organisation lets go of it, and its bytes go unless another team holds its own
        # upload of them (a story elsewhere naming the hash is no hold on it).
        photos = set(plan.get("photos", []))
        kept_photos = set(
            session.scalars(
                select(Story.photo_sha256).where(
                    Story.photo_sha256.in_(photos),
                    Story.organisation_id == plan["organisation_id"],
                )
            )
        )
        unused = photos - kept_photos
        private_files.let_go(session, plan["organisation_id"], private_files.PHOTO, unused)
        session.flush()
        kept_photos |= private_files.held_anywhere(session, private_files.PHOTO, unused)
        kept_transcripts = set(
            session.scalars(
                select(ReleaseMedia.sha256).where(ReleaseMedia.sha256.in_(plan["transcripts"]))
            )
        )
        renders = forget_renders(session, plan["organisation_id"])
    for sha in sorted(bundles - kept_bundles):
        _delete_blob(blobs, bundle_key(sha), outcome)
    for sha in plan["originals"]:
        if sha not in kept_originals:
            for key in original_copies(sha):
                _delete_blob(blobs, key, outcome)
    for sha, key in plan["renditions"].items():
        if sha not in kept_renditions:
            _delete_blob(blobs, key, outcome)
    for sha in plan["transcripts"]:
        if sha not in kept_transcripts:
            _delete_blob(blobs, published_media_key(transcript_path(sha)), outcome)
    for sha in plan.get("photos", []):
        if sha not in kept_photos:
            _delete_blob(blobs, photo_key(sha), outcome)
    for key in renders:
        _delete_blob(blobs, key, outcome)


def withdraw(
    database: Database,
    blobs: BlobStore,
    keyring: Keyring,
    consent_id: int,
    actor: User | None,
) -> Outcome:
    """Withdraw a consent and remove its story everywhere; safe to run again after a crash."""
    entry_id = _step_one(database, consent_id, actor)
    with database.transaction() as session:
        entry = session.get(AuditEntry, entry_id) if entry_id is not None else None
        details = dict(entry.details) if entry is not None else {}
    outcome = Outcome(consent_id, details.get("story_id"))
    plan = details.get("pending")
    if plan is None:
        _removed(database, consent_id)
        return outcome
    _step_two(database, blobs, keyring, plan["trail_ids"], _media_shas(plan), outcome)
    _step_three(database, blobs, plan, outcome)
    with database.transaction() as session:
        row = session.get_one(AuditEntry, entry_id)
        done = {k: v for k, v in row.details.items() if k != "pending"}
        # Keep who, when and where; the hashes were only needed to finish the work.
        row.details = {
            **done,
            "completed_at": datetime.now(UTC).isoformat(),
            "republished": sorted(set(done.get("republished", [])) | set(outcome.republished)),
            "taken_offline": sorted(
                set(done.get("taken_offline", [])) | set(outcome.taken_offline)
            ),
            "rebuilt": sorted(set(done.get("rebuilt", [])) | set(outcome.rebuilt)),
            "cancelled": sorted(set(done.get("cancelled", [])) | set(outcome.cancelled)),
        }
    _removed(database, consent_id)
    database.scrub()
    return outcome


def _removed(database: Database, consent_id: int) -> None:
    """Note on the consent when the work was done: the audio left every bundle and the store."""
    with database.transaction() as session:
        consent = session.get(ConsentRecord, consent_id)
        if consent is not None and consent.removed_at is None:
            consent.removed_at = datetime.now(UTC)
