from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from server.sharing.qr import MAX_URL_LENGTH, QUIET_ZONE, make_qr, qr_png, qr_svg
from tests.sharing.helpers import decode_qr
from trails.errors import InvalidInput

URLS = [
    "https://baladeur.example.org/t/moulin-de-marchienne",
    "http://127.0.0.1:8000/v1/trails/festival?lang=fr&code=x1#start",
    "https://example.org/t/" + "a" * 400,
]


@pytest.mark.parametrize("url", URLS)
def test_png_decodes_to_the_url(url: str) -> None:
    assert decode_qr(qr_png(url)) == [url]


def test_png_scale_sets_pixels_per_module_and_keeps_quiet_zone() -> None:
    url = URLS[0]
    modules = len(make_qr(url).matrix) + 2 * QUIET_ZONE
    for scale in (3, 10):
        image = Image.open(io.BytesIO(qr_png(url, scale=scale)))
        assert image.size == (modules * scale, modules * scale)
    grey = Image.open(io.BytesIO(qr_png(url, scale=5))).convert("L")
    # The quiet zone is white all round.
    border = QUIET_ZONE * 5
    assert all(grey.getpixel((x, y)) == 255 for x in range(grey.width) for y in range(border))
    assert all(grey.getpixel((x, y)) == 255 for x in range(border) for y in range(grey.height))


def test_error_correction_suits_print_outdoors() -> None:
    assert make_qr(URLS[0]).error in ("Q", "H")
    assert make_qr(URLS[2]).error in ("Q", "H")


@pytest.mark.parametrize("url", URLS[:2])
def test_svg_is_xml_with_a_viewbox(url: str) -> None:
    root = ET.fromstring(qr_svg(url))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    modules = len(make_qr(url).matrix) + 2 * QUIET_ZONE
    assert root.attrib["viewBox"] == f"0 0 {modules} {modules}"
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and title.text == url


@pytest.mark.parametrize(
    "url",
    [
        "",
        "ftp://example.org/t/x",
        "javascript:alert(1)",
        "example.org/t/x",
        "https://",
        "https://example.org/t/with space",
        "https://example.org/t/\nx",
        "https://example.org/" + "a" * MAX_URL_LENGTH,
    ],
)
def test_bad_url_is_refused(url: str) -> None:
    for render in (qr_svg, qr_png):
        with pytest.raises(InvalidInput) as err:
            render(url)
        assert err.value.errors[0].field == "url"


@pytest.mark.parametrize("scale", [0, -1, 41, 2.5, True])
def test_bad_scale_is_refused(scale: object) -> None:
    with pytest.raises(InvalidInput) as err:
        qr_png(URLS[0], scale=scale)  # type: ignore[arg-type]
    assert err.value.errors[0].field == "scale"
