from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from shapely.geometry import Point, Polygon

from server.sharing.poster import (
    PosterContent,
    PosterStop,
    poster_content_from_source,
    poster_pdf,
)
from tests.sharing.helpers import decode_qr, pdf_text
from tests.support.browser import tool_unavailable
from trails.errors import InvalidInput
from trails.source import TrailSource, load_source

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "moulin-de-marchienne"
ARTEFACTS = ROOT / "test-artefacts" / "sharing"
URL = "https://baladeur.example.org/t/moulin-de-marchienne"
A4_PT = (595.28, 841.89)
RING = (
    (4.39634, 50.407158),
    (4.397117, 50.407203),
    (4.397088, 50.407563),
    (4.396298, 50.407518),
    (4.39634, 50.407158),
)


@pytest.fixture(scope="module")
def demo() -> TrailSource:
    trail = load_source(DEMO).trail
    return trail.model_copy(
        update={
            "valid_from": datetime(2026, 6, 12, 8, tzinfo=UTC),
            "valid_until": datetime(2026, 6, 14, 20, tzinfo=UTC),
        }
    )


def one_a4_page(pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4_PT, abs=0.5)


@pytest.mark.parametrize(
    ("language", "dates", "labels"),
    [
        ("fr", "12\u201314 juin 2026", ["Scannez pour", "Gratuit, fonctionne hors ligne"]),
        ("en", "Jun 12\u2009\u2013\u200914, 2026", ["Scan to download", "Free, works offline"]),
        ("nl", "12\u201314 jun 2026", ["Scan om de", "Gratis, werkt offline"]),
        ("de", "12.\u201314. Juni 2026", ["Scannen, um den", "Kostenlos, funktioniert offline"]),
    ],
)
def test_demo_poster_is_one_a4_page_with_title_dates_url(
    demo: TrailSource, language: str, dates: str, labels: list[str]
) -> None:
    content = poster_content_from_source(demo, URL, language)
    pdf = poster_pdf(content)
    one_a4_page(pdf)
    text = pdf_text(pdf)
    assert content.title in text
    # Babel's thin spaces around a dash may come back from the PDF as plain spaces.
    assert " ".join(dates.split()).lower() in " ".join(text.split()).lower()
    assert URL in text.replace(" ", "")
    for label in labels:
        assert label in text
    # The stop names are listed beside the map, without their "Stop N —" prefix.
    if language in ("fr", "en"):
        assert ("Le moulin" if language == "fr" else "The mill") in text


def test_content_from_source(demo: TrailSource) -> None:
    content = poster_content_from_source(demo, URL, "en", organisation="Festival X")
    assert content.title == demo.title["en"]
    assert content.description == demo.description["en"]
    assert content.timezone == "Europe/Brussels"
    assert content.organisation == "Festival X"
    assert len(content.route) == len(demo.route or [])
    assert [s.number for s in content.stops] == [1, 2, 3, 4, 5, 6]
    assert content.stops[0].radius_m == 30 and content.stops[0].rings == ()
    square = content.stops[3]
    assert square.radius_m is None and len(square.rings) == 1
    assert Polygon(square.rings[0]).contains(Point(square.lon, square.lat))
    # Stop 3 has no English version of its story but has an English title.
    assert content.stops[2].title == "Stop 3 — The neighbourhood"


def test_content_from_source_falls_back_to_a_trail_language(demo: TrailSource) -> None:
    only_fr = demo.model_copy(update={"title": {"fr": "Seulement en français"}})
    assert poster_content_from_source(only_fr, URL, "en").title == "Seulement en français"


def test_unsupported_poster_language_is_refused(demo: TrailSource) -> None:
    with pytest.raises(InvalidInput) as err:
        poster_content_from_source(demo, URL, "es")
    assert err.value.errors[0].field == "language"


def test_bad_url_is_refused(demo: TrailSource) -> None:
    with pytest.raises(InvalidInput) as err:
        poster_content_from_source(demo, "mailto:someone@example.org", "fr")
    assert err.value.errors[0].field == "url"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"valid_from": datetime(2026, 6, 12)}, "valid_from"),
        (
            {
                "valid_from": datetime(2026, 6, 14, tzinfo=UTC),
                "valid_until": datetime(2026, 6, 12, tzinfo=UTC),
            },
            "valid_until",
        ),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"title": "   "}, "title"),
        ({"route": ((200.0, 50.0),)}, "route"),
    ],
)
def test_bad_content_is_refused(changes: dict[str, object], field: str) -> None:
    base: dict[str, object] = {"title": "T", "url": URL, "language": "en"}
    with pytest.raises(InvalidInput) as err:
        PosterContent(**(base | changes))  # type: ignore[arg-type]
    assert err.value.errors[0].field == field


def test_bad_stop_is_refused() -> None:
    with pytest.raises(InvalidInput):
        PosterStop(4.39, 50.4, 1, "x", radius_m=-3)
    with pytest.raises(InvalidInput):
        PosterStop(4.39, 95.0, 1, "x")


EDGE_CASES = {
    "no route, no stop": PosterContent(title="Nothing to map", url=URL, language="en"),
    "one stop": PosterContent(
        title="Één halte",
        url=URL,
        language="en",
        stops=(PosterStop(4.39, 50.40, 1, "Ümlaut-Platz", radius_m=40),),
    ),
    "polygon stop": PosterContent(
        title="La place",
        url=URL,
        language="fr",
        stops=(PosterStop(4.3967, 50.40736, 1, "La place", rings=(RING,)),),
    ),
    "polygon with a hole": PosterContent(
        title="Cour",
        url=URL,
        language="fr",
        stops=(
            PosterStop(
                4.0005,
                50.0005,
                1,
                "Cour",
                rings=(
                    ((4.0, 50.0), (4.004, 50.0), (4.004, 50.003), (4.0, 50.003), (4.0, 50.0)),
                    ((4.001, 50.001), (4.003, 50.001), (4.003, 50.002), (4.001, 50.001)),
                ),
            ),
        ),
    ),
    "many stops": PosterContent(
        title="Vele haltes",
        url=URL,
        language="en",
        route=((4.39, 50.40), (4.40, 50.41)),
        stops=tuple(
            PosterStop(4.39 + i * 0.0007, 50.40 + i * 0.0007, i + 1, f"Halte {i + 1}")
            for i in range(30)
        ),
    ),
}


@pytest.mark.parametrize("case", list(EDGE_CASES))
def test_edge_cases_render(case: str) -> None:
    content = EDGE_CASES[case]
    pdf = poster_pdf(content)
    one_a4_page(pdf)
    assert content.title in pdf_text(pdf)


def test_long_title_is_cut_cleanly() -> None:
    title = ("Festival des balades sonores " * 8)[:200]
    pdf = poster_pdf(PosterContent(title=title, url=URL, language="fr"))
    one_a4_page(pdf)
    text = pdf_text(pdf)
    assert "Festival des balades sonores Festival" in text
    assert "…" in text
    assert title not in text


def test_dutch_and_german_diacritics_survive() -> None:
    title = "Wandeling langs de Sambre: één café, Grüße aus der Straße"
    description = "Ærø, Œuvre, Łódź, Ελληνικά, Кириллица — çà et là, naïve coöperatie."
    pdf = poster_pdf(PosterContent(title=title, url=URL, language="fr", description=description))
    text = pdf_text(pdf)
    assert title in text
    assert description in text


def test_emoji_in_description_renders_without_them() -> None:
    description = "Une balade 🎧 pour toute la famille 🎉, même sous la pluie ☔."
    pdf = poster_pdf(PosterContent(title="Emoji", url=URL, language="fr", description=description))
    one_a4_page(pdf)
    text = pdf_text(pdf)
    assert "Une balade pour toute la famille" in text
    assert "🎧" not in text


def test_long_description_is_cut_at_a_word() -> None:
    words = [f"mot{i}" for i in range(400)]
    pdf = poster_pdf(PosterContent(title="T", url=URL, language="fr", description=" ".join(words)))
    text = pdf_text(pdf)
    assert "mot0 mot1" in text and "mot399" not in text
    shown = text.split("…")[0].split()
    assert shown[-1] in words


def test_demo_poster_as_png(demo: TrailSource) -> None:
    """Render the demo poster for a person to look at, and read its QR code back from the image."""
    if shutil.which("pdftoppm") is None:
        tool_unavailable("pdftoppm (poppler-utils) is not installed")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for language in ("fr", "en", "nl", "de"):
        pdf_path = ARTEFACTS / f"demo-poster-{language}.pdf"
        pdf_path.write_bytes(poster_pdf(poster_content_from_source(demo, URL, language)))
        stem = ARTEFACTS / f"demo-poster-{language}"
        subprocess.run(
            ["pdftoppm", "-png", "-r", "100", "-singlefile", str(pdf_path), str(stem)],
            check=True,
            timeout=60,
        )
        assert decode_qr(stem.with_suffix(".png").read_bytes()) == [URL]


def test_long_url_is_printed_whole() -> None:
    url = "https://baladeur.example.org/t/festival?" + "&".join(f"k{i}=v{i}" for i in range(60))
    assert len(url) > 300
    pdf = poster_pdf(PosterContent(title="Long link", url=url, language="en"))
    one_a4_page(pdf)
    assert url in "".join(pdf_text(pdf).split())
