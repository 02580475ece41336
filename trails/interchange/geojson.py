"""GeoJSON (RFC 7946): stops from Point and Polygon features, the route from a LineString."""

from __future__ import annotations

import json
from typing import Any

from trails.errors import invalid
from trails.interchange.model import Exported, Imported, ImportOptions, TrailDraft, circle
from trails.interchange.places import position
from trails.jsontext import load_json
from trails.messages import msg
from trails.source import CircleZone, TrailSource


def _load(data: bytes) -> dict[str, Any]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise invalid("geojson", None, msg("not UTF-8 text")) from None
    document = load_json(text, "geojson")
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise invalid("geojson", None, msg("expected a GeoJSON FeatureCollection"))
    if not isinstance(document.get("features"), list):
        raise invalid("geojson", None, msg("the FeatureCollection has no 'features' list"))
    return document


def _titles(properties: dict[str, Any]) -> str | dict[str, str] | None:
    titles = properties.get("title")
    if isinstance(titles, dict) and titles and all(isinstance(v, str) for v in titles.values()):
        return {str(k): v for k, v in titles.items()}
    return _title(properties)


def _title(properties: dict[str, Any]) -> str | None:
    for name in ("name", "title", "Name", "NAME"):
        value = properties.get(name)
        if isinstance(value, str) and value.strip():
            return value
    return None


def import_geojson(data: bytes, name: str, options: ImportOptions) -> Imported:
    """Points become circle stops, Polygons polygon stops, the first LineString the route."""
    document = _load(data)
    named = [document.get(k) for k in ("title", "name")]
    draft = TrailDraft(options, next((n for n in named if isinstance(n, str) and n), name))
    dropped: list[str] = []
    for index, feature in enumerate(document["features"]):
        where = f"features.{index}"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise invalid(f"geojson.{where}", None, msg("not a GeoJSON Feature"))
        properties = feature.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        geometry = feature.get("geometry")
        geometry = geometry if isinstance(geometry, dict) else {}
        kind = geometry.get("type")
        coordinates: Any = geometry.get("coordinates")
        label = _title(properties) or f"feature {index}"
        try:
            if properties.get("kind") == "ambience":
                dropped.append(f"{label}: ambience layer not imported (its audio is not here)")
            elif kind == "Point":
                radius = properties.get("radius_m")
                if not isinstance(radius, int | float) or isinstance(radius, bool):
                    radius = options.radius_m
                lon, lat = position(coordinates)
                zone = circle(lon, lat, float(radius))
                draft.add_stop(_titles(properties), zone, properties.get("key"))
            elif kind == "Polygon":
                rings = [[position(p) for p in ring] for ring in coordinates]
                zone = {"type": "polygon", "coordinates": rings}
                draft.add_stop(_titles(properties), zone, properties.get("key"))
            elif kind == "LineString" and draft.route is None:
                draft.check_route_size(len(coordinates))  # before converting each position
                draft.route = [position(p) for p in coordinates]
            elif kind == "LineString":
                dropped.append(f"{label}: further line ignored, the route is the first one")
            else:
                dropped.append(f"{label}: {kind or 'missing'} geometry not imported")
        except (TypeError, ValueError, IndexError, KeyError):
            raise invalid(
                f"geojson.{where}.geometry",
                coordinates,
                msg("malformed {kind} coordinates", kind=kind),
            ) from None
    return Imported(draft.build("geojson"), dropped=dropped)


def export_geojson(trail: TrailSource) -> Exported:
    """A FeatureCollection: each stop (key, titles, radius), the route, ambience zones."""
    language = trail.languages[0]
    features: list[dict[str, Any]] = []
    for kind, key, titles, zone in [
        *(("stop", s.key, s.title, s.zone) for s in trail.stops),
        *(("ambience", a.key, a.title, a.zone) for a in trail.ambience),
    ]:
        properties: dict[str, Any] = {"kind": kind, "key": key}
        if titles:
            properties["name"] = titles.get(language) or next(iter(titles.values()))
            properties["title"] = dict(titles)
        if isinstance(zone, CircleZone):
            geometry: dict[str, Any] = {"type": "Point", "coordinates": list(zone.center)}
            properties["radius_m"] = zone.radius_m
        else:
            rings = [[list(p) for p in ring] for ring in zone.coordinates]
            geometry = {"type": "Polygon", "coordinates": rings}
        features.append(
            {"type": "Feature", "id": key, "geometry": geometry, "properties": properties}
        )
    if trail.route:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [list(p) for p in trail.route]},
                "properties": {"kind": "route"},
            }
        )
    document = {
        "type": "FeatureCollection",
        "name": trail.slug,
        "title": trail.title.get(language) or next(iter(trail.title.values())),
        "features": features,
    }
    dropped = ["trigger rules and stories are not kept"] if trail.stops else []
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return Exported(text, dropped)
