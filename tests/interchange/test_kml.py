"""KML and KMZ (as Google My Maps exports them): placemarks become stops."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from trails.errors import InvalidInput
from trails.interchange.formats import import_file
from trails.interchange.kml import import_kml, kml_from_kmz
from trails.interchange.model import ImportOptions

# Shaped like a My Maps export: a Document, a Folder per layer, styled placemarks.
MY_MAPS = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
  <Document>
    <name>Sons du quartier</name>
    <description>Repérages de mars</description>
    <Style id="icon-1"><IconStyle><scale>1</scale></IconStyle></Style>
    <Folder>
      <name>Calque sans titre</name>
      <Placemark>
        <name>Le moulin</name>
        <description><![CDATA[Devant la porte<br>côté rivière]]></description>
        <styleUrl>#icon-1</styleUrl>
        <Point><coordinates>
          4.395,50.4036,0
        </coordinates></Point>
      </Placemark>
      <Placemark>
        <name>La place</name>
        <Polygon><outerBoundaryIs><LinearRing><tessellate>1</tessellate><coordinates>
          4.3963,50.4071,0 4.3971,50.4072,0 4.3970,50.4075,0 4.3963,50.4071,0
        </coordinates></LinearRing></outerBoundaryIs></Polygon>
      </Placemark>
      <Placemark>
        <name>Chemin</name>
        <LineString><coordinates>4.395,50.4036,0 4.3967,50.4073,0</coordinates></LineString>
      </Placemark>
      <Placemark>
        <name>Deux points</name>
        <MultiGeometry>
          <Point><coordinates>4.40,50.41</coordinates></Point>
          <Point><coordinates>4.41,50.41</coordinates></Point>
        </MultiGeometry>
      </Placemark>
    </Folder>
  </Document>
</kml>
"""


def test_a_my_maps_export() -> None:
    result = import_kml(MY_MAPS.encode(), "file", ImportOptions(language="fr"))
    trail = result.trail
    assert trail.slug == "sons-du-quartier"
    assert trail.description == {"fr": "Repérages de mars"}
    assert [s.key for s in trail.stops] == ["le-moulin", "la-place", "deux-points"]
    assert trail.stops[0].zone.center == (4.395, 50.4036)
    assert trail.stops[1].zone.type == "polygon"
    assert trail.route == [(4.395, 50.4036), (4.3967, 50.4073)]
    assert result.dropped == [
        "Deux points: further Point of a MultiGeometry not imported",
        "descriptions of 1 placemark(s) not kept: stops have no text",
    ]


def _kmz(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_kmz_file(tmp_path: Path) -> None:
    path = tmp_path / "sons.kmz"
    path.write_bytes(_kmz({"images/icon.png": b"png", "doc.kml": MY_MAPS.encode()}))
    assert len(import_file(path, ImportOptions(language="fr")).trail.stops) == 3


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            b'<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>Vide</name>'
            b"</Document></kml>",
            "the KML holds no placemarks",
        ),
        (b"<kml><Document><Placemark>", "not well-formed XML at line 1"),
        (b"<gpx/>", "not a KML file"),
        (
            b"<kml><Placemark><Point><coordinates>north,50</coordinates></Point></Placemark></kml>",
            "malformed KML coordinates",
        ),
        (
            b"<kml><Placemark><Point><coordinates> </coordinates></Point></Placemark></kml>",
            "a geometry without coordinates",
        ),
        (
            b'<!DOCTYPE kml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            b"<kml><Placemark><name>&b;</name></Placemark></kml>",
            "declares a DTD or entities",
        ),
        (
            b'<!DOCTYPE kml SYSTEM "http://example.invalid/kml.dtd"><kml/>',
            "declares a DTD or entities",
        ),
    ],
)
def test_bad_kml_is_refused(data: bytes, expected: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        import_kml(data, "bad", ImportOptions())
    assert expected in str(caught.value)


def test_placemarks_without_geometry_give_no_trail() -> None:
    data = b"<kml><Placemark><name>Only a name</name></Placemark></kml>"
    with pytest.raises(InvalidInput, match="no places to turn into stops"):
        import_kml(data, "bad", ImportOptions())


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ({"notes.txt": b"hello"}, "holds no .kml document"),
        (None, "not a readable KMZ"),
    ],
)
def test_bad_kmz_is_refused(entries: dict[str, bytes] | None, expected: str) -> None:
    data = _kmz(entries) if entries is not None else b"PK\x03\x04 truncated"
    with pytest.raises(InvalidInput, match=expected):
        kml_from_kmz(data)
