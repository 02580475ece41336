"""The authoring checks of a draft, as the checks route shows them and publishing enforces."""

from __future__ import annotations

from server.db.models import Trail
from trails.checks import CheckItem, check_trail
from trails.source import TrailSource


def check_draft(trail: Trail, source: TrailSource) -> list[CheckItem]:
    """Every check of a draft (``source`` is the draft read back), most serious first."""
    durations: dict[str, dict[str, float]] = {}
    for stop in trail.stops:
        for version in stop.story.versions if stop.story else []:
            if version.audio is not None and version.audio.duration_s is not None:
                durations.setdefault(stop.key, {})[version.language] = version.audio.duration_s
    silent = {stop.key for stop in trail.stops if stop.silent}
    return check_trail(source, durations, silent=silent)


def errors_of(items: list[CheckItem]) -> list[CheckItem]:
    """The findings that stop a trail from being published."""
    return [item for item in items if item.severity == "error"]
