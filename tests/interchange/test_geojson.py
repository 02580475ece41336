"""GeoJSON in and out: Points and Polygons become stops, a LineString the route."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from trails.errors import InvalidInput
from trails.interchange.geojson import export_geojson, import_geojson
from trails.interchange.model import ImportOptions
from trails.source import load_source

SQUARE = [[4.3963, 50.4071], [4.3971, 50.4072], [4.3970, 50.4075], [4.3963, 50.4071]]


def collection(*features: dict[str, Any], **members: Any) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features), **members}).encode()


def feature(geometry: dict[str, Any] | None, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def test_points_polygons_and_a_line() -> None:
    data = collection(
        feature({"type": "Point", "coordinates": [4.395, 50.4036, 112.0]}, name="Le moulin"),
        feature({"type": "Polygon", "coordinates": [SQUARE]}, title="La place"),
        feature({"type": "Point", "coordinates": [4.40, 50.41]}, name="Écluse", radius_m=40),
        feature({"type": "LineString", "coordinates": [[4.395, 50.4036], [4.40, 50.41]]}),
        feature({"type": "LineString", "coordinates": [[4.39, 50.40], [4.40, 50.41]]}),
        feature({"type": "MultiPoint", "coordinates": [[4.39, 50.40]]}, name="Many"),
        feature(None, name="Nowhere"),
        name="Balade du moulin",
    )
    result = import_geojson(data, "file", ImportOptions(language="fr"))
    trail = result.trail
    assert trail.slug == "balade-du-moulin"
    assert [s.key for s in trail.stops] == ["le-moulin", "la-place", "ecluse"]
    assert trail.stops[0].zone.model_dump()["center"] == (4.395, 50.4036)
    assert trail.stops[1].zone.type == "polygon"
    assert trail.stops[2].zone.radius_m == 40
    assert trail.route == [(4.395, 50.4036), (4.40, 50.41)]
    assert result.dropped == [
        "feature 4: further line ignored, the route is the first one",
        "Many: MultiPoint geometry not imported",
        "Nowhere: missing geometry not imported",
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'{"type": "FeatureCollection", "features": [', "not valid JSON at line 1, column 44"),
        (b'{"type": "Feature", "geometry": null}', "expected a GeoJSON FeatureCollection"),
        (b'{"type": "FeatureCollection"}', "has no 'features' list"),
        (collection(), "no places to turn into stops"),
        (collection({"type": "Point"}), "features.0: not a GeoJSON Feature"),
        (collection(feature({"type": "Point", "coordinates": "4,50"})), "malformed Point"),
        (
            collection(feature({"type": "Polygon", "coordinates": [SQUARE[:3]]})),
            "a polygon ring needs at least 4 positions",
        ),
        (b"\xff\xfe", "not UTF-8 text"),
    ],
)
def test_bad_geojson_is_refused(data: bytes, expected: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        import_geojson(data, "bad", ImportOptions())
    assert expected in str(caught.value)


def test_export_then_import_keeps_keys_titles_and_zones(demo_folder: Path) -> None:
    trail = load_source(demo_folder).trail
    exported = export_geojson(trail)
    document = json.loads(exported.text)
    kinds = [f["properties"]["kind"] for f in document["features"]]
    assert kinds == ["stop"] * 6 + ["ambience", "route"]
    result = import_geojson(exported.text.encode(), "x", ImportOptions(language="fr"))
    back = result.trail
    assert [s.key for s in back.stops] == [s.key for s in trail.stops]
    assert [s.title for s in back.stops] == [s.title for s in trail.stops]
    assert [s.zone for s in back.stops] == [s.zone for s in trail.stops]
    assert back.route == trail.route
    assert back.slug == "moulin-de-marchienne-parcours-de-demonstration"
    assert result.dropped == [
        "Ambiance de rivière (synthétique): ambience layer not imported (its audio is not here)"
    ]
