"""Helpers for the sharing tests: decoding QR codes from images, reading PDFs."""

from __future__ import annotations

import io
import re

import zxingcpp
from PIL import Image
from pypdf import PdfReader


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
