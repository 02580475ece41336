"""Soundscape activities (GPX with gpxsc extensions) in and out."""

from __future__ import annotations

import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from trails.errors import InvalidInput
from trails.interchange.formats import import_file
from trails.interchange.model import ImportOptions
from trails.interchange.soundscape import SOUNDSCAPE_NS, export_soundscape, import_soundscape
from trails.source import load_source

# A guided tour written the way the authoring tool writes version 2 activities.
TOUR = """<?xml version="1.0" encoding="UTF-8"?>
<gpx xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxsc="https://microsoft.com/Soundscape"
     version="1.1" creator="Soundscape Authoring Tool">
  <metadata>
    <name>Festival walk</name>
    <desc>Three stops along the canal</desc>
    <author><name>Canal Collective</name></author>
    <link href="https://example.invalid/media/cover.jpg"><text>Canal</text><type>image</type></link>
    <extensions>
      <gpxsc:meta start="2026-06-20T08:00:00Z" end="2026-06-22T20:00:00Z" expires="true">
        <gpxsc:id>0d3c6a9e</gpxsc:id>
        <gpxsc:locale>en_GB</gpxsc:locale>
        <gpxsc:behavior>GuidedTour</gpxsc:behavior>
        <gpxsc:version>2</gpxsc:version>
      </gpxsc:meta>
    </extensions>
  </metadata>
  <rte>
    <rtept lat="50.4036" lon="4.395">
      <name>Lock gate</name>
      <desc>Start here</desc>
      <extensions>
        <gpxsc:annotations>
          <gpxsc:annotation type="arrival">You have reached the lock.</gpxsc:annotation>
          <gpxsc:annotation type="departure">Walk on to the bridge.</gpxsc:annotation>
        </gpxsc:annotations>
        <gpxsc:links>
          <gpxsc:link href="https://example.invalid/media/lock.mp3">
            <text>Lock story</text><type>audio/mpeg</type>
          </gpxsc:link>
          <gpxsc:link href="https://example.invalid/media/lock.jpg">
            <text>The lock</text><type>image/jpeg</type>
          </gpxsc:link>
        </gpxsc:links>
      </extensions>
    </rtept>
    <rtept lat="50.4045" lon="4.3970"><name>Bridge</name></rtept>
  </rte>
</gpx>
"""


def test_a_guided_tour_with_its_audio_beside_it(tmp_path: Path) -> None:
    (tmp_path / "lock.mp3").write_bytes(b"ID3 fake audio")
    (tmp_path / "tour.gpx").write_text(TOUR)
    result = import_file(tmp_path / "tour.gpx", ImportOptions())
    trail = result.trail
    assert trail.languages == ["en-GB"]
    assert trail.title == {"en-GB": "Festival walk"}
    assert trail.description == {"en-GB": "Three stops along the canal"}
    assert trail.mode == "sequential"
    assert [c.name for c in trail.credits] == ["Canal Collective"]
    assert (
        trail.valid_from is not None and trail.valid_from.isoformat() == "2026-06-20T08:00:00+00:00"
    )
    assert trail.valid_until is not None and trail.valid_until.day == 22
    assert [s.key for s in trail.stops] == ["lock-gate", "bridge"]
    story = trail.stops[0].story
    assert story is not None
    version = story.versions["en-GB"]
    assert (version.audio, version.text) == ("media/lock.mp3", "You have reached the lock.")
    assert trail.stops[1].story is None
    assert result.media == {"media/lock.mp3": (tmp_path / "lock.mp3").resolve()}
    assert trail.route == [(4.395, 50.4036), (4.397, 50.4045)]
    assert "Lock gate: departure text not kept (Baladeur plays recorded audio)" in result.dropped
    assert any("image/jpeg" in d for d in result.dropped)
    assert any("image https://example.invalid/media/cover.jpg" in d for d in result.dropped)


def test_audio_not_beside_the_file_is_reported_not_fetched() -> None:
    result = import_soundscape(TOUR.encode(), "tour", ImportOptions(), media_dir=None)
    assert result.trail.stops[0].story is None
    assert result.media == {}
    assert any(
        "audio/mpeg https://example.invalid/media/lock.mp3 not imported" in d
        for d in result.dropped
    )
    assert "Lock gate: arrival text not kept (Baladeur plays recorded audio)" in result.dropped


def test_version_1_waypoints_and_an_unknown_locale() -> None:
    data = TOUR.replace("<gpxsc:version>2", "<gpxsc:version>1").replace("en_GB", "zz_ZZ")
    data = data.replace("GuidedTour", "Orienteering").replace("<rte>", "").replace("</rte>", "")
    data = data.replace("rtept", "wpt")
    trail = import_soundscape(data.encode(), "x", ImportOptions(language="nl")).trail
    assert trail.languages == ["nl"]
    assert trail.mode == "free"
    assert trail.route is None
    assert len(trail.stops) == 2


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            TOUR.replace("<gpxsc:meta ", "<gpxsc:other ").replace(
                "</gpxsc:meta>", "</gpxsc:other>"
            ),
            "no gpxsc:meta",
        ),
        (TOUR.replace('lat="50.4036"', 'lat="north"'), "a point needs numeric lat and lon"),
        (TOUR.replace("2026-06-20T08:00:00Z", "midsummer"), "not an ISO 8601 date"),
        (TOUR.replace("<gpxsc:version>2", "<gpxsc:version>7"), "only versions 1 and 2"),
        (TOUR[:400], "not well-formed XML"),
    ],
)
def test_bad_activities_are_refused(data: str, expected: str) -> None:
    with pytest.raises(InvalidInput, match=expected):
        import_soundscape(data.encode(), "x", ImportOptions())


def test_export_is_an_activity_and_comes_back(tmp_path: Path, demo_folder: Path) -> None:
    loaded = load_source(demo_folder)
    data = loaded.trail.model_copy(update={"mode": "sequential"})
    exported = export_soundscape(data)
    root = ET.fromstring(exported.text)
    ns = {"g": "http://www.topografix.com/GPX/1/1", "sc": SOUNDSCAPE_NS}
    assert (
        root.findtext("g:metadata/g:extensions/sc:meta/sc:behavior", namespaces=ns) == "GuidedTour"
    )
    assert root.findtext("g:metadata/g:extensions/sc:meta/sc:locale", namespaces=ns) == "fr"
    assert len(root.findall("g:rte/g:rtept", ns)) == 6
    # Beside the trail's media, the activity comes back with its audio and texts.
    folder = tmp_path / "trail"
    shutil.copytree(demo_folder, folder)
    (folder / "activity.gpx").write_text(exported.text)
    back = import_file(folder / "activity.gpx", ImportOptions())
    assert back.trail.mode == "sequential"
    assert [s.title["fr"] for s in back.trail.stops] == [s.title["fr"] for s in data.stops]
    for before, after in zip(data.stops, back.trail.stops, strict=True):
        assert before.story and after.story
        assert after.story.versions["fr"].text == before.story.versions["fr"].text
        audio = after.story.versions["fr"].audio
        assert (
            back.media[audio].read_bytes()
            == loaded.media_file(before.story.versions["fr"].audio).read_bytes()
        )
    assert "only the fr version is kept: an activity has one locale" in exported.dropped


def test_linked_files_are_copied_once_and_never_clash(tmp_path: Path) -> None:
    (tmp_path / "cover.jpg").write_bytes(b"\xff\xd8 jpeg")
    (tmp_path / "lock.mp3").write_bytes(b"one")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "lock.mp3").write_bytes(b"two")
    bridge = (
        '<rtept lat="50.4045" lon="4.3970"><name>Bridge</name><extensions><gpxsc:links>'
        '<gpxsc:link href="sub/lock.mp3"><type>audio/mpeg</type></gpxsc:link>'
        "</gpxsc:links></extensions></rtept>"
    )
    third = bridge.replace("Bridge", "Quay").replace("sub/lock.mp3", "lock.mp3")
    data = TOUR.replace(
        '<rtept lat="50.4045" lon="4.3970"><name>Bridge</name></rtept>', bridge + third
    )
    (tmp_path / "tour.gpx").write_text(data)
    result = import_file(tmp_path / "tour.gpx", ImportOptions())
    assert result.trail.cover == "media/cover.jpg"
    assert result.media == {
        "media/cover.jpg": (tmp_path / "cover.jpg").resolve(),
        "media/lock.mp3": (tmp_path / "lock.mp3").resolve(),
        "media/2-lock.mp3": (tmp_path / "sub" / "lock.mp3").resolve(),
    }
    audio = [s.story.versions["en-GB"].audio for s in result.trail.stops if s.story]
    assert audio == ["media/lock.mp3", "media/2-lock.mp3", "media/lock.mp3"]


def test_links_cannot_reach_outside_the_activity_folder(tmp_path: Path) -> None:
    (tmp_path / "secret.mp3").write_bytes(b"private")
    (tmp_path / "activity").mkdir()
    data = TOUR.replace("https://example.invalid/media/lock.mp3", "../secret.mp3")
    (tmp_path / "activity" / "tour.gpx").write_text(data)
    result = import_file(tmp_path / "activity" / "tour.gpx", ImportOptions())
    assert result.media == {}
    assert any("../secret.mp3 not imported" in d for d in result.dropped)
