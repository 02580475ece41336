"""Stories of an organisation: create, change, delete, with their languages checked."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from media.errors import RejectedMedia
from server import covers, private_files
from server.auth.access import row_in
from server.db.models import Asset, Stop, Story, StoryStatus, StoryVersion, User
from server.private_files import Cleaned
from server.schemas.stories import StoryCreate, StoryUpdate, StoryVersionIn
from trails.errors import Conflict, FieldError, InvalidInput, invalid
from trails.messages import msg
from trails.storage_names import photo_key
from trails.vocabulary import AudioRole

PHOTO_MAX_BYTES = 20 * 1024**2
_PHOTO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
PHOTO_MEDIA_TYPES = (*_PHOTO_TYPES.values(), "image/webp")

_TIME = r"(?:\d{2,}:)?[0-5]\d:[0-5]\d\.\d{3}"
_TIMING = re.compile(rf"^({_TIME})[ \t]+-->[ \t]+({_TIME})(?:[ \t]+\S.*)?$")


def _seconds(stamp: str) -> float:
    parts = stamp.split(":")
    hours = int(parts[0]) if len(parts) == 3 else 0
    return hours * 3600 + int(parts[-2]) * 60 + float(parts[-1])


def vtt_problem(text: str) -> str | None:
    """The first thing wrong with a WebVTT document (naming its line), or ``None``.

    A strict reading of the WebVTT syntax: the ``WEBVTT`` header, then blocks separated by
    blank lines; each cue has an optional identifier and a timing line whose end follows
    its start; NOTE, STYLE and REGION blocks are allowed.
    """
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not re.match(r"^WEBVTT(?:[ \t].*)?$", lines[0]):
        return msg("line 1: a WebVTT transcript starts with the line WEBVTT")
    number = 1
    # Skip the rest of the header block.
    while number < len(lines) and lines[number].strip():
        number += 1
    while number < len(lines):
        if not lines[number].strip():
            number += 1
            continue
        start = number
        block = []
        while number < len(lines) and lines[number].strip():
            block.append(lines[number])
            number += 1
        if re.match(r"^(NOTE|STYLE|REGION)(?:[ \t]|$)", block[0]) and "-->" not in block[0]:
            continue
        timing_at = 0 if "-->" in block[0] else 1
        if timing_at >= len(block) or "-->" not in block[timing_at]:
            return msg(
                "line {line}: '{text}' starts a cue without a timing line "
                "(00:00.000 --> 00:04.000)",
                line=start + 1,
                text=block[0][:60],
            )
        match = _TIMING.match(block[timing_at])
        if match is None:
            return msg(
                "line {line}: '{text}' is not a cue timing (00:00.000 --> 00:04.000)",
                line=start + timing_at + 1,
                text=block[timing_at][:60],
            )
        if _seconds(match.group(2)) <= _seconds(match.group(1)):
            return msg("line {line}: the cue ends before it starts", line=start + timing_at + 1)
        if any("-->" in line for line in block[timing_at + 1 :]):
            return msg("line {line}: a cue's text cannot contain '-->'", line=start + timing_at + 2)
    return None


def photo_type(path: Path) -> str:
    """The type of a staged photo from its first bytes: PNG, JPEG or WebP (else 415)."""
    with path.open("rb") as fh:
        head = fh.read(12)
    for magic, mime in _PHOTO_TYPES.items():
        if head.startswith(magic):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    raise RejectedMedia(msg("a photo must be a PNG, JPEG or WebP image"), reason="not_audio")


def clean_photo(path: Path) -> Cleaned:
    """A staged photo checked (PNG, JPEG or WebP, else 415) and stripped of its metadata."""
    photo_type(path)
    data, mime = covers.clean_image(path.read_bytes(), what="a photo", as_jpeg=False)
    return Cleaned(data, mime)


PHOTOS = private_files.Kind(private_files.PHOTO, photo_key, PHOTO_MAX_BYTES, clean_photo)


def _check_photo(
    session: Session, organisation_id: int, sha256: str | None, uploader_id: int | None
) -> None:
    # The same words whether the hash is unknown or another team's (or member's) photo.
    if sha256 is not None and not private_files.holds(
        session, organisation_id, private_files.PHOTO, sha256, uploader_id
    ):
        raise invalid(
            "photo_sha256",
            sha256,
            msg("no photo with this hash in this organisation: upload the photo first"),
        )


def story_in(session: Session, organisation_id: int, story_id: int) -> Story:
    """A story of the organisation; another organisation's story is simply not found."""
    return row_in(session, Story, organisation_id, story_id, "story")


def _check_versions(
    session: Session,
    organisation_id: int,
    versions: dict[str, StoryVersionIn],
    uploader_id: int | None = None,
) -> None:
    # A contributor may use only their own uploads (they cannot see anyone else's).
    errors = []
    for language, version in versions.items():
        if version.audio_asset_id is not None:
            asset = session.get(Asset, version.audio_asset_id)
            if (
                asset is None
                or asset.organisation_id != organisation_id
                or (uploader_id is not None and asset.uploaded_by_id != uploader_id)
            ):
                errors.append(
                    FieldError(
                        f"versions.{language}.audio_asset_id",
                        version.audio_asset_id,
                        msg("no such asset in this organisation: upload the audio first"),
                    )
                )
        if version.transcript_vtt is not None:
            problem = vtt_problem(version.transcript_vtt)
            if problem is not None:
                errors.append(
                    FieldError(
                        f"versions.{language}.transcript_vtt",
                        None,
                        msg("WebVTT {problem}", problem=problem),
                    )
                )
        if version.audio_asset_id is None and not version.text and not version.transcript_vtt:
            errors.append(
                FieldError(f"versions.{language}", None, msg("give audio, a transcript or a text"))
            )
    if errors:
        raise InvalidInput(errors)


def _set_versions(story: Story, versions: dict[str, StoryVersionIn]) -> None:
    by_language = {v.language: v for v in story.versions}
    for language in set(by_language) - set(versions):
        story.versions.remove(by_language[language])
    for language, data in versions.items():
        row = by_language.get(language)
        if row is None:
            row = StoryVersion(language=language)
            story.versions.append(row)
        row.audio_asset_id = data.audio_asset_id
        row.transcript_vtt = data.transcript_vtt
        row.text = data.text


def create_story(
    session: Session,
    organisation_id: int,
    body: StoryCreate,
    *,
    status: StoryStatus,
    submitted_by: User | None = None,
    contributor_name: str | None = None,
    invitation_id: int | None = None,
    own_assets_only: bool = False,
) -> Story:
    """A new story with its languages; assets and photo must be the organisation's.

    With ``own_assets_only`` (a contributor), they must be the submitter's own uploads.
    """
    uploader_id = submitted_by.id if own_assets_only and submitted_by else None
    _check_versions(session, organisation_id, body.versions, uploader_id)
    _check_photo(session, organisation_id, body.photo_sha256, uploader_id)
    story = Story(
        organisation_id=organisation_id,
        title=body.title,
        role=AudioRole(body.role),
        licence=body.licence,
        credits=[c.model_dump(mode="json") for c in body.credits or []],
        consents=[],
        status=status,
        submitted_by_id=submitted_by.id if submitted_by else None,
        contributor_name=contributor_name,
        invitation_id=invitation_id,
        photo_sha256=body.photo_sha256,
    )
    _set_versions(story, body.versions)
    session.add(story)
    session.flush()
    return story


def update_story(session: Session, story: Story, body: StoryUpdate) -> None:
    """Apply the fields the caller sent; the story's ETag changes even if only languages do."""
    if "photo_sha256" in body.model_fields_set:
        _check_photo(session, story.organisation_id, body.photo_sha256, None)
        story.photo_sha256 = body.photo_sha256
    if body.versions is not None:
        _check_versions(session, story.organisation_id, body.versions)
        _set_versions(story, body.versions)
    if body.title is not None:
        story.title = body.title
    if body.role is not None:
        story.role = AudioRole(body.role)
    if "licence" in body.model_fields_set:
        story.licence = body.licence
    if body.credits is not None:
        story.credits = [c.model_dump(mode="json") for c in body.credits]
    story.updated_at = datetime.now(UTC)
    session.flush()


def delete_story(session: Session, story: Story) -> None:
    """Delete a story that no stop uses (its assets stay in the library)."""
    used = session.scalars(select(Stop).where(Stop.story_id == story.id)).all()
    if used:
        places = ", ".join(sorted(f"{s.trail.slug}/{s.key}" for s in used))
        raise Conflict(
            msg("this story is placed at {places}; remove it from those stops first", places=places)
        )
    session.delete(story)
    session.flush()


def review(
    session: Session, story: Story, reviewer: User, approve: bool, reason: str | None
) -> None:
    """Approve or reject a submitted (or earlier reviewed) contribution."""
    if not approve:
        used = session.scalar(select(Stop.id).where(Stop.story_id == story.id).limit(1))
        if used is not None:
            raise Conflict(msg("this story is placed in a trail; remove it from its stops first"))
    story.status = StoryStatus.approved if approve else StoryStatus.rejected
    story.review_reason = reason
    story.reviewed_by_id = reviewer.id
    story.reviewed_at = datetime.now(UTC)
    session.flush()
