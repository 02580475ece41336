"""Offline renders of an author's simulated walk: checked, queued, mixed from the draft.

The walk is drawn by an author in the studio (authenticated, on the authoring side of the
API); it is never a visitor's position. The render mixes the draft as it is when the job
runs (stops, sound objects, ambience; each recording as phones get it, its Opus encoding,
or its original while it is being processed) with the renderer of ``baladeur simulate
--render`` (``media/render``). Renders are disposable: each new one deletes the oldest of
its trail beyond ``RenderLimits.kept``.
A failed render leaves no file, only its row saying why.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from media.blobs import BlobNotFound, BlobStore, BlobStoreUnavailable
from media.render.walk import decode_sounds, durations_of, render_walk, sound_files
from media.renditions import ENCODINGS
from server.db.models import Render, RenderStatus, Trail
from server.db.session import Database
from server.draft_source import to_source
from server.render_limits import RenderLimits
from server.uploads import after_commit
from trails.errors import DomainError, FieldError, InvalidInput, NotFound
from trails.messages import joined, msg
from trails.simulate import simulate
from trails.source import LoadedSource
from trails.storage_names import audio_name, original_key, render_key, rendition_key
from trails.tracks import Track, resample
from trails.triggers.from_source import engine_trail
from trails.triggers.model import Fix
from trails.vocabulary import DEFAULT_PROFILE

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RenderFormat:
    """An output format: the file's extension (which picks the encoder) and media type."""

    extension: str
    media_type: str


FORMATS: dict[str, RenderFormat] = {
    "opus": RenderFormat(".opus", "audio/ogg"),
    "wav": RenderFormat(".wav", "audio/wav"),
}
_BY_EXTENSION = {f.extension: f for f in FORMATS.values()}


@dataclass(frozen=True)
class WalkRequest:
    """What an author asks to hear: fixes ``(t, lat, lon, accuracy_m)``, ``t`` in seconds
    from any origin, and when the walk is taken to start (for local-time windows)."""

    fixes: list[tuple[float, float, float, float]]
    started_at: datetime
    binaural: bool
    format: str
    language: str | None


def walk_problems(
    fixes: list[tuple[float, float, float, float]], limits: RenderLimits
) -> list[FieldError]:
    """What stops a walk from being rendered (empty when nothing does)."""
    if len(fixes) < 2:
        return [FieldError("fixes", len(fixes), msg("a walk needs at least two fixes"))]
    for i in range(1, len(fixes)):
        if not fixes[i][0] > fixes[i - 1][0]:
            message = msg(
                "times must increase: fix {index} is not after fix {previous}",
                index=i,
                previous=i - 1,
            )
            return [FieldError(f"fixes.{i}.t", fixes[i][0], message)]
    span = fixes[-1][0] - fixes[0][0]
    if span > limits.max_walk_s:
        message = msg(
            "the walk lasts {minutes} min; at most {limit} min can be rendered",
            minutes=round(span / 60),
            limit=round(limits.max_walk_s / 60),
        )
        return [FieldError("fixes", round(span), message)]
    if len(fixes) > limits.max_fixes:
        message = msg("a walk can have at most {limit} fixes", limit=limits.max_fixes)
        return [FieldError("fixes", len(fixes), message)]
    return []


def request_render(
    session: Session,
    trail: Trail,
    walk: WalkRequest,
    *,
    requested_by: str | None,
    limits: RenderLimits,
    blobs: BlobStore,
    queue: Callable[[str], object],
) -> Render:
    """Check the walk, record the render as queued, and queue it once committed."""
    problems = walk_problems(walk.fixes, limits)
    language = walk.language or trail.languages[0]
    if language not in trail.languages:
        problems.append(
            FieldError(
                "language",
                language,
                msg("the trail speaks {languages}", languages=", ".join(trail.languages)),
            )
        )
    if walk.format not in FORMATS:
        problems.append(FieldError("format", walk.format, msg("the format must be opus or wav")))
    if problems:
        raise InvalidInput(problems)
    row = Render(
        id=uuid.uuid4().hex,
        trail_id=trail.id,
        status=RenderStatus.queued,
        walk={
            "fixes": [list(f) for f in walk.fixes],
            "started_at": walk.started_at.timestamp(),
        },
        language=language,
        binaural=walk.binaural,
        format=walk.format,
        requested_by=requested_by,
        created_at=datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    _prune(session, blobs, trail.id, limits.kept, keep=row.id)
    render_id = row.id
    after_commit(session, lambda: queue(render_id))
    return row


def render_in(session: Session, trail: Trail, render_id: str) -> Render:
    """A render of this trail, or :class:`NotFound`."""
    row = session.get(Render, render_id)
    if row is None or row.trail_id != trail.id:
        raise NotFound(msg("no render '{render}' of this trail", render=render_id))
    return row


def audio_key(row: Render) -> str:
    """Where a finished render's file is stored."""
    return render_key(row.id, FORMATS[row.format].extension)


def forget_renders(session: Session, organisation_id: int) -> list[str]:
    """Delete every render of the organisation's trails; the keys of their stored files.

    A withdrawal of consent calls it: a render may hold the withdrawn voice whichever draft
    it was mixed from. A render still running finds its row gone and drops its file.
    """
    rows = session.scalars(
        select(Render)
        .join(Trail, Render.trail_id == Trail.id)
        .where(Trail.organisation_id == organisation_id)
    ).all()
    keys = [audio_key(r) for r in rows if r.status == RenderStatus.done]
    for row in rows:
        session.delete(row)
    return keys


def _prune(session: Session, blobs: BlobStore, trail_id: int, kept: int, *, keep: str) -> None:
    # The newest ``kept`` stay (the new one among them); the blobs go once the rows have.
    older = session.scalars(
        select(Render)
        .where(Render.trail_id == trail_id, Render.id != keep)
        .order_by(Render.created_at.desc(), Render.id)
        .offset(kept - 1)
    ).all()
    keys = [audio_key(r) for r in older if r.status == RenderStatus.done]
    for row in older:
        session.delete(row)
    if keys:
        after_commit(session, lambda: _delete_blobs(blobs, keys))


def _delete_blobs(blobs: BlobStore, keys: list[str]) -> None:
    for key in keys:
        try:
            blobs.delete(key)
        except BlobStoreUnavailable:
            log.warning("could not delete %s; the store's clean-up will", key)


def run_render(database: Database, blobs: BlobStore, render_id: str, work_root: Path) -> str:
    """Mix a queued render and store its file; returns the final status."""
    with database.transaction() as session:
        row = session.get(Render, render_id)
        if row is None or row.status in (RenderStatus.done, RenderStatus.failed):
            return "gone" if row is None else row.status.value
        row.status = RenderStatus.running
    work_root.mkdir(parents=True, exist_ok=True)
    key: str | None = None
    try:
        with tempfile.TemporaryDirectory(dir=work_root, prefix="render-") as tmp:
            out, duration = _mix(database, blobs, render_id, Path(tmp))
            info = _store(blobs, render_id, out)
            key = info[0]
        with database.transaction() as session:
            row = session.get(Render, render_id)
            if row is None:
                # Pruned by newer renders while it ran: its file goes too.
                blobs.delete(key)
                return "gone"
            row.status = RenderStatus.done
            row.bytes, row.sha256 = info[1], info[2]
            row.duration_s = duration
            row.finished_at = datetime.now(UTC)
        return RenderStatus.done.value
    except Exception as exc:
        if key is not None:
            blobs.delete(key)
        if isinstance(exc, DomainError):
            reason = str(exc)
        else:
            log.exception("render %s failed", render_id)
            reason = f"the render failed ({type(exc).__name__})"
        with database.transaction() as session:
            row = session.get(Render, render_id)
            if row is not None:
                row.status = RenderStatus.failed
                row.failure_reason = reason[:2000]
                row.finished_at = datetime.now(UTC)
        return RenderStatus.failed.value


def _mix(database: Database, blobs: BlobStore, render_id: str, folder: Path) -> tuple[Path, float]:
    with database.transaction() as session:
        row = session.get_one(Render, render_id)
        trail = session.get_one(Trail, row.trail_id)
        source = to_source(session, trail)
        recordings = _recordings(trail)
        walk: dict[str, Any] = dict(row.walk)
        language, binaural = row.language, row.binaural
        extension = FORMATS[row.format].extension
    loaded = LoadedSource(source, folder)
    files = sound_files(loaded, language)
    for path in dict.fromkeys(files.values()):
        recording = recordings[path.relative_to(folder).as_posix()]
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("wb") as f:
                for chunk in blobs.open(recording.key):
                    f.write(chunk)
        except BlobNotFound:
            raise NotFound(
                msg("the recording '{name}' is no longer stored", name=recording.filename)
            ) from None
    try:
        sounds = decode_sounds(files)
    except InvalidInput as exc:
        # The author knows a file by its uploaded name, not by the job's working path.
        by_path = {str(folder / rel): r.filename for rel, r in recordings.items()}
        told = [
            msg("'{name}': {problem}", name=by_path.get(str(e.value), e.value), problem=e.message)
            for e in exc.errors
        ]
        raise InvalidInput(exc.errors, joined(told)) from None
    engine = engine_trail(source, durations_of(sounds))
    start = float(walk["started_at"])
    first = walk["fixes"][0][0]
    fixes = [Fix(start + t - first, lat, lon, acc) for t, lat, lon, acc in walk["fixes"]]
    track = resample(Track(fixes, True, "studio walk"))
    sim = simulate(source, engine, track)
    out = folder / f"walk{extension}"
    done = render_walk(engine, sim, sounds, out, binaural=binaural)
    return out, float(done["duration_s"])


@dataclass(frozen=True)
class _Recording:
    """An audio media path of the draft: its uploaded name, and the blob to hear it from."""

    filename: str
    key: str


def _recordings(trail: Trail) -> dict[str, _Recording]:
    """Each audio media path of the draft, read from its phone encoding when there is one.

    The encoding is what visitors hear (loudness normalised at ingest); an asset still being
    processed is heard from its original.
    """
    assets = [v.audio for s in trail.stops if s.story for v in s.story.versions if v.audio]
    assets += [layer.asset for layer in trail.ambience]
    assets += [obj.asset for obj in trail.objects]
    found = {}
    for asset in assets:
        key = original_key(asset.sha256)
        for rendition in asset.renditions:
            if rendition.profile == DEFAULT_PROFILE:
                key = rendition_key(rendition.sha256, ENCODINGS[DEFAULT_PROFILE].extension)
        found[audio_name(asset.sha256, asset.filename)] = _Recording(asset.filename, key)
    return found


def _store(blobs: BlobStore, render_id: str, out: Path) -> tuple[str, int, str]:
    key = render_key(render_id, out.suffix)
    digest = hashlib.sha256()
    with out.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    with out.open("rb") as f:
        info = blobs.put(key, f, content_type=_BY_EXTENSION[out.suffix].media_type)
    return key, info.size, digest.hexdigest()


def unfinished(session: Session) -> list[str]:
    """Renders a killed worker left queued or running, set back to queued."""
    rows = session.scalars(
        select(Render).where(Render.status.in_([RenderStatus.queued, RenderStatus.running]))
    ).all()
    for row in rows:
        row.status = RenderStatus.queued
    return [r.id for r in rows]
