"""What differs between a trail's draft and its live release, and what visitors have now.

Computed from what is stored: the live release's signed manifest (read back as a trail
source) and the draft. Recordings are compared by content: a draft's recording is the live
one when one of its renditions has the hash the manifest names.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Literal

from server.db.models import Release, Stop, Trail
from trails.bundle.manifest import resolved_rules
from trails.bundle.source import trail_from_manifest
from trails.source import Stop as SourceStop
from trails.source import TrailSource

ChangeKind = Literal["stop_added", "stop_removed", "stop_changed", "trail", "dates", "visibility"]
"""What a change is about: a stop (added, removed, changed), the trail's details, its dates
or its visibility."""

LiveStateName = Literal["unpublished", "published", "scheduled", "ended"]
"""Whether visitors can walk the trail now: never published, open, not yet open, closed."""

# The trail's details compared (dates and visibility are changes of their own).
_TRAIL_FIELDS = ("title", "description", "languages", "mode", "timezone", "licence", "credits")


@dataclass(frozen=True)
class Change:
    """One difference between the draft and the live release."""

    kind: ChangeKind
    stop: str | None = None
    fields: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LiveState:
    """What visitors have: the live release's number, state, visibility and dates."""

    state: LiveStateName
    release: int | None = None
    visibility: str | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None


def live_state(trail: Trail, now: datetime | None = None) -> LiveState:
    """The trail as visitors find it now (from its current release, never from the draft)."""
    release: Release | None = trail.current_release
    if release is None:
        return LiveState("unpublished")
    now = now or datetime.now(UTC)
    state: LiveStateName = "published"
    if release.valid_from is not None and now < release.valid_from:
        state = "scheduled"
    elif release.valid_until is not None and now >= release.valid_until:
        state = "ended"
    return LiveState(
        state,
        release.number,
        release.visibility.value,
        release.valid_from,
        release.valid_until,
    )


def _sha_of(path: str | None) -> str | None:
    return PurePosixPath(path).stem if path else None


def _story_differs(row: Stop, live: SourceStop) -> bool:
    """Whether the draft's story (languages, recordings, transcripts, texts) is not the live one."""
    versions = [v for v in (row.story.versions if row.story else []) if v.audio is not None]
    heard = live.story.versions if live.story else {}
    if {v.language for v in versions} != set(heard):
        return True
    for version in versions:
        cue = heard[version.language]
        assert version.audio is not None  # filtered above
        if _sha_of(cue.audio) not in {r.sha256 for r in version.audio.renditions}:
            return True
        vtt = version.transcript_vtt
        written = hashlib.sha256(vtt.encode("utf-8")).hexdigest() if vtt is not None else None
        if _sha_of(cue.transcript) != written or (cue.text or None) != (version.text or None):
            return True
    return False


def _stop_fields(row: Stop, draft: SourceStop, live: SourceStop, moved: bool) -> list[str]:
    changed = []
    if draft.title != live.title:
        changed.append("title")
    if draft.zone.model_dump() != live.zone.model_dump():
        changed.append("zone")
    # The manifest writes every rule out (defaults, the exit margin resolved): compare alike.
    if resolved_rules(draft) != resolved_rules(live):
        changed.append("rules")
    if draft.position != live.position:
        changed.append("narration_position")
    if moved:
        changed.append("order")
    if _story_differs(row, live):
        changed.append("story")
    return changed


def draft_changes(trail: Trail, draft: TrailSource) -> list[Change]:
    """How the draft (``draft`` is it read back) differs from the live release, in order."""
    release = trail.current_release
    if release is None:
        return []
    # The signed manifest of any profile: they differ only in their media's encodings.
    live = trail_from_manifest(json.loads(release.bundles[0].manifest_bytes))
    rows = {stop.key: stop for stop in trail.stops}
    live_stops = {stop.key: stop for stop in live.stops}
    draft_keys = [s.key for s in draft.stops]
    kept_draft = [k for k in draft_keys if k in live_stops]
    kept_live = [s.key for s in live.stops if s.key in rows]
    changes: list[Change] = []
    for stop in draft.stops:
        if stop.key not in live_stops:
            changes.append(Change("stop_added", stop.key))
            continue
        moved = kept_draft.index(stop.key) != kept_live.index(stop.key)
        fields = _stop_fields(rows[stop.key], stop, live_stops[stop.key], moved)
        if fields:
            changes.append(Change("stop_changed", stop.key, fields))
    changes += [Change("stop_removed", s.key) for s in live.stops if s.key not in rows]
    details = [
        name
        for name in _TRAIL_FIELDS
        if getattr(draft, name) != getattr(live, name)
        and not (name == "licence" and not draft.licence and not live.licence)
    ]
    if draft.route != live.route:
        details.append("route")
    if [o.key for o in draft.objects] != [o.key for o in live.objects] or [
        a.key for a in draft.ambience
    ] != [a.key for a in live.ambience]:
        details.append("sounds")
    if details:
        changes.append(Change("trail", None, details))
    if (trail.valid_from, trail.valid_until) != (release.valid_from, release.valid_until):
        changes.append(Change("dates", None, ["valid_from", "valid_until"]))
    if trail.visibility != release.visibility:
        changes.append(Change("visibility", None, ["visibility"]))
    return changes
