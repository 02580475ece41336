"""GPX in and out: waypoints or a route become stops; bad files are refused clearly."""

from __future__ import annotations

import pytest

from trails.errors import InvalidInput
from trails.interchange.gpx import export_gpx, import_gpx
from trails.interchange.model import ImportOptions
from trails.source import load_source

HEAD = '<?xml version="1.0"?>\n<gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'


def gpx(body: str) -> bytes:
    return f"{HEAD}{body}</gpx>".encode()


def test_waypoints_become_stops_and_the_route_the_line() -> None:
    data = gpx(
        "<metadata><name>Recce du moulin</name></metadata>"
        '<wpt lat="50.4036" lon="4.395"><name>Le moulin</name><ele>120</ele></wpt>'
        '<wpt lat="50.4033" lon="4.3992"><name>Le moulin</name><desc>again</desc></wpt>'
        '<wpt lat="50.4063" lon="4.4009"></wpt>'
        '<rte><rtept lat="50.4036" lon="4.395"/><rtept lat="50.4063" lon="4.4009"/></rte>'
    )
    result = import_gpx(data, "recce", ImportOptions(language="fr", radius_m=30))
    trail = result.trail
    assert trail.slug == "recce-du-moulin"
    assert trail.title == {"fr": "Recce du moulin"}
    assert [s.key for s in trail.stops] == ["le-moulin", "le-moulin-2", "stop-3"]
    assert trail.stops[2].title == {"fr": "Stop 3"}
    assert trail.stops[0].zone.model_dump() == {
        "type": "circle",
        "center": (4.395, 50.4036),
        "radius_m": 30.0,
    }
    assert trail.route == [(4.395, 50.4036), (4.4009, 50.4063)]
    assert any("descriptions of 1 waypoint" in d for d in result.dropped)
    assert any("elevations" in d for d in result.dropped)


def test_a_route_alone_gives_the_stops() -> None:
    data = gpx(
        '<rte><name>Boucle</name><rtept lat="50.40" lon="4.39"><name>A</name></rtept>'
        '<rtept lat="50.41" lon="4.40"><name>B</name></rtept></rte>'
    )
    trail = import_gpx(data, "boucle", ImportOptions()).trail
    assert [s.key for s in trail.stops] == ["a", "b"]
    assert trail.slug == "boucle"


def test_a_track_gives_the_route_line() -> None:
    data = gpx(
        '<wpt lat="50.40" lon="4.39"><name>A</name></wpt>'
        '<trk><trkseg><trkpt lat="50.40" lon="4.39"/><trkpt lat="50.41" lon="4.395"/>'
        '<trkpt lat="50.42" lon="4.40"/></trkseg></trk>'
    )
    assert len(import_gpx(data, "t", ImportOptions()).trail.route or []) == 3


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"<gpx><wpt lat='50' lon='4'>", "not well-formed XML at line 1"),
        (b"not xml at all", "not well-formed XML"),
        (gpx('<wpt lat="north" lon="4"/>'), "not a readable GPX file"),
        (b"<kml/>", "not a GPX file: the document is <kml>"),
        (gpx(""), "no places to turn into stops"),
        (gpx('<wpt lat="95" lon="4"/>'), "latitude must be between -90 and 90"),
        (
            b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<gpx><wpt lat="50" lon="4"><name>&x;</name></wpt></gpx>',
            "declares a DTD or entities",
        ),
    ],
)
def test_malformed_gpx_is_refused(data: bytes, expected: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        import_gpx(data, "bad", ImportOptions())
    assert expected in str(caught.value)


def test_unknown_language_is_refused() -> None:
    data = gpx('<wpt lat="50.40" lon="4.39"/>')
    with pytest.raises(InvalidInput, match="'xx' is not a known BCP 47"):
        import_gpx(data, "t", ImportOptions(language="xx"))


def test_export_then_import_keeps_places_and_names(demo_folder) -> None:
    trail = load_source(demo_folder).trail
    exported = export_gpx(trail)
    back = import_gpx(exported.text.encode(), "x", ImportOptions(language="fr")).trail
    assert [s.title["fr"] for s in back.stops] == [s.title["fr"] for s in trail.stops]
    assert back.stops[0].zone.center == trail.stops[0].zone.center
    # The polygon stop comes back as a point inside the polygon.
    from shapely.geometry import Point, Polygon

    polygon = Polygon(trail.stops[3].zone.coordinates[0])
    assert polygon.contains(Point(back.stops[3].zone.center))
    assert back.route == trail.route
    assert back.title == {"fr": trail.title["fr"]}
    assert "1 ambience layer(s) not kept" in exported.dropped
