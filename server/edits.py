"""Edits of an asset (trim, fades): rendered from its original and stored as a new asset.

The source asset is only read, so an edit can always be redone differently. The rendered
WAV is content-addressed like any upload: the same edit of the same source gives the same
asset. Nothing is stored until the render has succeeded.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from media.blobs import BlobNotFound, BlobStore
from media.edits import Edit, apply_edit, apply_long_edit
from media.ingest import Staged
from media.limits import MediaLimits
from server.db.models import Asset
from server.uploads import Owner, asset_from_staged
from trails.errors import Conflict, FieldError, InvalidInput
from trails.messages import msg
from trails.storage_names import original_key

# Probed durations and decoded lengths differ by a few samples; points this close to the
# end mean "the end".
_END_SLACK_S = 1e-3


def checked_edit(
    duration_s: float,
    *,
    trim_start_s: float = 0.0,
    trim_end_s: float | None = None,
    fade_in_s: float = 0.0,
    fade_out_s: float = 0.0,
) -> Edit:
    """Check edit values against a clip's duration; raise one error naming every bad field."""
    errors: list[FieldError] = []
    if trim_end_s is not None and trim_end_s >= duration_s - _END_SLACK_S:
        if trim_end_s > duration_s + _END_SLACK_S:
            errors.append(
                FieldError(
                    "trim_end_s",
                    trim_end_s,
                    msg(
                        "the clip lasts {duration} s; end before that",
                        duration=round(duration_s, 3),
                    ),
                )
            )
        trim_end_s = None
    end = duration_s if trim_end_s is None else trim_end_s
    if trim_start_s >= duration_s:
        errors.append(
            FieldError(
                "trim_start_s",
                trim_start_s,
                msg(
                    "the clip lasts {duration} s; start before that",
                    duration=round(duration_s, 3),
                ),
            )
        )
    elif trim_start_s >= end:
        errors.append(
            FieldError(
                "trim_end_s", trim_end_s, msg("the end must come after the start of the trim")
            )
        )
    kept = max(end - trim_start_s, 0.0)
    for name, value in (("fade_in_s", fade_in_s), ("fade_out_s", fade_out_s)):
        if value > kept + _END_SLACK_S:
            errors.append(
                FieldError(
                    name,
                    value,
                    msg(
                        "a fade cannot outlast the kept audio ({kept} s)",
                        kept=round(kept, 3),
                    ),
                )
            )
    if not errors and trim_start_s == 0 and trim_end_s is None and not fade_in_s and not fade_out_s:
        errors.append(FieldError("trim_start_s", trim_start_s, msg("this edit changes nothing")))
    if errors:
        raise InvalidInput(errors)
    return Edit(
        trim_start_s=trim_start_s,
        trim_end_s=trim_end_s,
        fade_in_s=min(fade_in_s, kept),
        fade_out_s=min(fade_out_s, kept),
    )


def edit_record(edit: Edit) -> dict[str, Any]:
    """The edit as stored on the derived asset (and shown to clients)."""
    return {
        "trim_start_s": edit.trim_start_s,
        "trim_end_s": edit.trim_end_s,
        "fade_in_s": edit.fade_in_s,
        "fade_out_s": edit.fade_out_s,
    }


def _edited_name(filename: str, extension: str) -> str:
    return f"{Path(filename).stem[:200] or 'audio'}-edit{extension}"


def derive_asset(
    session: Session,
    blobs: BlobStore,
    source: Asset,
    edit: Edit,
    *,
    user_id: int | None,
    limits: MediaLimits,
    queue: Callable[[int], object],
    tmp_dir: Path | None = None,
    timeout_s: float = 3600,
) -> tuple[Asset, bool]:
    """Render ``edit`` of ``source``'s original into a new asset; returns it and whether it is new.

    Short clips go through pydub (WAV out), long ones stream through ffmpeg (FLAC out). Its
    ingest job is queued after the commit, as for an upload.
    """
    if tmp_dir is not None:
        tmp_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="baladeur-edit-", dir=tmp_dir) as work:
        original = Path(work) / "original"
        try:
            with original.open("wb") as out:
                for chunk in blobs.open(original_key(source.sha256)):
                    out.write(chunk)
        except BlobNotFound:
            raise Conflict(
                msg("the original file of this audio is missing from storage; upload it again")
            ) from None
        if (source.duration_s or 0.0) > limits.max_edit_duration_s:
            clip = apply_long_edit(
                original, Path(work) / "edited.flac", edit, limits=limits, timeout_s=timeout_s
            )
            staged = Staged(clip.path, clip.sha256, clip.bytes)
            extension, declared = ".flac", "audio/flac"
        else:
            clip = apply_edit(original, Path(work) / "edited.wav", edit, limits=limits)
            staged = Staged(clip.path, clip.sha256, clip.bytes)
            extension, declared = ".wav", "audio/wav"
        derived, created = asset_from_staged(
            session,
            blobs,
            staged,
            # Only editors edit: the same edit of the same source gives the same asset.
            owner=Owner(source.organisation_id, user_id, sees_all=True),
            filename=_edited_name(source.filename, extension),
            role=source.role,
            limits=limits,
            declared_type=declared,
            queue=queue,
        )
    if created:
        derived.derived_from_id = source.id
        derived.edit = edit_record(edit)
        session.flush()
    return derived, created
