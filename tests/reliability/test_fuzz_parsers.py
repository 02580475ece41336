"""Fuzzing what reads trails from outside: damaged input gives our documented errors only.

The trail source parser (data and YAML folders), the GPX, GeoJSON, KML/KMZ and Soundscape
importers and the trail zip reader get arbitrary input and mutations of valid documents.
Each either succeeds or raises a ``trails.errors.DomainError`` (``InvalidInput``,
``NotFound``, ``Conflict``) with a reason; any other exception is a bug.
"""

from __future__ import annotations

import copy
import io
import json
import math
import os
import re
import shutil
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.sources import SMALL_TRAIL_WITH_STORY
from trails.archive import extract_trail, zip_folder
from trails.errors import DomainError, InvalidInput
from trails.interchange.geojson import export_geojson, import_geojson
from trails.interchange.gpx import export_gpx, import_gpx
from trails.interchange.kml import import_kml, kml_from_kmz
from trails.interchange.model import Imported, ImportOptions
from trails.interchange.soundscape import export_soundscape, import_soundscape
from trails.source import SOURCE_FILE, TrailSource, load_source, parse_source

# BALADEUR_FUZZ_EXAMPLES raises the count for a longer hunt (the suite keeps it small).
EXAMPLES = int(os.environ.get("BALADEUR_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    # The suite replays the same inputs every run (no flaky CI); a hunt with
    # BALADEUR_FUZZ_EXAMPLES set draws new ones.
    derandomize="BALADEUR_FUZZ_EXAMPLES" not in os.environ,
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
DEMO = Path(__file__).resolve().parents[2] / "examples" / "moulin-de-marchienne"
KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
  <name>Quartier</name><description>Repérages</description>
  <Folder><name>Calque</name>
    <Placemark><name>Moulin</name><description>Porte</description>
      <Point><coordinates>4.395,50.4036,0</coordinates></Point></Placemark>
    <Placemark><name>Place</name><Polygon><outerBoundaryIs><LinearRing><coordinates>
      4.3963,50.4071,0 4.3971,50.4072,0 4.3970,50.4075,0 4.3963,50.4071,0
    </coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
    <Placemark><name>Chemin</name>
      <LineString><coordinates>4.395,50.4036 4.3967,50.4073</coordinates></LineString></Placemark>
    <Placemark><name>Deux</name><MultiGeometry>
      <Point><coordinates>4.40,50.41</coordinates></Point>
      <Point><coordinates>4.41,50.41</coordinates></Point></MultiGeometry></Placemark>
  </Folder></Document></kml>
"""

# Values that have broken parsers before: empty, huge, not finite, wrong type, odd text.
ODD_NUMBERS = [None, True, 0, -1, 10**30, 1e308, -1e-320, math.nan, math.inf, -math.inf]
ODD_TEXTS = ["", " ", "0", "nan", "-inf", "1e999", "\x00", "é", "../x", "a" * 5000, "2026-13-45"]
ODD_SCALARS = st.sampled_from([*ODD_NUMBERS, *ODD_TEXTS])
JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    ODD_SCALARS,
)
JSON_LIKE = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=20,
)
# A token of a text document: a number, a word, or a run of anything else.
TOKEN = re.compile(r"-?\d+(?:\.\d+)?|[A-Za-z_]+|[^\sA-Za-z\d]+")


def _documented(call: Callable[[], Any]) -> Any:
    """Run ``call``: success or a documented error, with a reason, and nothing else."""
    try:
        return call()
    except InvalidInput as exc:
        assert exc.errors, "a refusal lists its reasons"
    except DomainError as exc:
        assert exc.detail, "a refusal says why"
    return None


Draw = Callable[[st.SearchStrategy[Any]], Any]

# --- mutations -------------------------------------------------------------------------


def _paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every location inside a JSON-like value, the root included."""
    found = [at]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*at, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*at, index))
    return found


def _like(value: Any) -> st.SearchStrategy[Any]:
    """A value of the same kind (so that validation goes past it), or anything at all."""
    if isinstance(value, bool) or value is None:
        return JSON_LIKE
    if isinstance(value, int | float):
        near = st.floats(-1e4, 1e4) | st.integers(-1000, 1000)
        return st.one_of(near, st.floats(allow_nan=True, allow_infinity=True), JSON_LIKE)
    if isinstance(value, str):
        return st.one_of(st.text(max_size=12), st.just(value.upper()), JSON_LIKE)
    return JSON_LIKE


def _mutate_data(data: Any, draw: Draw) -> Any:
    """A few edits of a JSON-like value: replace, delete, or add somewhere inside it."""
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.sampled_from(_paths(data)))
        if not at:
            data = draw(JSON_LIKE)
            continue
        parent = data
        for part in at[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[at[-1]] = draw(_like(parent[at[-1]]))
        elif action == "delete":
            del parent[at[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(JSON_LIKE)
        else:
            parent.insert(at[-1], copy.deepcopy(draw(st.sampled_from(parent))))
    return data


NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _mutate_text(text: str, draw: Draw) -> str:
    """A text with some of its tokens replaced or dropped: mostly numbers and words."""
    spans = [m.span() for m in TOKEN.finditer(text)]
    if not spans:
        return str(draw(st.text(max_size=50)))
    # Keeping the markup (punctuation) lets most documents parse, so the importer runs.
    words = [span for span in spans if text[span[0]].isalnum() or text[span[0]] == "-"]
    pool = words if words and draw(st.integers(0, 3)) else spans
    pieces = list(text)
    for _ in range(draw(st.integers(1, 4))):
        start, end = draw(st.sampled_from(pool))
        old = text[start:end]
        like = st.floats(-1e3, 1e3).map(str) if NUMBER.fullmatch(old) else st.text(max_size=10)
        replacement = draw(
            st.one_of(like, ODD_SCALARS.map(lambda v: "" if v is None else str(v)), st.just(""))
        )
        pieces[start:end] = [replacement] + [""] * (end - start - 1)
    return "".join(pieces)


def _mutate_bytes(data: bytes, draw: Draw) -> bytes:
    """Flipped bytes, a cut, or inserted junk."""
    damaged = bytearray(data)
    action = draw(st.sampled_from(["flip", "cut", "insert"]))
    if action == "flip":
        for _ in range(draw(st.integers(1, 8))):
            at = draw(st.integers(0, len(damaged) - 1))
            damaged[at] ^= draw(st.integers(1, 255))
    elif action == "cut":
        return bytes(damaged[: draw(st.integers(0, len(damaged)))])
    else:
        at = draw(st.integers(0, len(damaged)))
        damaged[at:at] = draw(st.binary(min_size=1, max_size=64))
    return bytes(damaged)


# --- the trail source ------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEMO / SOURCE_FILE).read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def demo_trail() -> TrailSource:
    return load_source(DEMO).trail


@FUZZ
@given(data=JSON_LIKE)
def test_parse_source_on_arbitrary_data(data: Any) -> None:
    _documented(lambda: parse_source(data))


@FUZZ
@given(draw=st.data())
def test_parse_source_on_mutated_trails(demo_data: dict[str, Any], draw: st.DataObject) -> None:
    data = _mutate_data(demo_data, draw.draw)
    result = _documented(lambda: parse_source(data))
    assert result is None or isinstance(result, TrailSource)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo folder, so that trail.yaml can be rewritten and media are found."""
    target = tmp_path_factory.mktemp("source") / "trail"
    shutil.copytree(DEMO, target)
    return target


@FUZZ
@given(draw=st.data())
def test_load_source_on_mutated_yaml(folder: Path, draw: st.DataObject) -> None:
    original = (DEMO / SOURCE_FILE).read_text(encoding="utf-8")
    if draw.draw(st.booleans()):
        text = _mutate_text(original, draw.draw)
    else:
        text = draw.draw(st.text(max_size=300))
    (folder / SOURCE_FILE).write_text(text, encoding="utf-8")
    _documented(lambda: load_source(folder))


@FUZZ
@given(draw=st.data())
def test_load_source_on_mutated_bytes(folder: Path, draw: st.DataObject) -> None:
    original = (DEMO / SOURCE_FILE).read_bytes()
    data = draw.draw(st.one_of(st.binary(max_size=300), st.just(b"")))
    if draw.draw(st.booleans()):
        data = _mutate_bytes(original, draw.draw)
    (folder / SOURCE_FILE).write_bytes(data)
    _documented(lambda: load_source(folder))


@FUZZ
@given(draw=st.data())
def test_load_source_on_mutated_data_as_yaml(
    folder: Path, demo_data: dict[str, Any], draw: st.DataObject
) -> None:
    data = _mutate_data(demo_data, draw.draw)
    (folder / SOURCE_FILE).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    _documented(lambda: load_source(folder))


# --- the importers ---------------------------------------------------------------------

OPTIONS = st.just(ImportOptions(language="fr")) | st.builds(
    ImportOptions,
    language=st.one_of(st.just("fr"), st.text(max_size=6)),
    radius_m=st.one_of(st.just(25.0), st.floats(), st.integers(-10, 10**6).map(float)),
    slug=st.one_of(st.none(), st.text(max_size=20)),
    title=st.one_of(st.none(), st.text(max_size=20)),
)
Importer = Callable[[bytes, ImportOptions], Imported]


def _kmz(kml: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("doc.kml", kml)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def documents(demo_trail: TrailSource) -> dict[str, tuple[str, Importer]]:
    """A valid document of each format, and the importer that reads it."""
    return {
        "gpx": (export_gpx(demo_trail).text, lambda d, o: import_gpx(d, "fuzz", o)),
        "geojson": (export_geojson(demo_trail).text, lambda d, o: import_geojson(d, "fuzz", o)),
        "kml": (KML, lambda d, o: import_kml(d, "fuzz", o)),
        "kmz": (KML, lambda d, o: import_kml(kml_from_kmz(_kmz(d)), "fuzz", o)),
        "soundscape": (
            export_soundscape(demo_trail).text,
            lambda d, o: import_soundscape(d, "fuzz", o, media_dir=DEMO / "media"),
        ),
    }


def test_the_valid_documents_import(documents: dict[str, tuple[str, Importer]]) -> None:
    # Mutations start from documents that import: a fuzz of refusals only would prove little.
    for name, (text, importer) in documents.items():
        assert importer(text.encode(), ImportOptions(language="fr")).trail.stops, name


FORMATS = ["gpx", "geojson", "kml", "kmz", "soundscape"]


@pytest.mark.parametrize("fmt", FORMATS)
@FUZZ
@given(draw=st.data(), options=OPTIONS)
def test_importers_on_mutated_documents(
    documents: dict[str, tuple[str, Importer]],
    fmt: str,
    draw: st.DataObject,
    options: ImportOptions,
) -> None:
    text, importer = documents[fmt]
    data = _mutate_text(text, draw.draw).encode()
    if not draw.draw(st.integers(0, 3)):
        data = _mutate_bytes(data, draw.draw)
    _documented(lambda: importer(data, options))


@FUZZ
@given(draw=st.data(), options=OPTIONS)
def test_geojson_on_mutated_structure(
    demo_trail: TrailSource, draw: st.DataObject, options: ImportOptions
) -> None:
    document = json.loads(export_geojson(demo_trail).text)
    data = json.dumps(_mutate_data(document, draw.draw)).encode()
    _documented(lambda: import_geojson(data, "fuzz", options))


@pytest.mark.parametrize("fmt", FORMATS)
@FUZZ
@given(junk=st.binary(max_size=2048))
def test_importers_on_arbitrary_bytes(
    documents: dict[str, tuple[str, Importer]], fmt: str, junk: bytes
) -> None:
    _, importer = documents[fmt]
    _documented(lambda: importer(junk, ImportOptions()))


@FUZZ
@given(junk=st.binary(max_size=2048))
def test_kmz_reader_on_arbitrary_bytes(junk: bytes) -> None:
    _documented(lambda: kml_from_kmz(junk))


# --- the trail zip ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_zip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A valid trail zip small enough that mutations land in its structure, not its media."""
    folder = tmp_path_factory.mktemp("small") / "petit"
    (folder / "media").mkdir(parents=True)
    (folder / SOURCE_FILE).write_text(SMALL_TRAIL_WITH_STORY, encoding="utf-8")
    (folder / "media" / "un.opus").write_bytes(b"OggS" + bytes(60))
    (folder / "media" / "un.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nUn\n")
    return zip_folder(load_source(folder), folder.parent / "petit.zip").read_bytes()


def _extract(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "trail.zip"
        path.write_bytes(data)
        loaded = _documented(lambda: extract_trail(path, Path(tmp) / "out"))
        if loaded is None:
            # A refused archive leaves nothing behind beside the zip.
            assert sorted(p.name for p in Path(tmp).iterdir()) == ["trail.zip"]


def test_the_small_zip_extracts(small_zip: bytes, tmp_path: Path) -> None:
    (tmp_path / "t.zip").write_bytes(small_zip)
    assert extract_trail(tmp_path / "t.zip", tmp_path / "out").trail.slug == "petit"


@FUZZ
@given(draw=st.data())
def test_archive_on_mutated_bytes(small_zip: bytes, draw: st.DataObject) -> None:
    _extract(_mutate_bytes(small_zip, draw.draw))


ENTRY_NAMES = st.one_of(
    st.sampled_from(
        [SOURCE_FILE, "media/un.opus", "media/un.vtt", "../evil", "/abs", "C:/x", "a\\b", "d/"]
    ),
    # zipfile cuts a name at NUL, and cannot write an empty one.
    st.text(st.characters(exclude_characters="\x00"), min_size=1, max_size=20),
)


@FUZZ
@given(draw=st.data())
def test_archive_on_mutated_entries(small_zip: bytes, draw: st.DataObject) -> None:
    """Entries renamed, dropped, added or given new contents, in a well-formed zip."""
    with zipfile.ZipFile(io.BytesIO(small_zip)) as archive:
        entries = [(info.filename, archive.read(info)) for info in archive.infolist()]
    for _ in range(draw.draw(st.integers(1, 4))):
        action = draw.draw(st.sampled_from(["rename", "drop", "add", "rewrite"]))
        at = draw.draw(st.integers(0, max(len(entries) - 1, 0)))
        if action == "add" or not entries:
            entries.append((draw.draw(ENTRY_NAMES), draw.draw(st.binary(max_size=64))))
        elif action == "rename":
            entries[at] = (draw.draw(ENTRY_NAMES), entries[at][1])
        elif action == "drop":
            del entries[at]
        else:
            name, content = entries[at]
            text = _mutate_text(content.decode("utf-8", "replace"), draw.draw)
            entries[at] = (name, text.encode())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a repeated name is part of the fuzz
        for name, content in entries:
            archive.writestr(name, content)
    _extract(buffer.getvalue())
