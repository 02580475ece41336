"""The Soundscape authoring tool's activities: GPX with its ``gpxsc`` extensions.

An activity has metadata (name, description, author, availability, locale, behaviour)
and waypoints, each with arrival and departure texts and links to images and audio.
``docs/interchange.md`` lists what maps onto a Baladeur trail and what does not.
"""

from __future__ import annotations

import dataclasses
import mimetypes
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree as ET
from xml.etree.ElementTree import Element

from trails.errors import invalid
from trails.interchange.model import (
    Exported,
    Imported,
    ImportOptions,
    TrailDraft,
    circle,
)
from trails.interchange.places import zone_anchor
from trails.interchange.safexml import child, child_text, children, local_name, parse_xml
from trails.messages import msg
from trails.source import TrailSource
from trails.storage_names import source_media_path
from trails.validation import check_language
from trails.vocabulary import TrailMode

GPX_NS = "http://www.topografix.com/GPX/1/1"
SOUNDSCAPE_NS = "https://microsoft.com/Soundscape"
GUIDED_TOUR, ORIENTEERING = "GuidedTour", "Orienteering"


def is_soundscape(data: bytes) -> bool:
    """Whether a GPX document declares the Soundscape extension namespace."""
    return SOUNDSCAPE_NS.encode() in data[:4096] or b"gpxsc:meta" in data


def _time(value: str | None, where: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise invalid(where, value, msg("not an ISO 8601 date and time")) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _language(locale: str | None, fallback: str) -> str:
    if not locale:
        return fallback
    try:
        return check_language(locale.strip().replace("_", "-"))
    except ValueError:
        return fallback


class _MediaFinder:
    """Finds linked media beside the activity file; never downloads anything."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder.resolve() if folder else None
        self.found: dict[str, Path] = {}

    def local(self, href: str) -> str | None:
        """The trail media path of a linked file present beside the activity, or None."""
        if self.folder is None or not href:
            return None
        parts = urlsplit(href)
        path = unquote(parts.path)
        candidates = [PurePosixPath(path).name]
        if not parts.scheme and not parts.netloc:
            candidates.insert(0, path)
        for candidate in candidates:
            if not candidate:
                continue
            file = (self.folder / candidate).resolve()
            if file.is_file() and file.is_relative_to(self.folder):
                return self._name_for(file)
        return None

    def _name_for(self, file: Path) -> str:
        for relative, known in self.found.items():
            if known == file:
                return relative
        name, n = file.name, 1
        while source_media_path(name) in self.found:
            n += 1
            name = f"{n}-{file.name}"
        self.found[source_media_path(name)] = file
        return source_media_path(name)


def _point(element: Element, where: str) -> tuple[float, float]:
    try:
        return float(element.attrib["lon"]), float(element.attrib["lat"])
    except (KeyError, ValueError):
        raise invalid(
            where, dict(element.attrib), msg("a point needs numeric lat and lon")
        ) from None


def _extension(element: Element, name: str) -> Element | None:
    extensions = child(element, "extensions")
    return child(extensions, name) if extensions is not None else None


def import_soundscape(
    data: bytes, name: str, options: ImportOptions, media_dir: Path | None = None
) -> Imported:
    """A trail from a Soundscape activity; linked media are used when found in ``media_dir``."""
    root = parse_xml(data, "soundscape")
    if local_name(root) != "gpx":
        raise invalid(
            "soundscape",
            None,
            msg("not a GPX file: the document is <{root}>", root=local_name(root)),
        )
    metadata = child(root, "metadata")
    meta = _extension(metadata, "meta") if metadata is not None else None
    if metadata is None or meta is None:
        raise invalid(
            "soundscape", None, msg("not a Soundscape activity: no gpxsc:meta in metadata")
        )
    language = _language(child_text(meta, "locale"), options.language)
    options = dataclasses.replace(options, language=language)
    behaviour = child_text(meta, "behavior") or ORIENTEERING
    version = child_text(meta, "version") or "1"
    if version not in ("1", "2"):
        raise invalid("soundscape.version", version, msg("only versions 1 and 2 are known"))
    route = child(root, "rte")
    points = (
        children(root, "wpt")
        if version == "1"
        else children(route, "rtept")
        if route is not None
        else []
    )
    pois = children(root, "wpt") if version == "2" else []
    draft = TrailDraft(options, child_text(metadata, "name") or name, child_text(metadata, "desc"))
    dropped: list[str] = []
    finder = _MediaFinder(media_dir)
    _metadata(draft, metadata, meta, finder, dropped)
    guided = behaviour == GUIDED_TOUR and not pois
    draft.extra["mode"] = (TrailMode.sequential if guided else TrailMode.free).value
    if pois and behaviour == GUIDED_TOUR:
        dropped.append("points of interest make the trail free-roaming: the tour order is lost")
    for kind, elements in (("waypoint", points), ("point of interest", pois)):
        for index, element in enumerate(elements):
            _stop(draft, element, f"soundscape.{kind}.{index}", finder, dropped)
    if behaviour == GUIDED_TOUR and len(points) > 1:
        draft.route = [list(_point(e, "soundscape")) for e in points]
    trail = draft.build("soundscape")
    used = set(trail.media_paths())
    return Imported(trail, {k: v for k, v in finder.found.items() if k in used}, dropped)


def _metadata(
    draft: TrailDraft, metadata: Element, meta: Element, finder: _MediaFinder, dropped: list[str]
) -> None:
    author = child(metadata, "author")
    author_name = child_text(author, "name") if author is not None else None
    if author_name:
        draft.extra["credits"] = [{"name": author_name, "role": "author"}]
    start = _time(meta.attrib.get("start"), "soundscape.start")
    end = _time(meta.attrib.get("end"), "soundscape.end")
    if start:
        draft.extra["valid_from"] = start
    if end and meta.attrib.get("expires", "false").lower() == "true":
        draft.extra["valid_until"] = end
    elif end:
        dropped.append("availability end kept out: the activity does not expire")
    for link in children(metadata, "link"):
        href = link.attrib.get("href", "")
        cover = finder.local(href)
        if cover is None:
            dropped.append(f"image {href} not found beside the activity")
        elif "cover" in draft.extra:
            dropped.append(f"image {href} left out: a trail has one cover")
        else:
            draft.extra["cover"] = cover


def _stop(
    draft: TrailDraft, element: Element, where: str, finder: _MediaFinder, dropped: list[str]
) -> None:
    lon, lat = _point(element, where)
    title = child_text(element, "name")
    label = title or where
    texts: dict[str, str] = {}
    annotations = _extension(element, "annotations")
    for note in children(annotations, "annotation") if annotations is not None else []:
        if note.text and note.text.strip():
            texts[note.attrib.get("type", "")] = note.text.strip()
    audio: list[str] = []
    links = _extension(element, "links")
    for link in children(links, "link") if links is not None else []:
        href = link.attrib.get("href", "")
        kind = child_text(link, "type") or mimetypes.guess_type(href)[0] or ""
        found = finder.local(href) if kind.startswith("audio") else None
        if found:
            audio.append(found)
        else:
            dropped.append(f"{label}: {kind or 'link'} {href} not imported")
    story: dict[str, Any] | None = None
    if audio:
        version: dict[str, str] = {"audio": audio[0]}
        if "arrival" in texts:
            version["text"] = texts.pop("arrival")
        story = {"versions": {draft.options.language: version}}
        for extra in audio[1:]:
            dropped.append(f"{label}: only the first audio clip is kept, {extra} left out")
    for kind in sorted(texts):
        dropped.append(
            f"{label}: {kind or 'untyped'} text not kept (Baladeur plays recorded audio)"
        )
    if child_text(element, "desc"):
        dropped.append(f"{label}: description not kept: stops have no text")
    draft.add_stop(title, circle(lon, lat, draft.options.radius_m), story=story)


def _sub(parent: Element, tag: str, text: str | None = None, **attrib: str) -> Element:
    element = ET.SubElement(parent, tag, attrib)
    element.text = text
    return element


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def export_soundscape(trail: TrailSource) -> Exported:
    """A Soundscape activity: sequential trails as guided tours, free ones as orienteering."""
    language = trail.languages[0]
    g, sc = f"{{{GPX_NS}}}", f"{{{SOUNDSCAPE_NS}}}"
    ET.register_namespace("", GPX_NS)
    ET.register_namespace("gpxsc", SOUNDSCAPE_NS)
    root = ET.Element(f"{g}gpx", {"version": "1.1", "creator": "Baladeur"})
    metadata = _sub(root, f"{g}metadata")
    _sub(metadata, f"{g}name", _pick(trail.title, language))
    _sub(metadata, f"{g}desc", _pick(trail.description, language) or "")
    author = _sub(metadata, f"{g}author")
    _sub(author, f"{g}name", trail.credits[0].name if trail.credits else "Baladeur")
    if trail.cover:
        link = _sub(metadata, f"{g}link", href=trail.cover)
        _sub(link, f"{g}type", "image")
    attrib = {"expires": "true" if trail.valid_until else "false"}
    if trail.valid_from:
        attrib["start"] = _iso(trail.valid_from)
    if trail.valid_until:
        attrib["end"] = _iso(trail.valid_until)
    meta = _sub(_sub(metadata, f"{g}extensions"), f"{sc}meta", **attrib)
    _sub(meta, f"{sc}id", trail.slug)
    _sub(meta, f"{sc}locale", language.replace("-", "_"))
    tour = trail.mode == TrailMode.sequential
    _sub(meta, f"{sc}behavior", GUIDED_TOUR if tour else ORIENTEERING)
    _sub(meta, f"{sc}version", "2" if tour else "1")
    parent = _sub(root, f"{g}rte") if tour else root
    tag = f"{g}rtept" if tour else f"{g}wpt"
    for stop in trail.stops:
        lon, lat = zone_anchor(stop.zone)
        point = _sub(parent, tag, lat=repr(lat), lon=repr(lon))
        _sub(point, f"{g}name", _pick(stop.title, language))
        version = stop.story.versions.get(language) if stop.story else None
        if stop.story and version is None:
            version = next(iter(stop.story.versions.values()))
        if version is None:
            continue
        extensions = _sub(point, f"{g}extensions")
        if version.text:
            notes = _sub(extensions, f"{sc}annotations")
            _sub(notes, f"{sc}annotation", version.text, type="arrival")
        links = _sub(extensions, f"{sc}links")
        link = _sub(links, f"{sc}link", href=version.audio)
        _sub(link, f"{g}text", _pick(stop.title, language))
        _sub(link, f"{g}type", mimetypes.guess_type(version.audio)[0] or "audio/ogg")
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
    return Exported(text, _export_losses(trail, language))


def _pick(texts: dict[str, str], language: str) -> str | None:
    if not texts:
        return None
    return texts.get(language) or next(iter(texts.values()))


def _export_losses(trail: TrailSource, language: str) -> list[str]:
    losses = ["zones become points: Soundscape decides itself when a waypoint is reached"]
    if len(trail.languages) > 1:
        losses.append(f"only the {language} version is kept: an activity has one locale")
    if any(stop.rules.model_dump(exclude_defaults=True) for stop in trail.stops):
        losses.append("trigger rules (dwell, replay, conditions, time windows) are not kept")
    if any(v.transcript for s in trail.stops if s.story for v in s.story.versions.values()):
        losses.append("transcripts are not kept")
    if trail.ambience:
        losses.append(f"{len(trail.ambience)} ambience layer(s) not kept")
    if trail.route:
        losses.append("the route line is not kept: the waypoints give the way")
    losses.append("media are linked by their path in the trail folder; copy them alongside")
    return losses
