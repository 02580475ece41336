"""What an importer returns, and the small helpers every importer shares."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trails.errors import invalid
from trails.messages import msg
from trails.source import TrailSource, parse_source
from trails.validation import MAX_ROUTE_POSITIONS, MAX_STOPS, SLUG_MAX_LENGTH, check_language

DEFAULT_RADIUS_M = 25.0


@dataclass(frozen=True)
class ImportOptions:
    """Choices an import cannot read from the file: language, radius, names."""

    language: str = "en"
    radius_m: float = DEFAULT_RADIUS_M
    slug: str | None = None
    title: str | None = None


@dataclass
class Imported:
    """A trail read from another format, the media files it names, and what was left out.

    ``media`` maps each media path of ``trail`` to the file it is copied from.
    """

    trail: TrailSource
    media: dict[str, Path] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)


@dataclass
class Exported:
    """A trail written in another format, and what that format could not hold."""

    text: str
    dropped: list[str] = field(default_factory=list)


def slugify(text: str, fallback: str) -> str:
    """A slug from free text (accents folded, punctuation to hyphens), or ``fallback``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    slug = slug[:SLUG_MAX_LENGTH].rstrip("-")
    return slug or fallback


def unique_key(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3``… whichever is not taken yet; then taken."""
    key, n = wanted, 1
    while key in taken:
        n += 1
        suffix = f"-{n}"
        key = wanted[: SLUG_MAX_LENGTH - len(suffix)] + suffix
    taken.add(key)
    return key


def checked_language(options: ImportOptions) -> str:
    """The import language, refused early when it is not a BCP 47 tag."""
    try:
        return check_language(options.language)
    except ValueError as exc:
        raise invalid("language", options.language, str(exc)) from None


def circle(lon: float, lat: float, radius_m: float) -> dict[str, Any]:
    """A circle zone as ``trail.yaml`` writes it."""
    return {"type": "circle", "center": [lon, lat], "radius_m": radius_m}


@dataclass
class TrailDraft:
    """A trail being assembled by an importer, validated once at the end."""

    options: ImportOptions
    name: str
    description: str | None = None
    stops: list[dict[str, Any]] = field(default_factory=list)
    route: list[list[float]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    _keys: set[str] = field(default_factory=set)

    def add_stop(
        self,
        title: str | dict[str, str] | None,
        zone: dict[str, Any],
        key: Any = None,
        story: dict[str, Any] | None = None,
    ) -> str:
        """Append a stop named ``title`` (or numbered) with a key unique in the trail."""
        number = len(self.stops) + 1
        if number > MAX_STOPS:
            # Stop reading at once: a hostile file with a million points costs nothing more.
            raise invalid("stops", None, msg("a trail has at most {max} stops", max=MAX_STOPS))
        language = self.options.language
        if isinstance(title, dict) and title:
            titles = dict(title)
            label = titles.get(language) or next(iter(titles.values()))
        else:
            label = (title if isinstance(title, str) else "").strip() or f"Stop {number}"
            titles = {language: label}
        wanted = slugify(key, "") if isinstance(key, str) else ""
        stop_key = unique_key(wanted or slugify(label, f"stop-{number}"), self._keys)
        stop: dict[str, Any] = {"key": stop_key, "title": titles, "zone": zone}
        if story:
            stop["story"] = story
        self.stops.append(stop)
        return stop_key

    def check_route_size(self, positions: int) -> None:
        """Refuse a route too long for a walk (before its positions are converted)."""
        if positions > MAX_ROUTE_POSITIONS:
            raise invalid(
                "route",
                None,
                msg(
                    "a route has at most {max} positions; simplify it",
                    max=MAX_ROUTE_POSITIONS,
                ),
            )

    def build(self, what: str) -> TrailSource:
        """Validate the draft as a trail source; ``what`` names the input in errors."""
        language = checked_language(self.options)
        if not self.stops:
            raise invalid(what, None, msg("no places to turn into stops were found"))
        title = self.options.title or self.name.strip() or "Imported trail"
        data: dict[str, Any] = {
            "slug": self.options.slug or slugify(title, "imported-trail"),
            "languages": [language],
            "title": {language: title},
            "stops": self.stops,
            **self.extra,
        }
        if self.description and self.description.strip():
            data["description"] = {language: self.description.strip()}
        if self.route:
            self.check_route_size(len(self.route))
        if self.route and len(self.route) >= 2:
            data["route"] = self.route
        return parse_source(data)
