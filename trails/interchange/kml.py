"""KML and KMZ (a Google My Maps export): stops from placemarks, the route from a line."""

from __future__ import annotations

import io
import zipfile
from xml.etree.ElementTree import Element

from trails.errors import invalid
from trails.interchange.model import Imported, ImportOptions, TrailDraft, circle
from trails.interchange.safexml import (
    child,
    child_text,
    children,
    descendants,
    local_name,
    parse_xml,
)
from trails.messages import msg

MAX_KML_BYTES = 20 * 1024 * 1024


def kml_from_kmz(data: bytes) -> bytes:
    """The main KML document inside a KMZ archive (``doc.kml``, else the first ``.kml``)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [i for i in archive.infolist() if i.filename.lower().endswith(".kml")]
            if not names:
                raise invalid("kmz", None, msg("the KMZ archive holds no .kml document"))
            main = next((i for i in names if i.filename == "doc.kml"), names[0])
            if main.file_size > MAX_KML_BYTES:
                raise invalid("kmz", main.filename, msg("the KML document is too large"))
            with archive.open(main) as fh:
                content = fh.read(MAX_KML_BYTES + 1)
    except zipfile.BadZipFile:
        raise invalid("kmz", None, msg("not a readable KMZ (zip) archive")) from None
    if len(content) > MAX_KML_BYTES:
        raise invalid("kmz", main.filename, msg("the KML document is too large"))
    return content


def _coordinates(element: Element | None, where: str) -> list[list[float]]:
    text = (element.text or "") if element is not None else ""
    points = []
    for item in text.split():
        parts = item.split(",")
        try:
            points.append([float(parts[0]), float(parts[1])])
        except (ValueError, IndexError):
            raise invalid(
                where, item, msg("malformed KML coordinates (expected lon,lat[,alt])")
            ) from None
    if not points:
        raise invalid(where, None, msg("a geometry without coordinates"))
    return points


def _ring(boundary: Element, where: str) -> list[list[float]]:
    ring = child(boundary, "LinearRing")
    return _coordinates(child(ring, "coordinates") if ring is not None else None, where)


def _geometries(placemark: Element) -> list[Element]:
    found: list[Element] = []
    for element in placemark:
        if local_name(element) == "MultiGeometry":
            found.extend(e for e in element if local_name(e) != "MultiGeometry")
        elif local_name(element) in ("Point", "Polygon", "LineString", "LinearRing", "Track"):
            found.append(element)
    return found


def import_kml(data: bytes, name: str, options: ImportOptions) -> Imported:
    """Point placemarks become circle stops, Polygons polygon stops, a LineString the route."""
    root = parse_xml(data, "kml")
    if local_name(root) != "kml":
        raise invalid(
            "kml", None, msg("not a KML file: the document is <{root}>", root=local_name(root))
        )
    placemarks = descendants(root, "Placemark")
    if not placemarks:
        raise invalid("kml", None, msg("the KML holds no placemarks: there is nothing to import"))
    document = child(root, "Document")
    draft = TrailDraft(options, name)
    if document is not None:
        draft.name = child_text(document, "name") or name
        draft.description = child_text(document, "description")
    dropped: list[str] = []
    described = 0
    for index, placemark in enumerate(placemarks):
        title = child_text(placemark, "name")
        label = title or f"placemark {index}"
        where = f"kml.Placemark.{index}"
        described += child_text(placemark, "description") is not None
        geometries = _geometries(placemark)
        if not geometries:
            dropped.append(f"{label}: no Point, Polygon or LineString, not imported")
        for number, geometry in enumerate(geometries):
            kind = local_name(geometry)
            if number:
                dropped.append(f"{label}: further {kind} of a MultiGeometry not imported")
            elif kind == "Point":
                lon, lat = _coordinates(child(geometry, "coordinates"), where)[0]
                draft.add_stop(title, circle(lon, lat, options.radius_m))
            elif kind == "Polygon":
                outer = child(geometry, "outerBoundaryIs")
                if outer is None:
                    raise invalid(where, None, msg("a Polygon without outerBoundaryIs"))
                rings = [_ring(outer, where)]
                rings += [_ring(inner, where) for inner in children(geometry, "innerBoundaryIs")]
                draft.add_stop(title, {"type": "polygon", "coordinates": rings})
            elif kind == "LineString" and draft.route is None:
                draft.route = _coordinates(child(geometry, "coordinates"), where)
            else:
                dropped.append(f"{label}: {kind} not imported")
    if described:
        dropped.append(f"descriptions of {described} placemark(s) not kept: stops have no text")
    return Imported(draft.build("kml"), dropped=dropped)
