"""Helpers for the sharing tests: decoding QR codes from images, reading PDFs."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import zxingcpp
from PIL import Image
from pypdf import PdfReader

from tests.support.browser import tool_unavailable


def decode_qr(png: bytes) -> list[str]:
    """Every QR code a real decoder finds in a PNG image."""
    image = Image.open(io.BytesIO(png)).convert("L")
    return [
        r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode
    ]


def pdf_text(pdf: bytes) -> str:
    """The text of every page, whitespace collapsed to single spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def first_page_png(pdf: bytes, stem: Path) -> bytes:
    """The PDF's first page drawn by poppler's pdftoppm, kept as ``stem``.pdf and .png for a
    person to look at (a vector QR code is decoded from the drawing)."""
    if shutil.which("pdftoppm") is None:
        tool_unavailable("pdftoppm (poppler-utils) is not installed")
    stem.parent.mkdir(parents=True, exist_ok=True)
    path = stem.with_suffix(".pdf")
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "110", "-singlefile", str(path), str(stem)],
        check=True,
        timeout=60,
    )
    return stem.with_suffix(".png").read_bytes()
